package org.jdlm.dlm.core;

/**
 * A fencing token (style rule 9): {@code generation} comes from the persistent fencing
 * authority and only grows across failures and remastering; {@code counter} is kept per
 * resource by its master. Ordered by generation, then counter. A storage gateway rejects a
 * write whose token is older than the newest it has seen.
 *
 * @param generation the authority's generation in force when the token was issued
 * @param counter    the resource's grant counter
 */
public record FencingToken(long generation, long counter) implements Comparable<FencingToken> {

  public FencingToken {
    if (generation < 0 || counter < 0) {
      throw new IllegalArgumentException(
          "fencing token (" + generation + ", " + counter + ") has a negative part");
    }
  }

  @Override
  public int compareTo(FencingToken other) {
    int byGeneration = Long.compare(generation, other.generation);
    return byGeneration != 0 ? byGeneration : Long.compare(counter, other.counter);
  }

  /** True if this token is strictly newer than {@code other} ({@code null} = none yet). */
  public boolean isNewerThan(FencingToken other) {
    return other == null || compareTo(other) > 0;
  }

  @Override
  public String toString() {
    return generation + "/" + counter;
  }
}
