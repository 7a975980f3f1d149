package org.jdlm.kernel.core.waits;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The text of the detector's reports (fs-cycles §5.0): pure formatting, one block per detection,
 * edges numbered in order, endpoints {@code node/kind:id[state]}. Columns are aligned per block:
 * sources padded to the widest source, labels to the widest label, two spaces between.
 */
public final class Reports {
  private Reports() {}

  /** {@code +12.5}: seconds since the detector's epoch, one decimal. */
  static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.1f", nanos / 1e9);
  }

  /**
   * Numbered edge lines: {@code [i] from --label--> to[state]}. The source is printed without its
   * state (it was printed as the previous line's target), the target with it.
   */
  static List<String> numbered(WaitGraph g, List<Edge> edges) {
    int srcWidth = 0;
    int labelWidth = 0;
    for (Edge e : edges) {
      srcWidth = Math.max(srcWidth, e.from().name().length());
      labelWidth = Math.max(labelWidth, arrow(e).length());
    }
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < edges.size(); i++) {
      Edge e = edges.get(i);
      lines.add("  " + pad("[" + (i + 1) + "]", 4) + pad(e.from().name(), srcWidth + 2) + pad(arrow(e), labelWidth + 2)
          + g.withState(e.to()));
    }
    return lines;
  }

  static String arrow(Edge e) {
    return "--" + e.label() + "-->";
  }

  /** {@code from --label--> to}, both without state: the collateral and short forms. */
  static String inline(Edge e) {
    return e.from().name() + " " + arrow(e) + " " + e.to().name();
  }

  private static String pad(String s, int width) {
    StringBuilder b = new StringBuilder(s);
    while (b.length() < width) {
      b.append(' ');
    }
    return b.toString();
  }

  /** The members a set of vertices lives on, sorted; cluster-wide vertices count for none. */
  static Set<String> members(Set<Vertex> vs) {
    Set<String> m = new TreeSet<>();
    for (Vertex v : vs) {
      v.member().ifPresent(m::add);
    }
    return m;
  }

  /** {@code at=n1}, {@code at=n1,n2}, or {@code at=cluster} when every vertex is cluster-wide. */
  static String at(Set<String> members) {
    return "at=" + (members.isEmpty() ? "cluster" : String.join(",", members));
  }

  /** How an OR node's providers are called in a hint, by the node's kind. */
  static String providerNoun(Vertex orNode, boolean plural) {
    String one = switch (orNode.kind()) {
      case "mem" -> "reclaim source";
      case "bdi" -> "writeback completer";
      case "mempool" -> "element holder";
      case "wq" -> "worker";
      case "fence" -> "fence agent";
      default -> orNode.kind().endsWith("-pool") ? "worker" : "provider";
    };
    return plural ? one + "s" : one;
  }
}
