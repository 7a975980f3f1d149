package org.jdlm.dlm;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jdlm.dlm.api.LockHandle;
import org.jdlm.dlm.api.LockResult;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.dlm.core.CastStatus;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.dump.LockspaceDump;
import org.jdlm.dlm.testkit.InprocCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Lockspace recovery on an in-process cluster whose members die abruptly (semantics §6, §4 value-block
 * recovery, §9 J): the dead member is fenced (here: removed from the cluster), its locks are purged,
 * resources it mastered are rebuilt on a survivor from the survivors' own copies, waiters are
 * granted, and nothing a survivor holds is lost or changed.
 */
class RecoveryTest {
  private static final int TIMEOUT_S = 30;
  private InprocCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private InprocCluster start() {
    cluster = InprocCluster.start(3, "rec", LockspaceSettings.defaults(),
        ConfigFactory.parseString("jdlm.dlm-actors.toss-delay = 60s"));
    return cluster;
  }

  private static LockResult await(LockHandle h) throws Exception {
    return h.completion().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
  }

  private static byte[] lvb(String text) {
    byte[] b = new byte[32];
    byte[] t = text.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(t, 0, b, 0, t.length);
    return b;
  }

  private static LockspaceDump.ResourceDump masterCopy(InprocCluster c, String resource) throws Exception {
    LockspaceDump.ResourceDump found = null;
    for (int i = 0; i < c.size(); i++) {
      if (!c.isAlive(i) || c.lockspace(i) == null) {
        continue;
      }
      for (LockspaceDump.ResourceDump r : c.lockspace(i).dump().toCompletableFuture().get(10, TimeUnit.SECONDS).resources()) {
        if (r.name().equals(resource)) {
          assertThat(found).as("two masters of " + resource).isNull();
          found = r;
        }
      }
    }
    return found;
  }

  private static void awaitRecovered(LockspaceHandle ls, long before) throws Exception {
    ClusterLockingTest.awaitCondition(() -> ls.recoveryState().recoveriesCompleted() > before
        && ls.recoveryState().running(), "recovery to finish on " + ls.nodeId());
  }

  @Test
  void deadHoldersLockIsPurgedAndItsWaiterGrantedOnlyAfterRecovery() throws Exception {
    InprocCluster c = start();
    LockspaceHandle n1 = c.lockspace(0);
    LockspaceHandle n2 = c.lockspace(1);
    LockspaceHandle n3 = c.lockspace(2);
    assertThat(await(n1.lock("R", LockMode.NL, Set.of(), null, null)).status()).isEqualTo(CastStatus.OK); // n1 masters R
    assertThat(await(n3.lock("R", LockMode.EX, Set.of(), null, null)).status()).isEqualTo(CastStatus.OK);
    List<String> stateAtGrant = new CopyOnWriteArrayList<>();
    LockHandle waiter = n2.lock("R".getBytes(StandardCharsets.UTF_8), LockMode.PR, Set.of(), null, null,
        (h, r) -> stateAtGrant.add(n2.recoveryState().state()));
    ClusterLockingTest.awaitCondition(() -> waiter.state().name().equals("WAITING"), "n2's PR to queue behind n3's EX");
    long before1 = n1.recoveryState().recoveriesCompleted();

    c.kill(2);

    LockResult granted = await(waiter);
    assertThat(granted.status()).isEqualTo(CastStatus.OK);
    assertThat(granted.grantedMode()).isEqualTo(LockMode.PR);
    // TV-53: the CAST is delivered only after recovery completed (callbacks are held while stopped).
    assertThat(stateAtGrant).singleElement().satisfies(s -> assertThat(s).startsWith("running"));
    awaitRecovered(n1, before1);
    assertThat(n1.recoveryState().fenced()).contains(c.nodeId(2).name());
    LockspaceDump.ResourceDump r = masterCopy(c, "R");
    assertThat(r.master()).isEqualTo(c.nodeId(0).name());
    assertThat(r.grant()).extracting(LockspaceDump.QueuedLock::owner).containsExactlyInAnyOrder(
        c.nodeId(0).name(), c.nodeId(1).name());
    assertThat(r.waiting()).isEmpty();
  }

