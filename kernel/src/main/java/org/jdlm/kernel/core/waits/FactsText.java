package org.jdlm.kernel.core.waits;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.Join;

/**
 * One member's wait-for facts as text lines, version 1 (docs/dump-format.md, "Wait-for facts"):
 * what {@code GET /kernel/waits} answers and {@code dlm dump --waits} reads back into
 * {@link FactSink} calls to merge every member into one {@link WaitGraph}.
 *
 * <pre>
 * jdlm-waits 1 member=n1
 * vertex n1/task:kswapd0
 * state n1/mem min
 * since n1/task:writer 2500000000
 * join n1/mem OR
 * edge n1/task:writer n1/mem waits-memory 4KiB,GFP_NOFS -
 * dlm-request n1/task:app ls1 r1 00010001 EX 0 1000000 false
 * end 6
 * </pre>
 *
 * One fact per line, fields separated by one space; a field is escaped ({@code %} {@code %25},
 * space {@code %20}, tab {@code %09}, LF {@code %0A}, CR {@code %0D}) and an empty field is
 * {@code -} (a one-dash value is {@code %2D}). Times are ages ({@code since}: how long the vertex
 * has waited; a request's queue age), because a member's clock is not the reader's: the reader
 * places them on its own clock. {@code end N} counts the fact lines, so a cut-off answer is an
 * error, not a smaller graph.
 */
public final class FactsText {
  /** The format version this class writes and reads. */
  public static final int VERSION = 1;
  private static final String MAGIC = "jdlm-waits";

  private FactsText() {}

  /** What the header of a read text said, and how many facts it held. */
  public record Header(int version, String member, int facts) {}

  /**
   * A {@link FactSink} that writes each call as one line. {@code nowNanos} is the clock the facts'
   * times are on (a kernel snapshot fed with {@code feedTo(snapshot.nanos(), writer)}): the lines
   * carry ages against it.
   */
  public static final class Writer implements FactSink {
    private final StringBuilder out = new StringBuilder();
    private final long nowNanos;
    private int facts;

    public Writer(String member, long nowNanos) {
      Objects.requireNonNull(member, "member");
      this.nowNanos = nowNanos;
      out.append(MAGIC).append(' ').append(VERSION).append(" member=").append(escape(member)).append('\n');
    }

    private Writer line(String... fields) {
      out.append(String.join(" ", fields)).append('\n');
      facts++;
      return this;
    }

    @Override
    public Writer vertex(Vertex v) {
      return line("vertex", escape(v.name()));
    }

    @Override
    public Writer state(Vertex v, String state) {
      return line("state", escape(v.name()), escape(state));
    }

    @Override
    public Writer waitingSince(Vertex v, long sinceNanos) {
      return line("since", escape(v.name()), Long.toString(nowNanos - sinceNanos));
    }

    @Override
    public Writer join(Vertex v, Join join) {
      return line("join", escape(v.name()), join.name());
    }

    @Override
    public Writer edge(Edge e) {
      return line("edge", escape(e.from().name()), escape(e.to().name()), e.kind().label(), escape(e.argument()),
          escape(e.note()));
    }

    @Override
    public Writer dlmRequest(DlmRequest r) {
      return line("dlm-request", escape(r.task().name()), escape(r.lockspace()), escape(r.resource()), escape(r.lkbId()),
          escape(r.mode()), Integer.toString(r.priority()), Long.toString(nowNanos - r.queuedAtNanos()),
          Boolean.toString(r.noDeadlockWait()));
    }

    /** The whole text, with its {@code end} line. */
    public String text() {
      return out + "end " + facts + "\n";
    }
  }

