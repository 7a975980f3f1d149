package org.jdlm.scenario.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.dlm.testkit.InprocCluster;
import org.jdlm.scenario.chaos.core.CheckResult;
import org.jdlm.scenario.chaos.core.Checkers;
import org.jdlm.scenario.chaos.core.Event;
import org.jdlm.scenario.chaos.core.ExclusionChecker;
import org.jdlm.scenario.chaos.core.History;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The workloads on a real 3-member in-process DLM for a few seconds: every checker passes; with a
 * lock that grants twice, exclusion (and the register's count) fails.
 */
class WorkloadInprocTest {

  private static final Duration RUN = Duration.ofSeconds(3);
  private static final Duration OP_TIMEOUT = Duration.ofSeconds(10);
  private static final long LIVENESS_BOUND = Duration.ofSeconds(2).toNanos();

  private static InprocCluster cluster;

  @BeforeAll
  static void start() {
    cluster = InprocCluster.start(3, "chaos", LockspaceSettings.defaults(), ConfigFactory.empty());
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static List<LockspaceHandle> members() {
    return IntStream.range(0, 3).mapToObj(cluster::lockspace).toList();
  }

  @ParameterizedTest
  @EnumSource(Workload.class)
  void checkersPassOnTheRealDlm(Workload workload) throws Exception {
    History history = WorkloadRun.run(workload, members(), 2, RUN, OP_TIMEOUT, 7, Recorder.system(), new SharedDisk());
    List<CheckResult> results = Checkers.run(history, LIVENESS_BOUND);
    for (CheckResult result : results) {
      assertThat(result.violations()).as(result.checker()).isEmpty();
    }
    // A real history survives its JSON lines unchanged.
    java.io.StringWriter lines = new java.io.StringWriter();
    HistoryJson.write(history, lines);
    assertThat(HistoryJson.read(new java.io.StringReader(lines.toString()))).isEqualTo(history);
    long oks = history.ops().stream().filter(op -> op.type() == Event.Type.OK).count();
    assertThat(oks).as("operations completed").isGreaterThan(20);
    switch (workload) {
      case MUTEX -> assertThat(count(results, "fenced-register", "accepted-writes")).isGreaterThan(5);
      case LVB_COUNTER -> assertThat(count(results, "lvb-counter", "acknowledged-increments")).isGreaterThan(5);
      case RW -> assertThat(count(results, "rw-consistency", "reads")).isGreaterThan(5);
      default -> throw new IllegalStateException();
    }
  }

  @Test
  void aLockThatGrantsTwiceFailsExclusion() throws Exception {
    AtomicLong tokens = new AtomicLong();
    List<LockspaceHandle> broken = members().stream().map(m -> (LockspaceHandle) new GrantsTwice(m, tokens)).toList();
    History history = WorkloadRun.run(Workload.MUTEX, broken, 2, RUN, OP_TIMEOUT, 7, Recorder.system(),
        new SharedDisk());
    List<String> rules = new ExclusionChecker().check(history).rules();
    // Every other grant is fake, so overlaps are many, not a lucky one.
    assertThat(rules).contains("overlap");
    assertThat(rules.size()).as("overlaps found").isGreaterThan(10);
  }

  private static long count(List<CheckResult> results, String checker, String key) {
    return results.stream().filter(r -> r.checker().equals(checker)).findFirst().orElseThrow().counts().get(key);
  }
}
