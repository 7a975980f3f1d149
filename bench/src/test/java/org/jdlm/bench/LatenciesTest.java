package org.jdlm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatenciesTest {

  @Test
  void percentilesAreWithinAThousandthOfTheExactOnes() {
    SplittableRandom random = new SplittableRandom(7);
    Histogram h = Latencies.histogram();
    List<Long> values = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      long v = 1_000 + random.nextLong(50_000_000);
      values.add(v);
      h.recordValue(v);
    }
    Collections.sort(values);
    for (double p : new double[] {50, 99, 99.9}) {
      long exact = values.get((int) Math.ceil(p / 100 * values.size()) - 1);
      assertThat((double) Latencies.percentile(h, p)).as("p%s", p).isCloseTo(exact, within(exact * 0.001 + 1));
    }
  }

  @Test
  void anEmptyHistogramReportsZeroAndBadPercentilesAreRefused() {
    assertThat(Latencies.percentile(Latencies.histogram(), 99)).isZero();
    assertThatThrownBy(() -> Latencies.percentile(Latencies.histogram(), 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aMalformedTextIsRefusedNamingIt() {
    assertThatThrownBy(() -> Latencies.decode("12;x:1")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a latency histogram: '12;x:1'");
    assertThatThrownBy(() -> Latencies.decode("bm90aGluZw==")).isInstanceOf(IllegalArgumentException.class);
  }

  @Property(tries = 200)
  void mergingDecodedHistogramsEqualsRecordingIntoOne(@ForAll @LongRange(min = 0, max = 1L << 40) long a,
      @ForAll @LongRange(min = 0, max = 1L << 40) long b) {
    Histogram x = Latencies.histogram();
    Histogram y = Latencies.histogram();
    Histogram both = Latencies.histogram();
    x.recordValue(a);
    y.recordValue(b);
    both.recordValue(a);
    both.recordValue(b);
    Histogram merged = Latencies.decode(Latencies.encode(x));
    merged.add(Latencies.decode(Latencies.encode(y)));
    assertThat(merged.getTotalCount()).isEqualTo(2);
    assertThat(Latencies.percentile(merged, 50)).isEqualTo(Latencies.percentile(both, 50));
    assertThat(merged.getMaxValue()).isEqualTo(both.getMaxValue());
  }
}
