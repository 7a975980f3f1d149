package org.jdlm.dlm.dump;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Prints {@link LockspaceDump}s in the text format of {@code docs/dump-format.md} (in the spirit
 * of {@code dlm_tool lockdebug}). Pure: no Pekko, no I/O.
 */
public final class DumpRenderer {

  private DumpRenderer() {}

  /** One member's dump. */
  public static String render(LockspaceDump dump) {
    StringBuilder out = new StringBuilder();
    header(out, dump);
    for (LockspaceDump.ResourceDump r : dump.resources()) {
      resource(out, r);
    }
    if (!dump.missing().isEmpty()) {
      out.append("Missing (no snapshot within the dump timeout): ").append(String.join(" ", dump.missing()))
          .append('\n');
    }
    out.append("Locks held by ").append(dump.node()).append(" (").append(dump.ownedLocks().size()).append(")\n");
    for (LockspaceDump.OwnedLock l : dump.ownedLocks()) {
      out.append(String.format("%08x %s gr %s rq %s master %s resource \"%s\" flags %s token %s lvb %s%n",
          l.lockId(), l.state(), l.granted(), l.requested(), l.master(), l.resource(), flags(l.flags()), l.token(),
          l.lvbHex().isEmpty() ? "-" : l.lvbHex()));
    }
    return out.toString();
  }

  /**
   * A cluster dump: every member's header, then every resource once (from its master), then every
   * node's held locks. Members are printed in node order.
   */
  public static String renderCluster(List<LockspaceDump> dumps) {
    List<LockspaceDump> sorted = new ArrayList<>(dumps);
    sorted.sort(Comparator.comparing(LockspaceDump::node));
    StringBuilder out = new StringBuilder();
    for (LockspaceDump d : sorted) {
      header(out, d);
    }
    List<LockspaceDump.ResourceDump> resources = new ArrayList<>();
    sorted.forEach(d -> resources.addAll(d.resources()));
    resources.sort(Comparator.comparing(LockspaceDump.ResourceDump::name).thenComparing(LockspaceDump.ResourceDump::master));
    for (LockspaceDump.ResourceDump r : resources) {
      resource(out, r);
    }
    for (LockspaceDump d : sorted) {
      out.append("Locks held by ").append(d.node()).append(" (").append(d.ownedLocks().size()).append(")\n");
      for (LockspaceDump.OwnedLock l : d.ownedLocks()) {
        out.append(String.format("%08x %s gr %s rq %s master %s resource \"%s\" flags %s token %s lvb %s%n",
            l.lockId(), l.state(), l.granted(), l.requested(), l.master(), l.resource(), flags(l.flags()), l.token(),
            l.lvbHex().isEmpty() ? "-" : l.lvbHex()));
      }
    }
    return out.toString();
  }

  private static void header(StringBuilder out, LockspaceDump dump) {
    out.append("Lockspace ").append(dump.lockspace()).append(" node ").append(dump.node())
        .append(" state ").append(dump.state()).append(" generation ").append(dump.generation())
        .append(" members ").append(String.join(",", dump.members())).append('\n');
  }

  private static void resource(StringBuilder out, LockspaceDump.ResourceDump r) {
    out.append("Resource \"").append(r.name()).append("\" Master:").append(r.master())
        .append(" Dir:").append(r.directoryNode()).append('\n');
    out.append("LVB: ").append(r.lvbHex()).append(" seq ").append(r.lvbSeq())
        .append(r.valNotValid() ? " VALNOTVALID" : "").append('\n');
    queue(out, "Granted", r.grant());
    queue(out, "Convert", r.convert());
    queue(out, "Waiting", r.waiting());
  }

  private static void queue(StringBuilder out, String title, List<LockspaceDump.QueuedLock> locks) {
    out.append(title).append('\n');
    for (LockspaceDump.QueuedLock l : locks) {
      out.append(String.format("%08x %s %s Owner: %s flags %s%n", l.lockId(), l.granted(),
          "IV".equals(l.requested()) ? "--" : "(" + l.requested() + ")", l.owner(), flags(l.flags())));
    }
  }

  private static String flags(List<String> flags) {
    return flags.isEmpty() ? "-" : String.join(",", flags);
  }
}