  @Test
  void deadHoldersPersistentLockBecomesAnOrphanThatAnotherNodeAdoptsWithItsToken() throws Exception {
    InprocCluster c = start();
    LockspaceHandle n1 = c.lockspace(0);
    LockspaceHandle n2 = c.lockspace(1);
    LockspaceHandle n3 = c.lockspace(2);
    assertThat(await(n1.lock("R", LockMode.NL, Set.of(), null, null)).status()).isEqualTo(CastStatus.OK); // n1 masters R
    LockResult held = await(n3.lock("R", LockMode.EX, EnumSet.of(LockFlag.PERSISTENT), null, null));
    LockHandle waiter = n2.lock("R", LockMode.PR, Set.of(), null, null);
    ClusterLockingTest.awaitCondition(() -> waiter.state().name().equals("WAITING"), "n2's PR to queue behind n3's EX");
    // Each member counts its own recoveries (one may have run alone before the others joined).
    long before1 = n1.recoveryState().recoveriesCompleted();
    long before2 = n2.recoveryState().recoveriesCompleted();

    c.kill(2);
    awaitRecovered(n1, before1);
    awaitRecovered(n2, before2);
    // The orphan still holds EX on the surviving master and keeps the waiter waiting.
    LockspaceDump.ResourceDump r = masterCopy(c, "R");
    assertThat(r.grant()).anySatisfy(l -> {
      assertThat(l.owner()).startsWith(c.nodeId(2).name() + "~orphan@g");
      assertThat(l.granted()).isEqualTo("EX");
    });
    assertThat(waiter.state().name()).isEqualTo("WAITING");

    // Adoption is answered by the master: EAGAIN in another mode, OK in EX with the same token.
    assertThat(await(n2.lock("R", LockMode.PR, EnumSet.of(LockFlag.ORPHAN), null, null)).status())
        .isEqualTo(CastStatus.EAGAIN);
    List<LockMode> basts = new CopyOnWriteArrayList<>();
    LockHandle adopted = n1.lock("R", LockMode.EX, EnumSet.of(LockFlag.ORPHAN), null, (h, m) -> basts.add(m));
    LockResult adoption = await(adopted);
    assertThat(adoption.status()).isEqualTo(CastStatus.OK);
    assertThat(adoption.grantedMode()).isEqualTo(LockMode.EX);
    assertThat(adoption.token()).as("the adopter continues the dead holder's tenure").isEqualTo(held.token());
    ClusterLockingTest.awaitCondition(() -> basts.contains(LockMode.PR), "the adopter to hear of the waiter");
    assertThat(await(n2.lock("R", LockMode.EX, EnumSet.of(LockFlag.ORPHAN), null, null)).status())
        .isEqualTo(CastStatus.ENOENT);

    adopted.unlock(Set.of(), null).toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
    LockResult granted = await(waiter);
    assertThat(granted.status()).isEqualTo(CastStatus.OK);
    assertThat(granted.token().isNewerThan(held.token())).isTrue();
  }