  /**
   * Reads {@code text} into {@code sink}, placing ages on the reader's clock ({@code nowNanos - age}).
   * The text is checked whole before any fact reaches the sink, so a bad answer adds nothing.
   *
   * @throws IllegalArgumentException naming the line number, for a wrong header or version, an
   *     unknown fact, a bad field, a missing or wrong {@code end}, or text after it
   */
  public static Header read(String text, long nowNanos, FactSink sink) {
    Objects.requireNonNull(text, "text");
    String[] lines = text.split("\n", -1);
    int count = lines.length;
    if (count > 0 && lines[count - 1].isEmpty()) {
      count--; // the final newline
    }
    if (count == 0) {
      throw new IllegalArgumentException("line 1: empty, expected '" + MAGIC + " " + VERSION + " member=NAME'");
    }
    String[] head = lines[0].split(" ", -1);
    if (head.length != 3 || !head[0].equals(MAGIC) || !head[2].startsWith("member=")) {
      throw new IllegalArgumentException("line 1: '" + lines[0] + "' is not a header '" + MAGIC + " " + VERSION
          + " member=NAME'");
    }
    if (!head[1].equals(Integer.toString(VERSION))) {
      throw new IllegalArgumentException("line 1: version " + head[1] + " is not supported (this reader knows "
          + VERSION + ")");
    }
    String member = unescape(head[2].substring("member=".length()), 1);
    List<java.util.function.Consumer<FactSink>> facts = new ArrayList<>();
    boolean ended = false;
    for (int i = 1; i < count; i++) {
      int lineNo = i + 1;
      if (ended) {
        throw new IllegalArgumentException("line " + lineNo + ": text after the end line");
      }
      String[] f = lines[i].split(" ", -1);
      try {
        switch (f[0]) {
          case "vertex" -> {
            fields(f, 2);
            Vertex v = vertex(f[1], lineNo);
            facts.add(s -> s.vertex(v));
          }
          case "state" -> {
            fields(f, 3);
            Vertex v = vertex(f[1], lineNo);
            String state = unescape(f[2], lineNo);
            facts.add(s -> s.state(v, state));
          }
          case "since" -> {
            fields(f, 3);
            Vertex v = vertex(f[1], lineNo);
            long age = number(f[2], "age");
            facts.add(s -> s.waitingSince(v, nowNanos - age));
          }
          case "join" -> {
            fields(f, 3);
            Vertex v = vertex(f[1], lineNo);
            Join join = join(f[2]);
            facts.add(s -> s.join(v, join));
          }
          case "edge" -> {
            fields(f, 6);
            Edge e = new Edge(vertex(f[1], lineNo), vertex(f[2], lineNo), kind(f[3]), unescape(f[4], lineNo),
                unescape(f[5], lineNo));
            facts.add(s -> s.edge(e));
          }
          case "dlm-request" -> {
            fields(f, 9);
            long age = number(f[7], "queue age");
            if (!f[8].equals("true") && !f[8].equals("false")) {
              throw new IllegalArgumentException("no-deadlock-wait '" + f[8] + "' is neither true nor false");
            }
            DlmRequest r = new DlmRequest(vertex(f[1], lineNo), unescape(f[2], lineNo), unescape(f[3], lineNo),
                unescape(f[4], lineNo), unescape(f[5], lineNo), (int) number(f[6], "priority"), nowNanos - age,
                Boolean.parseBoolean(f[8]));
            facts.add(s -> s.dlmRequest(r));
          }
          case "end" -> {
            fields(f, 2);
            long n = number(f[1], "fact count");
            if (n != facts.size()) {
              throw new IllegalArgumentException("end counts " + n + " facts but " + facts.size() + " came before it");
            }
            ended = true;
          }
          default -> throw new IllegalArgumentException("unknown fact '" + f[0]
              + "' (expected vertex, state, since, join, edge, dlm-request or end)");
        }
      } catch (IllegalArgumentException e) {
        String msg = e.getMessage();
        throw new IllegalArgumentException(msg.startsWith("line ") ? msg : "line " + lineNo + ": " + msg, e);
      }
    }
    if (!ended) {
      throw new IllegalArgumentException("line " + (count + 1) + ": missing 'end N' (the text was cut off)");
    }
    facts.forEach(fact -> fact.accept(sink));
    return new Header(VERSION, member, facts.size());
  }

  private static void fields(String[] f, int expected) {
    if (f.length != expected) {
      throw new IllegalArgumentException("'" + f[0] + "' takes " + (expected - 1) + " fields, got " + (f.length - 1));
    }
  }

  private static Vertex vertex(String field, int lineNo) {
    return Vertex.parse(unescape(field, lineNo));
  }

  private static long number(String field, String what) {
    try {
      return Long.parseLong(field);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " '" + field + "' is not a whole number");
    }
  }

  private static Join join(String field) {
    try {
      return Join.valueOf(field);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("join '" + field + "' is neither AND nor OR");
    }
  }

  private static EdgeKind kind(String label) {
    for (EdgeKind k : EdgeKind.values()) {
      if (k.label().equals(label)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown edge kind '" + label + "'");
  }

  /** One field: escaped so it holds no separator, {@code -} when empty. */
  static String escape(String value) {
    if (value.isEmpty()) {
      return "-";
    }
    if (value.equals("-")) {
      return "%2D";
    }
    StringBuilder b = new StringBuilder(value.length());
    for (char c : value.toCharArray()) {
      switch (c) {
        case '%' -> b.append("%25");
        case ' ' -> b.append("%20");
        case '\t' -> b.append("%09");
        case '\n' -> b.append("%0A");
        case '\r' -> b.append("%0D");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  static String unescape(String field, int lineNo) {
    if (field.isEmpty()) {
      throw new IllegalArgumentException("line " + lineNo + ": empty field (an empty value is written '-')");
    }
    if (field.equals("-")) {
      return "";
    }
    StringBuilder b = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c != '%') {
        b.append(c);
        continue;
      }
      String hex = i + 2 < field.length() ? field.substring(i + 1, i + 3).toUpperCase(Locale.ROOT) : "";
      switch (hex) {
        case "25" -> b.append('%');
        case "20" -> b.append(' ');
        case "09" -> b.append('\t');
        case "0A" -> b.append('\n');
        case "0D" -> b.append('\r');
        case "2D" -> b.append('-');
        default -> throw new IllegalArgumentException("line " + lineNo + ": bad escape in '" + field
            + "' (expected %25 %20 %09 %0A %0D or %2D)");
      }
      i += 2;
    }
    return b.toString();
  }
}
