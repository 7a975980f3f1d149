package org.jdlm.member;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.StringJoiner;

/**
 * The escaping of the control endpoint's plain-text records, shared by every codec that speaks it
 * ({@link DumpWire} here, the scenario agent's {@code ScenarioWire}). A record is one line: a kind
 * word, then fields separated by one space. A field is escaped so that it holds no space, comma or
 * line break:
 * <pre>
 *   null            -        (a field that is exactly "-" is written \-)
 *   ""              \e
 *   \  space  ,     \\  \s  \c
 *   LF CR TAB       \n  \r  \t
 *   byte[]          lower-case hex of the bytes ("" as \e, null as -)
 *   Set/List        [a,b,c] with each element escaped ([] when empty, - when null)
 * </pre>
 */
public final class WireText {

  private WireText() {}

  /** Escapes one string field (see the class comment). */
  public static String field(String s) {
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
  public static String unfield(String f) {
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

  public static String bytes(byte[] b) {
    return b == null ? "-" : b.length == 0 ? "\\e" : HexFormat.of().formatHex(b);
  }

  public static byte[] unbytes(String f) {
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

  public static String list(java.util.Collection<String> items) {
    if (items == null) {
      return "-";
    }
    StringJoiner j = new StringJoiner(",", "[", "]");
    items.forEach(i -> j.add(field(i)));
    return j.toString();
  }

  public static List<String> unlist(String f) {
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

  /** One line: {@code kind} and the already-escaped fields. */
  public static String line(String kind, String... fields) {
    return kind + (fields.length == 0 ? "" : " " + String.join(" ", fields)) + "\n";
  }

  /** A line split into its kind and fields; {@code expect} fields after the kind, exactly. */
  public static String[] parse(String line, String kind, int fields) {
    String[] parts = line.split(" ", -1);
    if (!parts[0].equals(kind) || parts.length != fields + 1) {
      throw new IllegalArgumentException("expected a '" + kind + "' record with " + fields + " fields, got: " + line);
    }
    return parts;
  }

  public static String kindOf(String line) {
    int sp = line.indexOf(' ');
    return sp < 0 ? line : line.substring(0, sp);
  }

  public static List<String> lines(String body) {
    return body.lines().filter(l -> !l.isEmpty()).toList();
  }
}
