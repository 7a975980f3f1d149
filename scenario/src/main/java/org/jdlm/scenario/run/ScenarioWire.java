package org.jdlm.scenario.run;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import org.jdlm.member.WireText;
import org.jdlm.scenario.Mode;

/**
 * The text codec between the scenario runner ({@link HttpNodeDriver}) and a member's scenario
 * endpoints ({@code org.jdlm.scenario.run.ScenarioEndpoints}). Both ends use this one class, so they
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

  // The escaping is the control endpoint's own (org.jdlm.member.WireText); these keep the codec readable.
  static String field(String s) {
    return WireText.field(s);
  }

  static String unfield(String f) {
    return WireText.unfield(f);
  }

  static String bytes(byte[] b) {
    return WireText.bytes(b);
  }

  static byte[] unbytes(String f) {
    return WireText.unbytes(f);
  }

  static String list(java.util.Collection<String> items) {
    return WireText.list(items);
  }

  static List<String> unlist(String f) {
    return WireText.unlist(f);
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

  private static String line(String kind, String... fields) {
    return WireText.line(kind, fields);
  }

  private static String[] parse(String line, String kind, int fields) {
    return WireText.parse(line, kind, fields);
  }

  private static List<String> lines(String body) {
    return WireText.lines(body);
  }

  private static String kindOf(String line) {
    return WireText.kindOf(line);
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

  /** The wait-for-graph reports of a file on one member: one {@code report} line each, text escaped. */
  public static String encodeReports(List<NodeDriver.DetectorReport> reports) {
    StringBuilder out = new StringBuilder();
    for (NodeDriver.DetectorReport r : reports) {
      out.append(line("report", field(r.kind()), field(r.id()), list(r.vertices()), field(r.victim()), field(r.text())));
    }
    return out.toString();
  }

  public static List<NodeDriver.DetectorReport> decodeReports(String body) {
    List<NodeDriver.DetectorReport> out = new ArrayList<>();
    for (String l : lines(body)) {
      String[] f = parse(l, "report", 5);
      out.add(new NodeDriver.DetectorReport(unfield(f[1]), unfield(f[2]), unlist(f[3]), unfield(f[4]), unfield(f[5])));
    }
    return out;
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

    /** The parameter, or null when absent or empty. */
    public String optional(String name) {
      String v = query.get(name);
      return v == null || v.isEmpty() ? null : v;
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