  @Test
  void deadMastersResourceIsRebuiltFromTheSurvivorsWithLocksAndValueBlockIntact() throws Exception {
    InprocCluster c = start();
    LockspaceHandle n1 = c.lockspace(0);
    LockspaceHandle n2 = c.lockspace(1);
    LockspaceHandle n3 = c.lockspace(2);
    assertThat(await(n3.lock("R", LockMode.NL, Set.of(), null, null)).status()).isEqualTo(CastStatus.OK); // n3 masters R
    // n1 writes "XXXX" (EX, then down to PR with VALBLK), n2 reads it with PR VALBLK (TV-55).
    LockHandle l1 = n1.lock("R", LockMode.EX, EnumSet.of(LockFlag.VALBLK), lvb("XXXX"), (h, m) -> { });
    assertThat(await(l1).status()).isEqualTo(CastStatus.OK);
    assertThat(l1.convert(LockMode.PR, EnumSet.of(LockFlag.VALBLK), lvb("XXXX")).toCompletableFuture()
        .get(TIMEOUT_S, TimeUnit.SECONDS).status()).isEqualTo(CastStatus.OK);
    LockHandle l2 = n2.lock("R", LockMode.PR, EnumSet.of(LockFlag.VALBLK), new byte[32], (h, m) -> { });
    LockResult read = await(l2);
    assertThat(new String(read.lvb(), StandardCharsets.US_ASCII)).startsWith("XXXX");
    LockspaceDump.ResourceDump beforeDeath = masterCopy(c, "R");
    assertThat(beforeDeath.master()).isEqualTo(c.nodeId(2).name());
    // Each member counts its own recoveries (one may have run alone before the others joined).
    long before1 = n1.recoveryState().recoveriesCompleted();
    long before2 = n2.recoveryState().recoveriesCompleted();

    c.kill(2);
    awaitRecovered(n1, before1);
    awaitRecovered(n2, before2);

    // Exactly one survivor masters R, both PR locks are still granted, and the LVB is "XXXX" and valid.
    LockspaceDump.ResourceDump r = masterCopy(c, "R");
    assertThat(r).isNotNull();
    assertThat(r.master()).isIn(c.nodeId(0).name(), c.nodeId(1).name());
    assertThat(r.grant()).extracting(q -> q.owner() + ":" + q.granted())
        .containsExactlyInAnyOrder(c.nodeId(0).name() + ":PR", c.nodeId(1).name() + ":PR");
    assertThat(r.valNotValid()).isFalse();
    assertThat(l1.grantedMode()).isEqualTo(LockMode.PR);
    assertThat(l2.grantedMode()).isEqualTo(LockMode.PR);
    LockResult fresh = await(n1.lock("R", LockMode.PR, EnumSet.of(LockFlag.VALBLK), new byte[32], null));
    assertThat(new String(fresh.lvb(), StandardCharsets.US_ASCII)).startsWith("XXXX");
    assertThat(fresh.sbflags().valNotValid()).isFalse();
    // The rebuilt locks still block: an EX try-lock fails.
    assertThat(await(n2.lock("R", LockMode.EX, EnumSet.of(LockFlag.NOQUEUE), null, null)).status())
        .isEqualTo(CastStatus.EAGAIN);
    // Tokens issued after recovery outrank every token issued before it.
    assertThat(fresh.token()).isGreaterThan(read.token());
  }

  @Test
  void aRequestWaitingAtAMasterThatDiesIsGrantedNotFailed() throws Exception {
    InprocCluster c = start();
    LockspaceHandle n2 = c.lockspace(1);
    LockspaceHandle n3 = c.lockspace(2);
    assertThat(await(n3.lock("R", LockMode.EX, Set.of(), null, null)).status()).isEqualTo(CastStatus.OK); // n3 masters and holds R
    LockHandle waiter = n2.lock("R", LockMode.PR, Set.of(), null, null);
    ClusterLockingTest.awaitCondition(() -> waiter.state().name().equals("WAITING"), "n2's PR to queue at n3");

    c.kill(2);

    LockResult r = await(waiter);
    assertThat(r.status()).isEqualTo(CastStatus.OK);
    assertThat(r.grantedMode()).isEqualTo(LockMode.PR);
    LockspaceDump.ResourceDump rebuilt = masterCopy(c, "R");
    assertThat(rebuilt.grant()).extracting(LockspaceDump.QueuedLock::owner).containsExactly(c.nodeId(1).name());
  }

