package org.jdlm.fencing.core;

import java.util.Comparator;

/**
 * The fencing token a writer presents to the shared disk: the fencing authority's generation in
 * force when the lock was granted, and the master's per-resource counter (style rule 9).
 *
 * <p>This is deliberately a copy of the shape of {@code org.jdlm.dlm.core.FencingToken}, not that
 * class: {@code fencing} sits below {@code dlm-actors} in the module order and may not import it.
 * The code that holds a DLM token and writes to the disk (the filesystem layer) converts one into
 * the other field by field; both order the same way, generation first.
 */
public record WriteToken(long generation, long counter) implements Comparable<WriteToken> {

  private static final Comparator<WriteToken> ORDER =
      Comparator.comparingLong(WriteToken::generation).thenComparingLong(WriteToken::counter);

  public WriteToken {
    if (generation < 0 || counter < 0) {
      throw new IllegalArgumentException(
          "a fencing token is (generation >= 0, counter >= 0), got (" + generation + ", " + counter + ")");
    }
  }

  /** Whether this token was issued before {@code other} (a write carrying it is stale). */
  public boolean isOlderThan(WriteToken other) {
    return compareTo(other) < 0;
  }

  @Override
  public int compareTo(WriteToken other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return "(" + generation + "," + counter + ")";
  }
}
