package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jdlm.dlm.core.LockFlag.FORCEUNLOCK;
import static org.jdlm.dlm.core.LockFlag.PERSISTENT;
import static org.jdlm.dlm.core.LockFlag.VALBLK;
import static org.jdlm.dlm.core.LockMode.CR;
import static org.jdlm.dlm.core.LockMode.EX;
import static org.jdlm.dlm.core.LockMode.NL;
import static org.jdlm.dlm.core.LockMode.PR;
import static org.jdlm.dlm.core.LockMode.PW;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The owner's state machine, overlaps, delivery and orphans, wired to masters (semantics §2.6, TV-61). */
class OwnerLocksTest {

  private final MiniCluster cluster = new MiniCluster();
  private final OwnerLocks n1 = cluster.node("n1");
  private final OwnerLocks n2 = cluster.node("n2");

  private static Set<LockFlag> f(LockFlag... flags) {
    return Rsb.flags(flags);
  }

  private LockId lock(OwnerLocks node, String resource, LockMode mode, LockFlag... flags) {
    OwnerResult r = cluster.submit(node.lock(resource, mode, f(flags), null, true, 1));
    assertThat(r.status()).as("lock %s %s", resource, mode).isEqualTo(SyncStatus.OK);
    return MiniCluster.id(r);
  }

  @Test
  void grantedRequestDeliversItsCastAndEndsGranted() {
    LockId l1 = lock(n1, "R", PR);
    assertThat(n1.state(l1)).contains(OwnerLockState.GRANTED);
    assertThat(cluster.events(l1)).containsExactly("cast OK PR");
    assertThat(n1.view(l1).orElseThrow().token()).isNotNull();
  }

  @Test
  void queuedRequestWaitsThenIsGrantedWithItsCastBeforeALaterBast() {
    LockId l1 = lock(n1, "R", EX);
    LockId l2 = lock(n2, "R", EX);
    LockId l3 = lock(n2, "R", PR);
    assertThat(n2.state(l2)).contains(OwnerLockState.WAITING);
    cluster.submit(n1.unlock(l1, f(), null));
    assertThat(cluster.events(l1)).containsExactly("cast OK EX", "bast EX", "cast EUNLOCK IV");
    assertThat(cluster.events(l2)).containsExactly("cast OK EX", "bast PR"); // TV-03 order
    assertThat(n2.state(l3)).contains(OwnerLockState.WAITING);
    assertThat(n1.state(l1)).contains(OwnerLockState.DESTROYED);
  }

  @Test
  void requestInFlightThenReplyMovesThroughRequesting() {
    cluster.hold();
    LockId l1 = MiniCluster.id(cluster.submit(n1.lock("R", PR, f(), null, true, 1)));
    assertThat(n1.state(l1)).contains(OwnerLockState.REQUESTING);
    cluster.release();
    assertThat(n1.state(l1)).contains(OwnerLockState.GRANTED);
  }

  @Test
  void cancelOverlappingARequestIsSentWhenTheReplySaysQueued() {
    lock(n1, "R", EX);
    cluster.hold();
    LockId l2 = MiniCluster.id(cluster.submit(n2.lock("R", PR, f(), null, true, 2)));
    OwnerResult cancel = n2.cancel(l2);
    assertThat(cancel.status()).isEqualTo(SyncStatus.OK);
    assertThat(((OwnerResult.Accepted) cancel).send()).isEmpty(); // remembered, not sent
    cluster.release();
    assertThat(cluster.events(l2)).containsExactly("cast ECANCEL IV");
    assertThat(n2.state(l2)).contains(OwnerLockState.DESTROYED);
  }

  @Test
  void cancelOverlappingARequestThatIsGrantedIsMoot() {
    cluster.hold();
    LockId l1 = MiniCluster.id(cluster.submit(n1.lock("R", PR, f(), null, true, 1)));
    n1.cancel(l1);
    cluster.release();
    assertThat(cluster.events(l1)).containsExactly("cast OK PR");
    assertThat(n1.state(l1)).contains(OwnerLockState.GRANTED);
  }