  @Test
  void deadExHolderWithValblkMarksTheValueBlockNotValidOnTheSurvivingMaster() throws Exception {
    InprocCluster c = start();
    LockspaceHandle n1 = c.lockspace(0);
    LockspaceHandle n3 = c.lockspace(2);
    assertThat(await(n1.lock("R", LockMode.NL, Set.of(), null, null)).status()).isEqualTo(CastStatus.OK); // n1 masters R
    LockHandle writer = n3.lock("R", LockMode.EX, EnumSet.of(LockFlag.VALBLK), lvb("AAAA"), null);
    assertThat(await(writer).status()).isEqualTo(CastStatus.OK);
    long before1 = n1.recoveryState().recoveriesCompleted();

    c.kill(2);
    awaitRecovered(n1, before1);

    // semantics §4: the master survived and the dead node held EX with VALBLK: the content is kept, but
    // VALNOTVALID is reported to the next reader.
    LockResult read = await(n1.lock("R", LockMode.PR, EnumSet.of(LockFlag.VALBLK), new byte[32], null));
    assertThat(read.status()).isEqualTo(CastStatus.OK);
    assertThat(read.sbflags().valNotValid()).isTrue();
  }

  @Test
  void locksOfSurvivorsOnOtherResourcesAreUntouchedAndCallsDuringRecoveryAreParkedNotFailed() throws Exception {
    InprocCluster c = start();
    LockspaceHandle n1 = c.lockspace(0);
    LockspaceHandle n2 = c.lockspace(1);
    LockHandle keep = n1.lock("KEEP", LockMode.EX, Set.of(), null, null);
    LockResult kept = await(keep);
    assertThat(await(c.lockspace(2).lock("GONE", LockMode.EX, Set.of(), null, null)).status()).isEqualTo(CastStatus.OK);
    long before2 = n2.recoveryState().recoveriesCompleted();

    c.kill(2);
    ClusterLockingTest.awaitCondition(() -> !n2.recoveryState().running(), "n2 to stop for the failure");
    // A call made while stopped is parked (it neither returns a result nor fails) ...
    LockHandle during = n2.lock("GONE", LockMode.EX, Set.of(), null, null);
    assertThat(during.completion().toCompletableFuture().isDone()).isFalse();
    // ... and is carried out after recovery: the dead node's EX is purged, so it is granted.
    assertThat(await(during).status()).isEqualTo(CastStatus.OK);
    awaitRecovered(n2, before2);
    assertThat(keep.grantedMode()).isEqualTo(LockMode.EX);
    assertThat(keep.state().name()).isEqualTo("GRANTED");
    assertThat(kept.token()).isNotNull();
  }
  /**
   * docs/recovery.md "Batches": with batches of 3 names or locks and one batch in flight per peer,
   * 41 resources of a dead master (both survivors hold locks on each, so both look names up and
   * resend locks to each other) are rebuilt whole: one master each, every lock on its queue, and a
   * survivor's waiters in their order although their locks span three batches.
   */
  @Test
  void remasteredResourcesTravelInSmallBatchesAndComeBackWholeAndInOrder() throws Exception {
    cluster = InprocCluster.start(3, "rec", LockspaceSettings.defaults(), ConfigFactory.parseString("""
        jdlm.dlm-actors.toss-delay = 60s
        jdlm.dlm-actors.recovery-batch-size = 3
        jdlm.dlm-actors.recovery-batches-in-flight = 1
        """));
    InprocCluster c = cluster;
    LockspaceHandle n1 = c.lockspace(0);
    LockspaceHandle n2 = c.lockspace(1);
    LockspaceHandle n3 = c.lockspace(2);
    int resources = 40;
    List<LockHandle> waiters = new java.util.ArrayList<>();
    for (int i = 0; i < resources; i++) {
      assertThat(await(n3.lock("R" + i, LockMode.NL, Set.of(), null, null)).status()).isEqualTo(CastStatus.OK);
      if (i % 2 == 0) {
        assertThat(await(n1.lock("R" + i, LockMode.PR, Set.of(), null, null)).status()).isEqualTo(CastStatus.OK);
        assertThat(await(n2.lock("R" + i, LockMode.PR, Set.of(), null, null)).status()).isEqualTo(CastStatus.OK);
      } else {
        assertThat(await(n1.lock("R" + i, LockMode.EX, Set.of(), null, null)).status()).isEqualTo(CastStatus.OK);
        waiters.add(n2.lock("R" + i, LockMode.PR, Set.of(), null, null));
      }
    }
    // BIG: n1's granted EX and six waiting PRs, seven locks of one resource: three batches of 3.
    assertThat(await(n3.lock("BIG", LockMode.NL, Set.of(), null, null)).status()).isEqualTo(CastStatus.OK);
    LockHandle bigHolder = n1.lock("BIG", LockMode.EX, Set.of(), null, null);
    assertThat(await(bigHolder).status()).isEqualTo(CastStatus.OK);
    List<Long> bigWaiters = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      LockHandle w = n1.lock("BIG", LockMode.PR, Set.of(), null, null);
      waiters.add(w);
      bigWaiters.add(w.id());
    }
    for (LockHandle w : waiters) {
      ClusterLockingTest.awaitCondition(() -> w.state().name().equals("WAITING"), "a waiter to queue at n3");
    }
    long before1 = n1.recoveryState().recoveriesCompleted();
    long before2 = n2.recoveryState().recoveriesCompleted();

