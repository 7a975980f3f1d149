package org.jdlm.bench;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * The bench's latency histograms are HdrHistogram {@link Histogram}s of nanoseconds; this class is
 * the one place that fixes their precision and their text form between a member and the
 * {@code dlm bench} command, which merges the members' histograms before taking percentiles
 * (percentiles cannot be averaged).
 *
 * <p>Each bench client records into its own histogram (they are not thread-safe) and the driver
 * {@link Histogram#add adds} them after the clients stopped.
 */
public final class Latencies {
  /** Three significant digits: a reported percentile is within 0.1 % of the true value. */
  static final int SIGNIFICANT_DIGITS = 3;

  private Latencies() {}

  /** An empty histogram that grows to any value it records. */
  public static Histogram histogram() {
    return new Histogram(SIGNIFICANT_DIGITS);
  }

  /** The value at percentile {@code p} (0 &lt; p ≤ 100), in nanoseconds; 0 when empty. */
  public static long percentile(Histogram h, double p) {
    if (!(p > 0 && p <= 100)) {
      throw new IllegalArgumentException("percentile must be in (0, 100], got " + p);
    }
    // HdrHistogram reports the highest value equivalent to the bucket; never report above the max.
    return h.getTotalCount() == 0 ? 0 : Math.min(h.getValueAtPercentile(p), h.getMaxValue());
  }

  /** The text form: HdrHistogram's compressed encoding in Base64 (one line, no separators). */
  public static String encode(Histogram h) {
    ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int length = h.encodeIntoCompressedByteBuffer(buffer);
    return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
  }

  /** Parses {@link #encode}'s form; a malformed text is an {@link IllegalArgumentException} naming it. */
  public static Histogram decode(String text) {
    try {
      byte[] bytes = Base64.getDecoder().decode(text);
      return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0);
    } catch (DataFormatException | RuntimeException e) {
      throw new IllegalArgumentException("not a latency histogram: '" + abbreviate(text) + "' (" + e + ")");
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }
}