  @Test
  void forceUnlockOverlappingARequestIsSentAfterTheReply() {
    cluster.hold();
    LockId l1 = MiniCluster.id(cluster.submit(n1.lock("R", PR, f(), null, true, 1)));
    assertThat(cluster.submit(n1.unlock(l1, f(FORCEUNLOCK), null)).status()).isEqualTo(SyncStatus.OK);
    cluster.release();
    assertThat(cluster.events(l1)).containsExactly("cast OK PR", "cast EUNLOCK IV");
    assertThat(n1.state(l1)).contains(OwnerLockState.DESTROYED);
  }

  @Test
  void forceUnlockAfterAFailedNoqueueRequestIsMoot() {
    lock(n1, "R", EX);
    cluster.hold();
    LockId l2 = MiniCluster.id(cluster.submit(n2.lock("R", PR, f(LockFlag.NOQUEUE), null, true, 2)));
    cluster.submit(n2.unlock(l2, f(FORCEUNLOCK), null));
    cluster.release();
    assertThat(cluster.events(l2)).containsExactly("cast EAGAIN IV");
  }

  @Test
  void cancelOfAQueuedConversionRestoresTheMode() {
    lock(n1, "R", PR);
    LockId l2 = lock(n2, "R", CR);
    cluster.submit(n2.convert(l2, EX, f(), null));
    assertThat(n2.state(l2)).contains(OwnerLockState.CONVERT_QUEUED);
    cluster.submit(n2.cancel(l2));
    assertThat(cluster.events(l2)).containsExactly("cast OK CR", "cast ECANCEL CR");
    assertThat(n2.view(l2).orElseThrow().granted()).isEqualTo(CR);
    assertThat(n2.state(l2)).contains(OwnerLockState.GRANTED);
  }

  @Test
  void cancelOfAGrantedLockReturnsOkAndNeverDeliversAnything() {
    LockId l1 = lock(n1, "R", PR);
    cluster.events(l1);
    OwnerResult r = cluster.submit(n1.cancel(l1));
    assertThat(r.status()).isEqualTo(SyncStatus.OK);
    assertThat(cluster.events(l1)).isEmpty();
  }

  @Test
  void normalUnlockOfAWaitingLockIsAllowed() {
    lock(n1, "R", EX);
    LockId l2 = lock(n2, "R", PR);
    assertThat(cluster.submit(n2.unlock(l2, f(), null)).status()).isEqualTo(SyncStatus.OK);
    assertThat(cluster.events(l2)).containsExactly("cast EUNLOCK IV");
  }

  @Test
  void conversionDeadlockReturnsTheLockToGranted() {
    LockId l1 = lock(n1, "R", PR);
    LockId l2 = lock(n2, "R", PR);
    cluster.submit(n1.convert(l1, EX, f(), null));
    cluster.submit(n2.convert(l2, EX, f(), null));
    assertThat(cluster.events(l2)).containsExactly("cast OK PR", "bast EX", "cast EDEADLK PR");
    assertThat(n2.state(l2)).contains(OwnerLockState.GRANTED);
  }

  @Test
  void ownerLearnsOfAConvdeadlkDemotionFromTheQueuedReply() {
    LockId l1 = lock(n1, "R", PR);
    LockId l2 = lock(n2, "R", PR);
    LockId l3 = lock(n2, "R", NL);
    cluster.submit(n1.convert(l1, EX, f(), null));
    cluster.submit(n2.convert(l2, EX, f(LockFlag.CONVDEADLK), null));
    // L1 got through (L2 dropped to NL); L2 is queued holding NL, and its owner knows it.
    assertThat(n2.state(l2)).contains(OwnerLockState.CONVERT_QUEUED);
    assertThat(n2.view(l2).orElseThrow().granted()).isEqualTo(NL);
    cluster.submit(n1.unlock(l1, f(), null));
    assertThat(cluster.events(l2)).containsExactly("cast OK PR", "bast EX", "cast OK EX DEMOTED");
    assertThat(n2.state(l3)).contains(OwnerLockState.GRANTED);
  }

