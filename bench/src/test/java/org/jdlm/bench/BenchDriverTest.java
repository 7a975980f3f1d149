package org.jdlm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.jdlm.dlm.api.LockHandle;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.dlm.testkit.InprocCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bench driver on an in-process two-member cluster: short runs, checked for what they count. */
class BenchDriverTest {

  private static final Duration STOP = Duration.ofSeconds(20);
  private static InprocCluster cluster;
  private static List<String> nodes;

  @BeforeAll
  static void start() {
    cluster = InprocCluster.start(2, "bench", LockspaceSettings.defaults(), ConfigFactory.empty());
    nodes = List.of("n1", "n2");
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static BenchDriver.Spec spec(BenchWorkload w, String run, String self, int clients, String target) {
    return new BenchDriver.Spec(w, run, self, nodes, clients, Duration.ofMillis(200), Duration.ofMillis(700), 0.5,
        16, target);
  }

  @Test
  void localRunCountsPairsAndRecordsOneLatencyPerGrant() throws Exception {
    BenchResult r = BenchDriver.run(cluster.lockspace(0), spec(BenchWorkload.LOCAL, "t1", "n1", 4, null), STOP);
    assertThat(r.errors()).as(r.firstError()).isZero();
    assertThat(r.pairs()).isPositive();
    // At each edge of the window a client's grant and its unlock may fall on different sides, so
    // grants recorded and pairs counted differ by at most one per client.
    assertThat(r.acquire().getTotalCount()).isBetween(r.pairs() - 4, r.pairs() + 4);
    assertThat(r.seconds()).isGreaterThanOrEqualTo(0.7);
  }

  @Test
  void handoffBetweenTwoMembersCountsGrantsFromTheOtherMember() throws Exception {
    LockspaceHandle n1 = cluster.lockspace(0);
    List<LockHandle> held = BenchDriver.hold(n1, List.of(BenchDriver.handoffName("t2")), STOP);
    try {
      var other = java.util.concurrent.CompletableFuture.supplyAsync(() -> run(cluster.lockspace(1),
          spec(BenchWorkload.HANDOFF, "t2", "n2", 1, null)));
      BenchResult mine = BenchDriver.run(n1, spec(BenchWorkload.HANDOFF, "t2", "n1", 1, null), STOP);
      BenchResult theirs = other.get();
      assertThat(mine.errors() + theirs.errors()).as(mine.firstError() + theirs.firstError()).isZero();
      assertThat(mine.handoffs() + theirs.handoffs()).isPositive();
      // a hand-off is a grant, and every grant but one per member can be one
      assertThat(mine.handoffs()).isLessThanOrEqualTo(mine.acquire().getTotalCount());
    } finally {
      BenchDriver.release(held, STOP);
    }
  }

  @Test
  void remoteRunUsesTheTargetsPool() throws Exception {
    List<String> names = IntStream.range(0, 2).mapToObj(i -> BenchDriver.poolName("t3", "n2", i)).toList();
    List<LockHandle> held = BenchDriver.hold(cluster.lockspace(1), names, STOP);
    try {
      BenchResult r = BenchDriver.run(cluster.lockspace(0), spec(BenchWorkload.REMOTE, "t3", "n1", 2, "n2"), STOP);
      assertThat(r.errors()).as(r.firstError()).isZero();
      assertThat(r.pairs()).isPositive();
    } finally {
      BenchDriver.release(held, STOP);
    }
  }

  private static BenchResult run(LockspaceHandle ls, BenchDriver.Spec spec) {
    try {
      return BenchDriver.run(ls, spec, STOP);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