    c.kill(2);
    awaitRecovered(n1, before1);
    awaitRecovered(n2, before2);

    java.util.Map<String, LockspaceDump.ResourceDump> rebuilt = new java.util.HashMap<>();
    for (LockspaceHandle survivor : List.of(n1, n2)) {
      for (LockspaceDump.ResourceDump r : survivor.dump().toCompletableFuture().get(10, TimeUnit.SECONDS).resources()) {
        assertThat(rebuilt.put(r.name(), r)).as("two masters of " + r.name()).isNull();
      }
    }
    assertThat(rebuilt.values()).extracting(LockspaceDump.ResourceDump::master).as("both survivors master some")
        .contains(c.nodeId(0).name(), c.nodeId(1).name());
    String n1Name = c.nodeId(0).name();
    String n2Name = c.nodeId(1).name();
    for (int i = 0; i < resources; i++) {
      LockspaceDump.ResourceDump r = rebuilt.get("R" + i);
      assertThat(r).as("R" + i + " rebuilt").isNotNull();
      if (i % 2 == 0) {
        assertThat(r.grant()).extracting(q -> q.owner() + ":" + q.granted())
            .containsExactlyInAnyOrder(n1Name + ":PR", n2Name + ":PR");
        assertThat(r.waiting()).isEmpty();
      } else {
        assertThat(r.grant()).extracting(q -> q.owner() + ":" + q.granted()).containsExactly(n1Name + ":EX");
        assertThat(r.waiting()).extracting(q -> q.owner() + ":" + q.requested()).containsExactly(n2Name + ":PR");
      }
    }
    LockspaceDump.ResourceDump big = rebuilt.get("BIG");
    assertThat(big.grant()).extracting(q -> q.owner() + ":" + q.granted()).containsExactly(n1Name + ":EX");
    assertThat(big.waiting()).extracting(LockspaceDump.QueuedLock::lockId).containsExactlyElementsOf(bigWaiters);
    // The rebuilt queues work: releasing BIG's EX grants the six waiting PRs.
    assertThat(bigHolder.unlock(Set.of(), null).toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS).status())
        .isEqualTo(CastStatus.EUNLOCK);
    for (LockHandle w : waiters.subList(waiters.size() - 6, waiters.size())) {
      assertThat(await(w).grantedMode()).isEqualTo(LockMode.PR);
    }
  }
}
