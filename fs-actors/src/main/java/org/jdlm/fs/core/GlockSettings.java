package org.jdlm.fs.core;


/**
 * Bounds and timings of one glock, from {@code jdlm.fs.glock} in {@code reference.conf} (each
 * setting is explained there). Times are milliseconds of the injected clock.
 */
public record GlockSettings(long defaultHoldMillis, long minHoldMillis, long holdIncrementMillis,
                            long holdDecrementMillis, long longWaitMillis, int maxHolders, int dumpHz) {

  public GlockSettings {
    if (minHoldMillis <= 0 || defaultHoldMillis < minHoldMillis) {
      throw new IllegalArgumentException("jdlm.fs.glock: need 0 < min-hold-time (" + minHoldMillis
          + " ms) <= hold-time (" + defaultHoldMillis + " ms)");
    }
    if (holdIncrementMillis < 0 || holdDecrementMillis < 0 || longWaitMillis <= 0) {
      throw new IllegalArgumentException("jdlm.fs.glock: hold-time steps must be >= 0 and long-wait > 0");
    }
    if (maxHolders < 1 || dumpHz < 1) {
      throw new IllegalArgumentException("jdlm.fs.glock: max-holders (" + maxHolders + ") and dump-hz ("
          + dumpHz + ") must be >= 1");
    }
  }

  /** GFS2's values at HZ=100: hold 200 ms (also the maximum), floor 10 jiffies, +50 / -25 ms, 1 s. */
  public static GlockSettings defaults() {
    return new GlockSettings(200, 100, 50, 25, 1000, 1024, 100);
  }
}
