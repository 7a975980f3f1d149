package org.jdlm.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dlm chaos --workload ...}: bad input is one line and exit 2, before anything starts. */
class ChaosCliBadInputTest {

  @TempDir
  Path tmp;

  @Test
  void unknownWorkloadFaultOrDurationIsRefused() {
    assertRefused("--workload nope", "unknown workload 'nope'", "chaos", "--workload", "nope");
    assertRefused("--faults", "unknown fault kind 'fire'", "chaos", "--workload", "mutex", "--faults", "kill,fire");
    assertRefused("--duration", "'soon' is not a duration", "chaos", "--workload", "mutex", "--duration", "soon");
    assertRefused("--max-faulty", "--max-faulty 3 is out of range (0..2)", "chaos", "--workload", "mutex", "--nodes",
        "3", "--max-faulty", "3");
  }

  @Test
  void scheduleOptionsNeedWorkloadAndABadScheduleNamesItsLine() throws Exception {
    assertRefused("--duration without --workload", "--duration needs --workload", "chaos", "--duration", "10s");
    Path bad = tmp.resolve("bad.txt");
    Files.writeString(bad, "# chaos schedule seed=1 members=3 duration=10000ms max-faulty=1 fd-bound=4000ms"
        + " mean-gap=2000ms kinds=kill\nfault 1 at=1000ms for=1000ms kill n7\n", StandardCharsets.UTF_8);
    assertRefused("a target outside n1..n3", "fault 1 targets 'n7', not one of n1..n3", "chaos", "--workload", "mutex", "--schedule",
        bad.toString());
    assertRefused("--seed with --schedule", "--seed and --schedule", "chaos", "--workload", "mutex", "--schedule",
        bad.toString(), "--seed", "3");
  }

  private static void assertRefused(String what, String message, String... args) {
    CliRun run = CliRun.of(args);
    assertThat(run.exit()).as(what + ": " + run.out() + run.err()).isEqualTo(2);
    assertThat(run.err()).as(what).contains(message);
    assertThat(run.errLines()).as(what).hasSize(1);
  }
}
