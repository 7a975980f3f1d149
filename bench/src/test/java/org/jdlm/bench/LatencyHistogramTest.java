package org.jdlm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

  @Test
  void valuesBelow256AreExact() {
    LatencyHistogram h = new LatencyHistogram();
    for (long v = 1; v <= 200; v++) {
      h.record(v);
    }
    assertThat(h.percentile(50)).isEqualTo(100);
    assertThat(h.percentile(99)).isEqualTo(198);
    assertThat(h.percentile(100)).isEqualTo(200);
    assertThat(h.count()).isEqualTo(200);
  }

  @Test
  void percentilesOfAKnownDistributionAreWithinResolution() {
    LatencyHistogram h = new LatencyHistogram();
    long[] values = new Random(7).longs(100_000, 1_000, 50_000_000).toArray();
    Arrays.stream(values).forEach(h::record);
    Arrays.sort(values);
    for (double p : new double[] {50, 90, 99, 99.9}) {
      long exact = values[(int) Math.ceil(p / 100 * values.length) - 1];
      assertThat(h.percentile(p)).as("p%s", p).isBetween(exact, exact + exact / 128 + 1);
    }
  }

  @Test
  void emptyHistogramReportsZero() {
    assertThat(new LatencyHistogram().percentile(99)).isZero();
  }

  @Test
  void negativeLatencyAndBadPercentileAreRefused() {
    LatencyHistogram h = new LatencyHistogram();
    assertThatThrownBy(() -> h.record(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    assertThatThrownBy(() -> h.percentile(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> h.percentile(100.5)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void hugeValuesAreClampedToTheMaximum() {
    LatencyHistogram h = new LatencyHistogram();
    h.record(Long.MAX_VALUE);
    assertThat(h.max()).isEqualTo(LatencyHistogram.MAX_VALUE);
    assertThat(h.percentile(50)).isEqualTo(LatencyHistogram.MAX_VALUE);
  }

  @Test
  void malformedTextIsRefusedWithTheText() {
    assertThatThrownBy(() -> LatencyHistogram.decode("12;x:1")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("12;x:1");
    assertThatThrownBy(() -> LatencyHistogram.decode("nothing")).isInstanceOf(IllegalArgumentException.class);
  }

  @Property
  void everyValueFallsIntoABucketThatContainsIt(@ForAll @LongRange(min = 0, max = LatencyHistogram.MAX_VALUE) long v) {
    int i = LatencyHistogram.index(v);
    assertThat(LatencyHistogram.lowestEquivalent(i)).isLessThanOrEqualTo(v);
    assertThat(LatencyHistogram.highestEquivalent(i)).isGreaterThanOrEqualTo(v);
    // resolution: a bucket is at most 1/128 of its values wide
    assertThat(LatencyHistogram.highestEquivalent(i) - LatencyHistogram.lowestEquivalent(i))
        .isLessThanOrEqualTo(Math.max(0, v / 128));
  }

  @Property
  void encodeDecodeAndMergeKeepEveryCount(@ForAll @Size(max = 200) long[] a, @ForAll @Size(max = 200) long[] b) {
    LatencyHistogram x = new LatencyHistogram();
    LatencyHistogram y = new LatencyHistogram();
    LatencyHistogram both = new LatencyHistogram();
    for (long v : a) {
      x.record(Math.abs(v % 1_000_000_000L));
      both.record(Math.abs(v % 1_000_000_000L));
    }
    for (long v : b) {
      y.record(Math.abs(v % 1_000_000_000L));
      both.record(Math.abs(v % 1_000_000_000L));
    }
    LatencyHistogram merged = LatencyHistogram.decode(x.encode());
    merged.add(LatencyHistogram.decode(y.encode()));
    assertThat(merged.encode()).isEqualTo(both.encode());
    assertThat(merged.count()).isEqualTo(a.length + b.length);
  }
}
