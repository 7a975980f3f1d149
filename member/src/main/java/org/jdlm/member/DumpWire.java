package org.jdlm.member;

import static org.jdlm.member.WireText.field;
import static org.jdlm.member.WireText.kindOf;
import static org.jdlm.member.WireText.line;
import static org.jdlm.member.WireText.lines;
import static org.jdlm.member.WireText.list;
import static org.jdlm.member.WireText.parse;
import static org.jdlm.member.WireText.unfield;
import static org.jdlm.member.WireText.unlist;

import java.util.ArrayList;
import java.util.List;
import org.jdlm.dlm.dump.LockspaceDump;

/**
 * The records of {@code GET /dump?format=records} ({@link DumpEndpoint}), which {@code dlm dump}
 * merges into a cluster dump; fields escaped by {@link WireText}. Both ends use this one class.
 */
public final class DumpWire {

  private DumpWire() {}

  /**
   * Member dumps, one after the other: a {@code dump} line, then its {@code res} lines each followed
   * by its {@code q} lines (queue {@code grant|convert|wait}, head first), then {@code held} and
   * {@code missing} lines.
   */
  public static String encode(List<LockspaceDump> dumps) {
    StringBuilder out = new StringBuilder();
    for (LockspaceDump d : dumps) {
      out.append(line("dump", field(d.lockspace()), field(d.node()), field(d.state()), Long.toString(d.generation()),
          list(d.members())));
      for (LockspaceDump.ResourceDump r : d.resources()) {
        out.append(line("res", field(r.name()), field(r.master()), field(r.directoryNode()), field(r.lvbHex()),
            Long.toString(r.lvbSeq()), Boolean.toString(r.valNotValid())));
        queued(out, "grant", r.grant());
        queued(out, "convert", r.convert());
        queued(out, "wait", r.waiting());
      }
      for (LockspaceDump.OwnedLock l : d.ownedLocks()) {
        out.append(line("held", Long.toString(l.lockId()), field(l.resource()), field(l.master()), field(l.state()),
            field(l.granted()), field(l.requested()), list(l.flags()), field(l.lvbHex()), field(l.token())));
      }
      for (String m : d.missing()) {
        out.append(line("missing", field(m)));
      }
    }
    return out.toString();
  }

  private static void queued(StringBuilder out, String queue, List<LockspaceDump.QueuedLock> locks) {
    for (LockspaceDump.QueuedLock q : locks) {
      out.append(line("q", queue, Long.toString(q.lockId()), field(q.owner()), field(q.granted()),
          field(q.requested()), list(q.flags())));
    }
  }

  /** The inverse of {@link #encode}; a malformed record is an {@link IllegalArgumentException} naming it. */
  public static List<LockspaceDump> decode(String body) {
    List<LockspaceDump> out = new ArrayList<>();
    DumpBuilder current = null;
    for (String line : lines(body)) {
      String kind = kindOf(line);
      if (kind.equals("dump")) {
        if (current != null) {
          out.add(current.build());
        }
        String[] f = parse(line, "dump", 5);
        current = new DumpBuilder(unfield(f[1]), unfield(f[2]), unfield(f[3]), Long.parseLong(f[4]), unlist(f[5]));
        continue;
      }
      if (current == null) {
        throw new IllegalArgumentException("a '" + kind + "' record before any 'dump' record: " + line);
      }
      current.add(kind, line);
    }
    if (current != null) {
      out.add(current.build());
    }
    return out;
  }

  /** Collects one dump's records in file order. */
  private static final class DumpBuilder {
    final String lockspace;
    final String node;
    final String state;
    final long generation;
    final List<String> members;
    final List<LockspaceDump.ResourceDump> resources = new ArrayList<>();
    final List<LockspaceDump.OwnedLock> held = new ArrayList<>();
    final List<String> missing = new ArrayList<>();
    String[] res;
    List<LockspaceDump.QueuedLock> grant;
    List<LockspaceDump.QueuedLock> convert;
    List<LockspaceDump.QueuedLock> waiting;

    DumpBuilder(String lockspace, String node, String state, long generation, List<String> members) {
      this.lockspace = lockspace;
      this.node = node;
      this.state = state;
      this.generation = generation;
      this.members = members;
    }

    void add(String kind, String line) {
      switch (kind) {
        case "res" -> {
          flushResource();
          res = parse(line, "res", 6);
          grant = new ArrayList<>();
          convert = new ArrayList<>();
          waiting = new ArrayList<>();
        }
        case "q" -> {
          if (res == null) {
            throw new IllegalArgumentException("a queue entry outside a resource: " + line);
          }
          String[] f = parse(line, "q", 6);
          LockspaceDump.QueuedLock q = new LockspaceDump.QueuedLock(Long.parseLong(f[2]), unfield(f[3]),
              unfield(f[4]), unfield(f[5]), unlist(f[6]));
          switch (f[1]) {
            case "grant" -> grant.add(q);
            case "convert" -> convert.add(q);
            case "wait" -> waiting.add(q);
            default -> throw new IllegalArgumentException("unknown queue '" + f[1] + "' in: " + line);
          }
        }
        case "held" -> {
          flushResource();
          String[] f = parse(line, "held", 9);
          held.add(new LockspaceDump.OwnedLock(Long.parseLong(f[1]), unfield(f[2]), unfield(f[3]), unfield(f[4]),
              unfield(f[5]), unfield(f[6]), unlist(f[7]), unfield(f[8]), unfield(f[9])));
        }
        case "missing" -> {
          flushResource();
          missing.add(unfield(parse(line, "missing", 1)[1]));
        }
        default -> throw new IllegalArgumentException("unexpected record in a dump: " + line);
      }
    }

    void flushResource() {
      if (res != null) {
        resources.add(new LockspaceDump.ResourceDump(unfield(res[1]), unfield(res[2]), unfield(res[3]), grant, convert,
            waiting, unfield(res[4]), Long.parseLong(res[5]), Boolean.parseBoolean(res[6])));
        res = null;
      }
    }

    LockspaceDump build() {
      flushResource();
      return new LockspaceDump(lockspace, node, state, generation, members, resources, held, missing);
    }
  }
}
