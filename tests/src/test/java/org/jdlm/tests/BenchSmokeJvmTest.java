package org.jdlm.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code dlm bench} end to end on one real member JVM: it starts the member, the member's bench
 * driver runs the local workload, a table row comes back, and the member is stopped again.
 */
@Tag("jvm")
class BenchSmokeJvmTest {

  @RegisterExtension
  final LabProcesses lab = new LabProcesses();

  @Test
  void localWorkloadOnOneMemberPrintsARowAndStopsTheMember() {
    CliRun run = CliRun.of("bench", "--nodes", "1", "--workload", "local", "--duration", "2s", "--warmup", "1s");
    assertThat(run.exit()).as("exit; stdout:%n%s%nstderr:%n%s", run.out(), run.err()).isZero();
    assertThat(run.out()).contains("WORKLOAD", "TARGET");
    assertThat(run.out().lines().filter(l -> l.startsWith("local ")))
        .singleElement()
        .satisfies(row -> assertThat(row).containsPattern("local +1 +64 +[0-9,]+ +[0-9.]+(us|ms) ")
            .containsPattern("(PASS|MISS)"));
    assertThat(LabProcesses.liveMembers()).as("members left running").isEmpty();
    Matcher started = Pattern.compile("starting 1 member\\(s\\) in (\\S+) ").matcher(run.out());
    assertThat(started.find()).as("the run directory is named").isTrue();
    assertThat(Path.of(started.group(1))).as("temporary run directory removed after a good run").doesNotExist();
  }
}