  @Test
  void valueBlockComesBackToTheOwnerWithValblk() {
    LockId w = MiniCluster.id(cluster.submit(n1.lock("R", EX, f(VALBLK), "x".getBytes(StandardCharsets.US_ASCII), true, 1)));
    cluster.submit(n1.convert(w, NL, f(VALBLK), "DATA".getBytes(StandardCharsets.US_ASCII)));
    LockId r = MiniCluster.id(cluster.submit(n2.lock("R", PR, f(VALBLK), new byte[0], true, 2)));
    assertThat(n2.view(r).orElseThrow().lvb()).isEqualTo(ValueBlock.ofAscii("DATA", MiniCluster.LVBLEN));
  }

  @Test
  void tv61aPersistentLockBecomesAnOrphanAndCanBeAdoptedOnlyInItsMode() {
    LockId p = MiniCluster.id(cluster.submit(n1.lock("R", EX, f(PERSISTENT), null, true, 100)));
    LockId q = lock(n2, "R", PR);
    cluster.events(p);
    assertThat(n1.closeProcess(100)).isEmpty();       // granted: nothing to cancel
    assertThat(n1.view(p).orElseThrow().orphan()).isTrue();
    assertThat(n2.state(q)).contains(OwnerLockState.WAITING);
    assertThat(cluster.master("R").queue(ResourceState.Queue.GRANTED)).hasSize(1);

    OwnerResult wrongMode = n1.lock("R", PR, f(LockFlag.ORPHAN), null, true, 200);
    assertThat(wrongMode.status()).isEqualTo(SyncStatus.EAGAIN);
    OwnerResult adopted = n1.lock("R", EX, f(LockFlag.ORPHAN), null, true, 200);
    assertThat(adopted.status()).isEqualTo(SyncStatus.OK);
    assertThat(MiniCluster.id(adopted)).isEqualTo(p);
    assertThat(n1.view(p).orElseThrow().granted()).isEqualTo(EX);
    assertThat(cluster.events(p)).isEmpty();
    // No orphan left here: the node asks the master (a dead node's orphans live there) and the
    // master's answer is the -ENOENT that fs/dlm gives synchronously.
    LockId again = MiniCluster.id(cluster.submit(n1.lock("R", EX, f(LockFlag.ORPHAN), null, true, 300)));
    assertThat(cluster.events(again)).containsExactly("cast ENOENT IV");
    assertThat(n1.state(again)).contains(OwnerLockState.DESTROYED);
  }

  @Test
  void aDeadNodesPersistentLockIsAdoptedFromAnotherNodeWithItsModeAndToken() {
    OwnerLocks n3 = cluster.node("n3");
    LockId p = lock(n2, "R", EX, PERSISTENT);
    FencingToken token = n2.view(p).orElseThrow().token();
    LockId q = lock(n1, "R", PR);
    cluster.owners.remove("n2"); // n2 dies; recovery on the surviving master:
    cluster.master("R").purgeNodes(Set.of(new NodeId("n2")), 2);
    assertThat(n1.state(q)).contains(OwnerLockState.WAITING);

    LockId wrong = MiniCluster.id(cluster.submit(n3.lock("R", PR, f(LockFlag.ORPHAN), null, true, 1)));
    assertThat(cluster.events(wrong)).containsExactly("cast EAGAIN IV");
    assertThat(n3.state(wrong)).contains(OwnerLockState.DESTROYED);

    LockId adopted = MiniCluster.id(cluster.submit(n3.lock("R", EX, f(LockFlag.ORPHAN), null, true, 1)));
    assertThat(cluster.events(adopted)).containsExactly("cast OK EX", "bast PR");
    assertThat(n3.view(adopted).orElseThrow().token()).isEqualTo(token);
    assertThat(n3.view(adopted).orElseThrow().flags()).contains(PERSISTENT);
    cluster.submit(n3.unlock(adopted, f(), null));
    assertThat(n1.state(q)).contains(OwnerLockState.GRANTED);
  }

