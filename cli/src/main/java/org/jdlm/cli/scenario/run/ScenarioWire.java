package org.jdlm.cli.scenario.run;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import org.jdlm.cli.scenario.Mode;
import org.jdlm.dlm.dump.LockspaceDump;

/**
 * The text codec between the scenario runner ({@link HttpNodeDriver}) and a member's scenario
 * endpoints ({@code org.jdlm.cli.node.ScenarioEndpoints}). Both ends use this one class, so they
 * cannot disagree about the format.
 *
 * <p><b>Replies</b> are one record per line: a kind word, then fields separated by one space.
 * A field is escaped so that it holds no space, comma or line break:
 * <pre>
 *   null            -        (a field that is exactly "-" is written \-)
 *   ""              \e
 *   \  space  ,     \\  \s  \c
 *   LF CR TAB       \n  \r  \t
 *   byte[]          lower-case hex of the bytes ("" as \e, null as -)
 *   Set/List        [a,b,c] with each element escaped ([] when empty, - when null)
 *   Mode            its name, or - for none
 * </pre>
 * Records with nested lists are a header line followed by one line per element (a resource and its
 * queue entries; a dump, its resources and its held locks). Lines are human-readable, so
 * {@code curl} is a usable debugger.
 *
 * <p><b>Requests</b> are query parameters ({@link #query}); flags are a comma-separated list and
 * value blocks hex, {@code -} for none. A bad parameter is a {@link BadRequest} (HTTP 400).
 */
public final class ScenarioWire {

  private ScenarioWire() {}

  /** A request the member cannot carry out as asked: one line for an HTTP 400 reply. */
  public static final class BadRequest extends RuntimeException {
    public BadRequest(String message) {
      super(message, null, false, false);
    }
  }

  // ---- fields -------------------------------------------------------------------------------

