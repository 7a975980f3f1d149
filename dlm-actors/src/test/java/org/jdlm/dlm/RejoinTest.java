package org.jdlm.dlm;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.jdlm.dlm.api.FencingPort;
import org.jdlm.dlm.api.LockHandle;
import org.jdlm.dlm.api.LockResult;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.dlm.core.CastStatus;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.testkit.InprocCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A member killed and restarted at once, at its own address (a new incarnation of the same node),
 * whose new incarnation joins while the survivors' recovery of the old one has not finished
 * (issue #4). Spec §6.3 step 4: a node that left and rejoined counts as removed, so the run for the
 * union view must still purge, fence and remaster the old incarnation. Fencing is held until the
 * new incarnation's join has reached the survivors, so the race happens in every round instead of
 * by chance.
 */
class RejoinTest {
  private static final int TIMEOUT_S = 30;
  private InprocCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Fencing that confirms only once the test opens its gate; remembers every incarnation it was asked to fence. */
  static final class GatedFencing implements FencingPort {
    private volatile CompletableFuture<Long> gate = CompletableFuture.completedFuture(0L);
    private final List<Long> asked = new CopyOnWriteArrayList<>();
    private final AtomicLong generation = new AtomicLong();

    void hold() {
      gate = new CompletableFuture<>();
    }

    void release() {
      gate.complete(0L);
    }

    List<Long> asked() {
      return List.copyOf(asked);
    }

    @Override
    public CompletionStage<Long> fence(String node, String address, long incarnation) {
      asked.add(incarnation);
      return gate.thenApply(g -> g);
    }

    @Override
    public CompletionStage<Long> advanceGeneration(long atLeast, String reason) {
      // One authority for the whole in-process cluster, as the lab's persistent one.
      return CompletableFuture.completedFuture(generation.updateAndGet(g -> Math.max(g + 1, atLeast)));
    }
  }

  private static LockResult await(LockHandle h) throws Exception {
    return h.completion().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
  }

  private static long incarnation(ActorSystem<?> system) {
    return Cluster.get(system).selfMember().uniqueAddress().longUid();
  }

  /** The members this node's lockspace is stopped or running with right now (its dump's view). */
  private static int viewSize(LockspaceHandle ls) throws Exception {
    return ls.dump().toCompletableFuture().get(10, TimeUnit.SECONDS).members().size();
  }

  @Test
  void aMemberRestartedAtItsAddressBeforeItsOldIncarnationWasRecoveredRejoinsAndTheOldLocksArePurged()
      throws Exception {
    GatedFencing fencing = new GatedFencing();
    // A new incarnation's first join attempt only gets its old incarnation removed; it is admitted
    // on the retry, after 10 s by default: retry sooner to keep three rounds short.
    cluster = InprocCluster.start(3, "rejoin", LockspaceSettings.defaults(), ConfigFactory.parseString(
        "jdlm.dlm-actors.toss-delay = 60s\npekko.cluster.retry-unsuccessful-join-after = 1s"));
    for (int i = 0; i < 3; i++) {
      Dlm.get(cluster.system(i)).useFencing(fencing);
    }
    LockspaceHandle n1 = cluster.lockspace(0);
    LockspaceHandle n2 = cluster.lockspace(1);
    for (int round = 1; round <= 3; round++) {
      String held = "R" + round;
      LockspaceHandle n3 = cluster.lockspace(2);
      assertThat(await(n3.lock(held, LockMode.EX, Set.of(), null, null)).status()).isEqualTo(CastStatus.OK);
      LockHandle waiter = n1.lock(held, LockMode.PR, Set.of(), null, null);
      ClusterLockingTest.awaitCondition(() -> waiter.state().name().equals("WAITING"),
          "n1's PR to queue behind n3's EX (round " + round + ")");
      long dead = incarnation(cluster.system(2));

      fencing.hold();
      cluster.kill(2);
      ActorSystem<Void> fresh = cluster.restartAtSameAddress(2);
      Dlm.get(fresh).useFencing(fencing);
      long restarted = incarnation(fresh);
      CompletableFuture<LockspaceHandle> rejoin = cluster.joinLockspace(2);

      // The race, forced: recovery of the dead incarnation waits for its fence while the new
      // incarnation's join reaches both survivors (their views hold three members again).
      int r = round;
      ClusterLockingTest.awaitCondition(() -> fencing.asked().contains(dead),
          "fencing of the dead incarnation to be requested (round " + r + ")");
      ClusterLockingTest.awaitCondition(() -> viewSize(n1) == 3 && viewSize(n2) == 3,
          "both survivors to see the restarted incarnation while fencing is held (round " + r + ")");
      assertThat(rejoin).as("nothing runs before the dead incarnation is fenced").isNotDone();
      assertThat(waiter.state().name()).isEqualTo("WAITING");

      fencing.release();
      LockspaceHandle n3again = rejoin.get(TIMEOUT_S, TimeUnit.SECONDS);

      // The old incarnation's EX was purged although its node is a member again: the waiter is granted.
      assertThat(await(waiter).status()).isEqualTo(CastStatus.OK);
      // Every member runs with the new incarnation, under one generation.
      ClusterLockingTest.awaitCondition(() -> n1.recoveryState().running() && n2.recoveryState().running()
              && n3again.recoveryState().running()
              && n1.members().size() == 3 && n2.members().size() == 3 && n3again.members().size() == 3,
          "all three members to run with the restarted one (round " + r + ")");
      assertThat(n1.members()).contains(cluster.nodeId(2));
      assertThat(List.of(n2.recoveryState().generation(), n3again.recoveryState().generation()))
          .containsOnly(n1.recoveryState().generation());
      // Fencing named the dead incarnation only, never the one that replaced it.
      assertThat(fencing.asked()).contains(dead).doesNotContain(restarted);

      // Locks work with the new incarnation, in both directions.
      String fresh1 = "S" + round;
      assertThat(await(n3again.lock(fresh1, LockMode.EX, Set.of(), null, null)).status()).isEqualTo(CastStatus.OK);
      assertThat(await(n1.lock(fresh1, LockMode.PR, EnumSet.of(LockFlag.NOQUEUE), null, null)).status())
          .isEqualTo(CastStatus.EAGAIN);
      assertThat(await(n3again.lock(held, LockMode.PR, Set.of(), null, null)).status()).isEqualTo(CastStatus.OK);
    }
  }
}
