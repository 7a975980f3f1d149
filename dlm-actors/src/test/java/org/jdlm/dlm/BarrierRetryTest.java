package org.jdlm.dlm;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.remote.RARP;
import org.apache.pekko.remote.transport.ThrottlerTransportAdapter;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.dlm.dump.LockspaceDump;
import org.jdlm.dlm.testkit.InprocCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The membership barrier survives a lost {@code StopAck} (docs/recovery.md §2, "Asking again at the
 * barrier"). Pekko delivers at most once; here Artery's test mode drops everything one member sends
 * to the coordinator while a third node joins, so that member's StopAck (and its repeats, answering
 * the coordinator's first Hello) never arrive. Once the link is back, the coordinator's periodic
 * Hello to the members it lacks must bring the StopAck in and the join must complete; without the
 * retry nothing would ever send it again.
 */
class BarrierRetryTest {

  private InprocCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static LockspaceDump dump(LockspaceHandle ls) throws Exception {
    return ls.dump().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Artery test mode: drop (or pass again) everything node {@code from} sends to node {@code to}. */
  private void setLink(int from, int to, boolean open) throws Exception {
    Address target = Cluster.get(cluster.system(to)).selfMember().address();
    Object mode = scalaObject("org.apache.pekko.remote.transport.ThrottlerTransportAdapter$"
        + (open ? "Unthrottled$" : "Blackhole$"));
    Object send = scalaObject("org.apache.pekko.remote.transport.ThrottlerTransportAdapter$Direction$Send$");
    Object command = new ThrottlerTransportAdapter.SetThrottle(target,
        (ThrottlerTransportAdapter.Direction) send, (ThrottlerTransportAdapter.ThrottleMode) mode);
    RARP rarp = (RARP) RARP.get(Adapter.toClassic(cluster.system(from)));
    scala.concurrent.Await.result(rarp.provider().transport().managementCommand(command),
        scala.concurrent.duration.Duration.create(5, TimeUnit.SECONDS));
  }

  /** A Scala {@code object} (its {@code MODULE$}); Java cannot name nested ones directly. */
  private static Object scalaObject(String className) throws Exception {
    return Class.forName(className).getField("MODULE$").get(null);
  }

  @Test
  void aStopAckLostOnTheWayToTheCoordinatorIsAskedForAgain() throws Exception {
    cluster = InprocCluster.start(3, "br", LockspaceSettings.defaults(), ConfigFactory.parseString("""
        pekko.remote.artery.advanced.test-mode = on
        jdlm.dlm-actors.barrier-retry-interval = 300ms
        """), 2);
    // The coordinator of the three-member view is its lowest member (Lockspace.memberOrder).
    int coordinator = IntStream.range(0, 3).boxed()
        .min(Comparator.comparing(i -> cluster.nodeId(i).name())).orElseThrow();
    int sender = coordinator == 0 ? 1 : 0; // a member of the running lockspace, not the coordinator
    LockspaceHandle senderLs = cluster.lockspace(sender);
    long before = senderLs.generation();

    setLink(sender, coordinator, false);
    CompletableFuture<LockspaceHandle> joining = cluster.joinLockspace(2);
    // Both have stopped for the three-member view: the sender's StopAck went into the void. (A
    // coordinator that is the joiner itself has no handle before its join completes.)
    List<Integer> watched = coordinator == 2 ? List.of(sender) : List.of(sender, coordinator);
    for (int i : watched) {
      LockspaceHandle ls = cluster.lockspace(i);
      ClusterLockingTest.awaitCondition(() -> {
        LockspaceDump d = dump(ls);
        return d.members().size() == 3 && !d.state().startsWith("running");
      }, "node " + i + " stopped for the three-member view");
    }
    setLink(sender, coordinator, true);

    LockspaceHandle joiner = joining.get(30, TimeUnit.SECONDS);
    ClusterLockingTest.awaitCondition(() -> senderLs.members().size() == 3 && senderLs.recoveryState().running(),
        "the sender to run with three members");
    assertThat(senderLs.generation()).isGreaterThan(before);
    assertThat(joiner.members()).hasSize(3);
  }
}