  @Test
  void tv61bOrphaningCancelsAQueuedConversionAndDeliversNothing() {
    LockId p = MiniCluster.id(cluster.submit(n1.lock("R", PR, f(PERSISTENT), null, true, 100)));
    lock(n2, "R", PR);
    cluster.submit(n1.convert(p, EX, f(PERSISTENT), null));
    cluster.events(p);
    cluster.send(n1.closeProcess(100));
    assertThat(n1.state(p)).contains(OwnerLockState.GRANTED);
    assertThat(n1.view(p).orElseThrow().granted()).isEqualTo(PR);
    assertThat(n1.view(p).orElseThrow().orphan()).isTrue();
    assertThat(cluster.events(p)).isEmpty();
  }

  @Test
  void processExitForceUnlocksNonPersistentLocksAndInvalidatesThePwLvb() {
    lock(n2, "R", NL);
    LockId l = MiniCluster.id(cluster.submit(n1.lock("R", PW, f(VALBLK), new byte[1], true, 100)));
    cluster.send(n1.closeProcess(100));
    assertThat(n1.state(l)).contains(OwnerLockState.DESTROYED);
    assertThat(cluster.master("R").valNotValid()).isTrue();
  }

  @Test
  void bastsAreNotDeliveredToALockWithoutBastCallback() {
    LockId l1 = MiniCluster.id(cluster.submit(n1.lock("R", EX, f(), null, false, 1)));
    lock(n2, "R", PR);
    assertThat(cluster.events(l1)).containsExactly("cast OK EX");
  }

  @Test
  void callbacksAreHeldWhileSuspended() {
    n1.suspendCallbacks();
    LockId l1 = lock(n1, "R", PR);
    assertThat(cluster.events(l1)).isEmpty();
    n1.resumeCallbacks();
    cluster.deliver();
    assertThat(cluster.events(l1)).containsExactly("cast OK PR");
  }

  @Test
  void illegalStateTransitionsAreBugs() {
    assertThatThrownBy(() -> OwnerLockState.DESTROYED.transitionTo(OwnerLockState.GRANTED))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("DESTROYED -> GRANTED");
    assertThat(OwnerLockState.GRANTED.transitionTo(OwnerLockState.CONVERTING)).isEqualTo(OwnerLockState.CONVERTING);
  }

  @Test
  void forgottenDestroyedIdsStillReadAsDestroyed() {
    LockId l1 = lock(n1, "R", NL);
    cluster.submit(n1.unlock(l1, f(), null));
    assertThat(n1.view(l1)).isEmpty(); // delivered and forgotten
    assertThat(n1.state(l1)).contains(OwnerLockState.DESTROYED);
    assertThat(n1.unlock(l1, f(), null).status()).isEqualTo(SyncStatus.ENOENT);
    assertThat(n1.liveLockCount()).isZero();
  }

  @Test
  void downConversionFromPwIsGrantedAndUnblocksOthers() {
    LockId l1 = lock(n1, "R", PW);
    LockId l2 = lock(n2, "R", PR);
    cluster.submit(n1.convert(l1, CR, f(), null));
    assertThat(cluster.events(l2)).containsExactly("cast OK PR");
    assertThat(cluster.events(l1)).containsExactly("cast OK PW", "bast PR", "cast OK CR");
  }

  @Test
  void expeditedNlIsGrantedPastWaiters() {
    lock(n1, "R", EX);
    lock(n2, "R", PR);
    LockId e = lock(n2, "R", NL, LockFlag.EXPEDITE);
    assertThat(cluster.events(e)).containsExactly("cast OK NL");
  }
}
