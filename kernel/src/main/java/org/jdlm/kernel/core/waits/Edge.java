package org.jdlm.kernel.core.waits;

import java.util.Comparator;
import java.util.Objects;
import org.jdlm.kernel.core.EdgeKind;

/**
 * A directed "needs" edge: {@code from} cannot make progress until {@code to} does (with the AND/OR
 * of {@code from}). Printed {@code --kind(argument) note-->}: the argument as §5.0 spells it
 * ({@code EX}, {@code 4KiB,GFP_NOFS}, {@code lkb 0001004c}), the note a free remark
 * ({@code (fault on H@b1+0x3000)}, {@code [lock blocked: downconvert in progress]}).
 */
public record Edge(Vertex from, Vertex to, EdgeKind kind, String argument, String note) {
  /** Printing and cycle order: by source, target, then label, so reports do not depend on feeding order. */
  public static final Comparator<Edge> ORDER = Comparator.comparing(Edge::from).thenComparing(Edge::to)
      .thenComparing(Edge::label);

  public Edge {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(kind, "kind");
    argument = argument == null ? "" : argument;
    note = note == null ? "" : note;
  }

  public static Edge of(Vertex from, EdgeKind kind, String argument, Vertex to) {
    return new Edge(from, to, kind, argument, "");
  }

  /** {@code waits-glock(EX) (fault on H@b1+0x3000)}. */
  public String label() {
    return kind.label() + (argument.isEmpty() ? "" : "(" + argument + ")") + (note.isEmpty() ? "" : " " + note);
  }

  @Override
  public String toString() {
    return from + " --" + label() + "--> " + to;
  }
}
