package org.jdlm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class BenchResultTest {

  @Test
  void theTextFormCarriesEveryField() {
    Histogram h = Latencies.histogram();
    h.recordValue(90_000);
    h.recordValue(120_000);
    BenchResult r = new BenchResult("mixed", "127.0.0.1:2552", 64, 10.0, 2_000_000, 3, 1, "client 2: boom\nline", h);
    BenchResult back = BenchResult.decode(r.encode());
    assertThat(back.workload()).isEqualTo("mixed");
    assertThat(back.node()).isEqualTo("127.0.0.1:2552");
    assertThat(back.pairsPerSecond()).isEqualTo(200_000.0);
    assertThat(back.handoffs()).isEqualTo(3);
    assertThat(back.errors()).isEqualTo(1);
    assertThat(back.firstError()).isEqualTo("client 2: boom line");
    assertThat(back.acquire()).isEqualTo(h);
  }

  @Test
  void aReplyWithoutTheFieldsIsRefused() {
    assertThatThrownBy(() -> BenchResult.decode("no handler for /bench/run"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without 'workload'");
  }

  @Test
  void targetsAreJudgedOnRateAndForRemoteOnP50() {
    assertThat(BenchWorkload.LOCAL.met(200_000, 5_000_000)).isTrue();
    assertThat(BenchWorkload.LOCAL.met(199_999, 1)).isFalse();
    assertThat(BenchWorkload.REMOTE.met(4_000, 150_000)).isTrue();
    assertThat(BenchWorkload.REMOTE.met(4_000, 150_001)).isFalse();
    assertThat(BenchWorkload.HANDOFF.met(5_000, 0)).isTrue();
  }
}
