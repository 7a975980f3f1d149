package org.jdlm.kernel.core;

/** Byte counts as the detector and dumps print them ({@code 128KiB}, {@code 4MiB}, {@code 100B}). */
public final class Sizes {
  private Sizes() {}

  public static String human(long bytes) {
    if (bytes >= 1L << 20 && bytes % (1L << 20) == 0) {
      return (bytes >> 20) + "MiB";
    }
    if (bytes >= 1024 && bytes % 1024 == 0) {
      return (bytes >> 10) + "KiB";
    }
    return bytes + "B";
  }
}
