package org.jdlm.bench;

import java.util.Arrays;

/**
 * A fixed-size log-linear histogram of latencies in nanoseconds, in the manner of HdrHistogram
 * (which the project does not depend on): values below 256 are counted exactly; above, every
 * power-of-two range is split into 128 equal sub-buckets, so a reported value is at most 1/128
 * (0.8 %) above the true one. Values above {@link #MAX_VALUE} (about 18 minutes) count as it.
 *
 * <p>Not thread-safe: each bench client records into its own histogram and the results are
 * {@link #add merged} after the clients stopped. The sparse text form ({@link #encode} /
 * {@link #decode}) carries a node's histogram to the {@code dlm bench} command, which merges the
 * members' histograms before taking percentiles (percentiles cannot be averaged).
 */
public final class LatencyHistogram {

  /** log2 of the sub-buckets per power of two: 128 gives 0.8 % resolution. */
  private static final int SUB_BITS = 7;
  /** Largest value recorded as itself: 2^40 ns, about 18 minutes. */
  public static final long MAX_VALUE = (1L << 40) - 1;
  private static final int BUCKETS = index(MAX_VALUE) + 1;

  private final long[] counts = new long[BUCKETS];
  private long total;
  private long max;

  /** Records one latency; negative values are a caller bug. */
  public void record(long nanos) {
    if (nanos < 0) {
      throw new IllegalArgumentException("a latency cannot be negative: " + nanos + " ns");
    }
    long v = Math.min(nanos, MAX_VALUE);
    counts[index(v)]++;
    total++;
    if (v > max) {
      max = v;
    }
  }

  /** Adds every count of {@code other} to this histogram. */
  public void add(LatencyHistogram other) {
    for (int i = 0; i < BUCKETS; i++) {
      counts[i] += other.counts[i];
    }
    total += other.total;
    max = Math.max(max, other.max);
  }

  /** Number of recorded values. */
  public long count() {
    return total;
  }

  /** The largest recorded value (0 when empty). */
  public long max() {
    return max;
  }

  /**
   * The value at percentile {@code p} (0 < p ≤ 100): the highest value equivalent to the bucket
   * holding the ⌈p·count/100⌉-th smallest value, never above the recorded maximum; 0 when empty.
   */
  public long percentile(double p) {
    if (!(p > 0 && p <= 100)) {
      throw new IllegalArgumentException("percentile must be in (0, 100], got " + p);
    }
    if (total == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(p / 100.0 * total));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return Math.min(highestEquivalent(i), max);
      }
    }
    return max;
  }

  /** Sparse text form: {@code max;index:count,index:count,...} (only non-empty buckets). */
  public String encode() {
    StringBuilder sb = new StringBuilder().append(max).append(';');
    boolean first = true;
    for (int i = 0; i < BUCKETS; i++) {
      if (counts[i] != 0) {
        sb.append(first ? "" : ",").append(i).append(':').append(counts[i]);
        first = false;
      }
    }
    return sb.toString();
  }

  /** Parses {@link #encode}'s form; a malformed text is an {@link IllegalArgumentException} naming it. */
  public static LatencyHistogram decode(String text) {
    LatencyHistogram h = new LatencyHistogram();
    try {
      int semi = text.indexOf(';');
      h.max = Long.parseLong(text.substring(0, semi));
      String body = text.substring(semi + 1);
      if (!body.isEmpty()) {
        for (String pair : body.split(",")) {
          int colon = pair.indexOf(':');
          int index = Integer.parseInt(pair.substring(0, colon));
          long count = Long.parseLong(pair.substring(colon + 1));
          if (index < 0 || index >= BUCKETS || count < 0) {
            throw new IllegalArgumentException("bucket " + pair + " out of range");
          }
          h.counts[index] += count;
          h.total += count;
        }
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a latency histogram: '" + abbreviate(text) + "' (" + e.getMessage() + ")");
    }
    return h;
  }

  static int index(long v) {
    // The bucket keeps the top SUB_BITS+1 bits of v: shift = max(0, msb(v) - SUB_BITS).
    int shift = Math.max(0, (63 - Long.numberOfLeadingZeros(v)) - SUB_BITS);
    return (shift << SUB_BITS) + (int) (v >>> shift);
  }

  /** The largest value that falls into bucket {@code index}. */
  static long highestEquivalent(int index) {
    int shift = Math.max(0, (index >>> SUB_BITS) - 1);
    long sub = index - ((long) shift << SUB_BITS);
    return ((sub + 1) << shift) - 1;
  }

  /** The smallest value that falls into bucket {@code index}. */
  static long lowestEquivalent(int index) {
    int shift = Math.max(0, (index >>> SUB_BITS) - 1);
    long sub = index - ((long) shift << SUB_BITS);
    return sub << shift;
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }

  @Override
  public String toString() {
    return "LatencyHistogram[count=" + total + " p50=" + percentile(50) + " p99=" + percentile(99) + " max=" + max
        + " buckets=" + Arrays.stream(counts).filter(c -> c != 0).count() + "]";
  }
}
