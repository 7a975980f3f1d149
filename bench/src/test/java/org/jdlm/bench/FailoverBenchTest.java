package org.jdlm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FailoverBenchTest {

  @Test
  void medianOfAnOddCountIsTheMiddleSample() {
    assertThat(FailoverBench.median(List.of(7000L, 3000L, 5000L, 9000L, 4000L))).isEqualTo(5000L);
  }

  @Test
  void medianOfAnEvenCountIsTheLowerMiddleSoItIsAMeasuredValue() {
    assertThat(FailoverBench.median(List.of(4L, 1L, 3L, 2L))).isEqualTo(2L);
  }

  @Test
  void medianOfNoSamplesIsAnError() {
    assertThatThrownBy(() -> FailoverBench.median(List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theFailuresFinishedLineIsFoundForItsLockspaceOnlyNotAJoinsLine(@TempDir Path tmp) throws Exception {
    Path log = tmp.resolve("n1.log");
    Files.write(log, List.of(
        "07:41:01 INFO  Lockspace - lockspace failover-kill-1: recovery 2 finished: detection 10 ms, MEMBERS 1 ms, REMASTER 1 ms",
        "07:41:09 INFO  Lockspace - lockspace failover-kill-10: recovery 9 finished: detection 30 ms, MEMBERS 3 ms, REMASTER 3 ms",
        "07:41:05 INFO  Lockspace - lockspace failover-kill-1: recovery 4 finished: detection 20 ms, MEMBERS 2 ms, REMASTER 2 ms",
        "07:41:06 INFO  Lockspace - lockspace failover-kill-1: recovery 5 finished: detection 0 ms, MEMBERS 2 ms, DIRECTORY 1 ms"));
    assertThat(FailoverBench.findFinished(log, "failover-kill-1"))
        .contains("recovery 4 finished: detection 20 ms, MEMBERS 2 ms, REMASTER 2 ms");
    assertThat(FailoverBench.findFinished(log, "failover-kill-2")).isEmpty();
    assertThat(FailoverBench.findFinished(tmp.resolve("missing.log"), "failover-kill-1")).isEmpty();
  }
}
