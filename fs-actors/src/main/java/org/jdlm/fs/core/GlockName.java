package org.jdlm.fs.core;

/**
 * A glock's name, (type, number); printed as GFS2 prints it in {@code n:}: type in decimal, number
 * in hex ({@code 2/1c00}).
 */
public record GlockName(GlockType type, long number) implements Comparable<GlockName> {

  public GlockName {
    if (type == null) {
      throw new IllegalArgumentException("glock name needs a type");
    }
  }

  public static GlockName of(GlockType type, long number) {
    return new GlockName(type, number);
  }

  /**
   * The DLM resource name: type in hex right-aligned in 8 columns, number in hex right-aligned in
   * 16, space padded (24 bytes, {@code gdlm_lock}), so glock dumps and DLM dumps can be joined.
   */
  public String dlmResourceName() {
    return String.format("%8x%16x", type.number(), number);
  }

  /** Type, then number: the order the glock shrinker sorts by so disk I/O is roughly sequential. */
  @Override
  public int compareTo(GlockName o) {
    int c = Integer.compare(type.number(), o.type.number());
    return c != 0 ? c : Long.compareUnsigned(number, o.number);
  }

  @Override
  public String toString() {
    return type.number() + "/" + Long.toHexString(number);
  }
}