  /** Escapes one string field (see the class comment). */
  static String field(String s) {
    if (s == null) {
      return "-";
    }
    if (s.isEmpty()) {
      return "\\e";
    }
    if (s.equals("-")) {
      return "\\-";
    }
    StringBuilder out = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case ' ' -> out.append("\\s");
        case ',' -> out.append("\\c");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** The inverse of {@link #field}. */
  static String unfield(String f) {
    if (f.equals("-")) {
      return null;
    }
    if (f.equals("\\e")) {
      return "";
    }
    if (f.equals("\\-")) {
      return "-";
    }
    StringBuilder out = new StringBuilder(f.length());
    for (int i = 0; i < f.length(); i++) {
      char c = f.charAt(i);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (++i >= f.length()) {
        throw new IllegalArgumentException("field ends in a lone backslash: " + f);
      }
      char e = f.charAt(i);
      out.append(switch (e) {
        case '\\' -> '\\';
        case 's' -> ' ';
        case 'c' -> ',';
        case 'n' -> '\n';
        case 'r' -> '\r';
        case 't' -> '\t';
        default -> throw new IllegalArgumentException("unknown escape \\" + e + " in field " + f);
      });
    }
    return out.toString();
  }

  static String bytes(byte[] b) {
    return b == null ? "-" : b.length == 0 ? "\\e" : HexFormat.of().formatHex(b);
  }

  static byte[] unbytes(String f) {
    if (f.equals("-")) {
      return null;
    }
    if (f.equals("\\e")) {
      return new byte[0];
    }
    try {
      return HexFormat.of().parseHex(f);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not hex bytes: " + f);
    }
  }

  static String list(java.util.Collection<String> items) {
    if (items == null) {
      return "-";
    }
    StringJoiner j = new StringJoiner(",", "[", "]");
    items.forEach(i -> j.add(field(i)));
    return j.toString();
  }

  static List<String> unlist(String f) {
    if (f.equals("-")) {
      return null;
    }
    if (f.length() < 2 || f.charAt(0) != '[' || f.charAt(f.length() - 1) != ']') {
      throw new IllegalArgumentException("not a [list]: " + f);
    }
    String inner = f.substring(1, f.length() - 1);
    List<String> out = new ArrayList<>();
    if (inner.isEmpty()) {
      return out;
    }
    for (String item : inner.split(",", -1)) {
      out.add(unfield(item));
    }
    return out;
  }

  static Set<String> unset(String f) {
    List<String> l = unlist(f);
    return l == null ? null : Set.copyOf(new LinkedHashSet<>(l));
  }

  static String mode(Mode m) {
    return m == null ? "-" : m.name();
  }

  static Mode unmode(String f) {
    return f.equals("-") ? null : Mode.valueOf(f);
  }

  /** One line: {@code kind} and the already-escaped fields. */
  private static String line(String kind, String... fields) {
    return kind + (fields.length == 0 ? "" : " " + String.join(" ", fields)) + "\n";
  }

  /** A line split into its kind and fields; {@code expect} fields after the kind, exactly. */
  private static String[] parse(String line, String kind, int fields) {
    String[] parts = line.split(" ", -1);
    if (!parts[0].equals(kind) || parts.length != fields + 1) {
      throw new IllegalArgumentException("expected a '" + kind + "' record with " + fields + " fields, got: " + line);
    }
    return parts;
  }

  private static String kindOf(String line) {
    int sp = line.indexOf(' ');
    return sp < 0 ? line : line.substring(0, sp);
  }

  private static List<String> lines(String body) {
    return body.lines().filter(l -> !l.isEmpty()).toList();
  }

  // ---- replies ------------------------------------------------------------------------------

  /** The synchronous code of an operation: {@code code OK}. */
  public static String encodeCode(String code) {
    return line("code", field(code));
  }

  public static String decodeCode(String body) {
    List<String> l = lines(body);
    if (l.size() != 1) {
      throw new IllegalArgumentException("expected one 'code' line, got: " + body);
    }
    return unfield(parse(l.get(0), "code", 1)[1]);
  }

  /** The lockspace members a node sees (scenario names, or {@code host:port} when unknown). */
  public static String encodeMembers(List<String> members) {
    return line("members", list(members));
  }

  public static List<String> decodeMembers(String body) {
    List<String> l = lines(body);
    if (l.size() != 1) {
      throw new IllegalArgumentException("expected one 'members' line, got: " + body);
    }
    return unlist(parse(l.get(0), "members", 1)[1]);
  }

  public static String encodeEvent(NodeDriver.ObservedEvent e) {
    return line("event", Long.toString(e.seq()), field(e.node()), field(e.lock()), Long.toString(e.atNanos()),
        e.kind().name(), field(e.status()), mode(e.mode()), list(e.sbflags()), bytes(e.lvb()), field(e.token()));
  }

  /** Also reads the nine-field lines of members from before the token was added (token null). */
  public static NodeDriver.ObservedEvent decodeEvent(String line) {
    String[] f = line.split(" ", -1).length == 10 ? parse(line, "event", 9) : parse(line, "event", 10);
    return new NodeDriver.ObservedEvent(Long.parseLong(f[1]), unfield(f[2]), unfield(f[3]), Long.parseLong(f[4]),
        NodeDriver.ObservedEvent.Kind.valueOf(f[5]), unfield(f[6]), unmode(f[7]), unset(f[8]), unbytes(f[9]),
        f.length > 10 ? unfield(f[10]) : null);
  }

  public static String encodeEvents(List<NodeDriver.ObservedEvent> events) {
    StringBuilder out = new StringBuilder();
    events.forEach(e -> out.append(encodeEvent(e)));
    return out.toString();
  }

  public static List<NodeDriver.ObservedEvent> decodeEvents(String body) {
    return lines(body).stream().map(ScenarioWire::decodeEvent).toList();
  }

  /** A lock's owner view, or {@code nolock} for null. */
  public static String encodeLockView(NodeDriver.LockView v) {
    if (v == null) {
      return line("nolock");
    }
    return line("lock", field(v.lockId()), field(v.resource()), field(v.state()), mode(v.granted()),
        mode(v.requested()), bytes(v.lvb()), list(v.lastSbflags()));
  }

  public static NodeDriver.LockView decodeLockView(String body) {
    List<String> l = lines(body);
    if (l.size() == 1 && l.get(0).equals("nolock")) {
      return null;
    }
    if (l.size() != 1) {
      throw new IllegalArgumentException("expected one 'lock' line, got: " + body);
    }
    String[] f = parse(l.get(0), "lock", 7);
    return new NodeDriver.LockView(unfield(f[1]), unfield(f[2]), unfield(f[3]), unmode(f[4]), unmode(f[5]),
        unbytes(f[6]), unset(f[7]));
  }

  /** A resource as its master holds it: a {@code resource} line, then {@code grant|convert|wait} lines in order. */
  public static String encodeResourceView(NodeDriver.ResourceView r) {
    if (r == null) {
      return line("noresource");
    }
    StringBuilder out = new StringBuilder(line("resource", field(r.resource()), field(r.master()), field(r.directory())));
    queue(out, "grant", r.grant());
    queue(out, "convert", r.convert());
    queue(out, "wait", r.waiting());
    return out.toString();
  }

  private static void queue(StringBuilder out, String kind, List<NodeDriver.QueueEntry> entries) {
    for (NodeDriver.QueueEntry e : entries) {
      out.append(line(kind, field(e.lockId()), mode(e.granted()), mode(e.requested())));
    }
  }

  public static NodeDriver.ResourceView decodeResourceView(String body) {
    List<String> l = lines(body);
    if (l.size() == 1 && l.get(0).equals("noresource")) {
      return null;
    }
    if (l.isEmpty()) {
      throw new IllegalArgumentException("expected a 'resource' record, got nothing");
    }
    String[] head = parse(l.get(0), "resource", 3);
    List<NodeDriver.QueueEntry> grant = new ArrayList<>();
    List<NodeDriver.QueueEntry> convert = new ArrayList<>();
    List<NodeDriver.QueueEntry> waiting = new ArrayList<>();
    for (String line : l.subList(1, l.size())) {
      String kind = kindOf(line);
      List<NodeDriver.QueueEntry> target = switch (kind) {
        case "grant" -> grant;
        case "convert" -> convert;
        case "wait" -> waiting;
        default -> throw new IllegalArgumentException("unexpected record in a resource: " + line);
      };
      String[] f = parse(line, kind, 3);
      target.add(new NodeDriver.QueueEntry(unfield(f[1]), unmode(f[2]), unmode(f[3])));
    }
    return new NodeDriver.ResourceView(unfield(head[1]), unfield(head[2]), unfield(head[3]), grant, convert, waiting);
  }

  public static String encodeActivity(NodeDriver.Activity a) {
    return line("activity", Long.toString(a.messagesHandled()), Long.toString(a.callbacksDelivered()),
        Integer.toString(a.awaitingReply()), Integer.toString(a.callbacksPending()));
  }

  public static NodeDriver.Activity decodeActivity(String body) {
    String[] f = parse(single(body, "activity"), "activity", 4);
    return new NodeDriver.Activity(Long.parseLong(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]),
        Integer.parseInt(f[4]));
  }

  public static String encodeLockspaceView(NodeDriver.LockspaceView v) {
    return line("lockspace", field(v.state()), Long.toString(v.recoveriesCompleted()), Long.toString(v.generation()),
        list(v.fencedNodes()));
  }

  public static NodeDriver.LockspaceView decodeLockspaceView(String body) {
    String[] f = parse(single(body, "lockspace"), "lockspace", 4);
    return new NodeDriver.LockspaceView(unfield(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), unset(f[4]));
  }

  private static String single(String body, String kind) {
    List<String> l = lines(body);
    if (l.size() != 1) {
      throw new IllegalArgumentException("expected one '" + kind + "' line, got: " + body);
    }
    return l.get(0);
  }

  // ---- dumps --------------------------------------------------------------------------------

  /**
   * Member dumps, one after the other: a {@code dump} line, then its {@code res} lines each followed
   * by its {@code q} lines (queue {@code grant|convert|wait}, head first), then {@code held} and
   * {@code missing} lines.
   */
  public static String encodeDumps(List<LockspaceDump> dumps) {
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

  public static List<LockspaceDump> decodeDumps(String body) {
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

  // ---- requests -----------------------------------------------------------------------------

  /** A query string from parameters (in the map's order), URL-encoded. */
  public static String query(Map<String, String> params) {
    StringJoiner j = new StringJoiner("&");
    params.forEach((k, v) -> j.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
        + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return j.toString();
  }

  /** Request flags as a parameter: comma-separated names ("" for none). */
  public static String flagsParam(Set<String> flags) {
    return String.join(",", flags);
  }

  /** A value block as a parameter: hex, {@code -} for none. */
  public static String lvbParam(byte[] lvb) {
    return lvb == null ? "-" : HexFormat.of().formatHex(lvb);
  }

  /** Typed access to a request's query parameters; every problem is a {@link BadRequest}. */
  public record Params(Map<String, String> query) {

    public String required(String name) {
      String v = query.get(name);
      if (v == null || v.isEmpty()) {
        throw new BadRequest("missing parameter '" + name + "'");
      }
      return v;
    }

    public Mode mode(String name) {
      String v = required(name);
      try {
        return Mode.valueOf(v);
      } catch (IllegalArgumentException e) {
        throw new BadRequest("bad mode '" + v + "' for '" + name + "' (expected one of NL CR CW PR PW EX)");
      }
    }

    /** Comma-separated request flags; absent or empty means none. Names are checked by the DLM. */
    public Set<String> flags(String name) {
      String v = query.getOrDefault(name, "");
      Set<String> out = new LinkedHashSet<>();
      for (String f : v.split(",")) {
        if (!f.isBlank()) {
          out.add(f.trim());
        }
      }
      return out;
    }

    /** Hex bytes; absent or {@code -} means none. */
    public byte[] lvb(String name) {
      String v = query.getOrDefault(name, "-");
      if (v.equals("-")) {
        return null;
      }
      try {
        return HexFormat.of().parseHex(v);
      } catch (IllegalArgumentException e) {
        throw new BadRequest("bad value block '" + v + "' for '" + name + "' (expected hex digits, two per byte)");
      }
    }

    public long number(String name, long dflt, long min, long max) {
      String v = query.get(name);
      if (v == null || v.isEmpty()) {
        return dflt;
      }
      try {
        long n = Long.parseLong(v);
        if (n < min || n > max) {
          throw new BadRequest("parameter '" + name + "' = " + n + " is out of range " + min + ".." + max);
        }
        return n;
      } catch (NumberFormatException e) {
        throw new BadRequest("parameter '" + name + "' = '" + v + "' is not a whole number");
      }
    }

    public boolean bool(String name, boolean dflt) {
      String v = query.get(name);
      if (v == null || v.isEmpty()) {
        return dflt;
      }
      return switch (v) {
        case "true" -> true;
        case "false" -> false;
        default -> throw new BadRequest("parameter '" + name + "' = '" + v + "' is not true or false");
      };
    }
  }
}
