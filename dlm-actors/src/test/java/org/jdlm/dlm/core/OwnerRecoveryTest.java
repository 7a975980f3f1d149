package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jdlm.dlm.core.LockFlag.VALBLK;
import static org.jdlm.dlm.core.LockMode.CR;
import static org.jdlm.dlm.core.LockMode.CW;
import static org.jdlm.dlm.core.LockMode.EX;
import static org.jdlm.dlm.core.LockMode.NL;
import static org.jdlm.dlm.core.LockMode.PR;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The owner's side of recovery (semantics §6.3 steps 8, 11, 17; TV-55, TV-57, TV-59). */
class OwnerRecoveryTest {

  private final MiniCluster cluster = new MiniCluster();
  private final OwnerLocks b = cluster.node("B");
  private final OwnerLocks c = cluster.node("C");

  private static Set<LockFlag> f(LockFlag... flags) {
    return Rsb.flags(flags);
  }

  /** The master of R died: survivors rebuild it on a fresh master, then resend and grant. */
  private void remaster() {
    for (OwnerLocks o : List.of(b, c)) {
      o.suspendCallbacks();
      o.masterLost("R");
    }
    ResourceState fresh = new ResourceState("R", MiniCluster.LVBLEN, cluster.master("R").tokenGeneration() + 1);
    for (OwnerLocks o : List.of(b, c)) {
      o.locksToResend("R").forEach(fresh::addRecoveredLock);
    }
    fresh.finishRecovery(true);
    fresh.checkInvariants();
    cluster.masters.put("R", fresh);
    List<MasterOp> resend = new ArrayList<>();
    for (OwnerLocks o : List.of(b, c)) {
      resend.addAll(o.resendAfterRecovery("R"));
    }
    for (Effect e : fresh.grantAfterRecovery()) {
      cluster.inFlight.addAll(cluster.owners.get(e.owner().name()).onEffect(e));
    }
    for (OwnerLocks o : List.of(b, c)) {
      o.resumeCallbacks();
    }
    cluster.send(resend);
  }

  private LockId lock(OwnerLocks o, LockMode mode, LockFlag... flags) {
    byte[] lvb = List.of(flags).contains(VALBLK) ? "XXXX".getBytes(StandardCharsets.US_ASCII) : null;
    return MiniCluster.id(cluster.submit(o.lock("R", mode, f(flags), lvb, true, 1)));
  }

  @Test
  void tv55SurvivorsPrLocksStayGrantedWithTheirLvbAndNoCallbacks() {
    LockId w = lock(b, EX, VALBLK);
    cluster.submit(b.convert(w, PR, f(VALBLK), "XXXX".getBytes(StandardCharsets.US_ASCII)));
    LockId r = lock(c, PR, VALBLK);
    cluster.events(w);
    cluster.events(r);
    remaster();
    assertThat(cluster.events(w)).isEmpty();
    assertThat(cluster.events(r)).isEmpty();
    ResourceState m = cluster.master("R");
    assertThat(m.lvb()).isEqualTo(ValueBlock.ofAscii("XXXX", MiniCluster.LVBLEN));
    assertThat(m.valNotValid()).isFalse();
    LockId fresh = lock(c, PR, VALBLK);
    assertThat(cluster.events(fresh)).containsExactly("cast OK PR");
    assertThat(c.view(fresh).orElseThrow().lvb()).isEqualTo(ValueBlock.ofAscii("XXXX", MiniCluster.LVBLEN));
  }

  @Test
  void tv59UnlockInFlightToADeadMasterCompletesAfterRecovery() {
    LockId l = lock(b, PR);
    cluster.events(l);
    cluster.hold();
    cluster.submit(b.unlock(l, f(), null));
    cluster.inFlight.clear(); // the master died before it saw the UNLOCK
    cluster.release();
    b.suspendCallbacks();
    b.masterLost("R");
    cluster.deliver();
    assertThat(cluster.events(l)).isEmpty(); // held back until recovery ends
    b.resumeCallbacks();
    cluster.deliver();
    assertThat(cluster.events(l)).containsExactly("cast EUNLOCK IV");
    assertThat(b.locksToResend("R")).isEmpty();
  }

  @Test
  void cancelInFlightToADeadMasterCompletesWithEcancelAndTheOldMode() {
    LockId holder = lock(c, PR);
    LockId l = lock(b, CR);
    cluster.submit(b.convert(l, EX, f(), null));
    cluster.events(l);
    cluster.hold();
    cluster.submit(b.cancel(l));
    cluster.inFlight.clear();
    cluster.release();
    b.masterLost("R");
    cluster.deliver();
    assertThat(cluster.events(l)).containsExactly("cast ECANCEL CR");
    assertThat(b.state(l)).contains(OwnerLockState.GRANTED);
    assertThat(c.state(holder)).contains(OwnerLockState.GRANTED);
  }

  @Test
  void tv57QueuedConversionsAreGrantedAfterTheMasterChange() {
    LockId a = MiniCluster.id(cluster.submit(cluster.node("A").lock("R", EX, f(), null, true, 1)));
    LockId lb = lock(b, NL);
    LockId lc = lock(c, NL);
    cluster.submit(b.convert(lb, PR, f(), null));
    cluster.submit(c.convert(lc, CR, f(LockFlag.QUECVT), null));
    cluster.events(lb);
    cluster.events(lc);
    cluster.owners.remove("A");
    remaster();
    assertThat(cluster.events(lb)).containsExactly("cast OK PR");
    assertThat(cluster.events(lc)).containsExactly("cast OK CR");
    assertThat(cluster.master("R").lock(a)).isEmpty();
  }

  @Test
  void requestInFlightToADeadMasterIsResentToTheNewOne() {
    LockId holder = lock(c, PR);
    cluster.hold();
    LockId l = MiniCluster.id(cluster.submit(b.lock("R", CR, f(), null, true, 1)));
    cluster.inFlight.clear();
    cluster.release();
    remaster();
    assertThat(cluster.events(l)).containsExactly("cast OK CR");
    assertThat(c.state(holder)).contains(OwnerLockState.GRANTED);
  }

  @Test
  void upConversionInFlightIsResentAndTheLockRebuiltInItsOldMode() {
    LockId l = lock(b, NL);
    LockId other = lock(c, PR);
    cluster.events(l);
    cluster.hold();
    cluster.submit(b.convert(l, EX, f(), null));
    cluster.inFlight.clear();
    cluster.release();
    b.masterLost("R");
    List<RecoveredLock> resent = b.locksToResend("R");
    assertThat(resent).singleElement().satisfies(rl -> {
      assertThat(rl.queue()).isEqualTo(ResourceState.Queue.GRANTED);
      assertThat(rl.grantedMode()).isEqualTo(NL);
    });
    c.masterLost("R");
    ResourceState fresh = new ResourceState("R", MiniCluster.LVBLEN, 2);
    resent.forEach(fresh::addRecoveredLock);
    c.locksToResend("R").forEach(fresh::addRecoveredLock);
    fresh.finishRecovery(true);
    cluster.masters.put("R", fresh);
    cluster.send(b.resendAfterRecovery("R"));
    assertThat(b.state(l)).contains(OwnerLockState.CONVERT_QUEUED);
    cluster.submit(c.unlock(other, f(), null));
    assertThat(cluster.events(l)).containsExactly("cast OK EX");
  }

  @Test
  void middleConversionInFlightIsRebuiltWithoutGrantedModeAndFixedUp() {
    LockId l = lock(b, PR);
    cluster.events(l);
    cluster.hold();
    cluster.submit(b.convert(l, CW, f(), null));
    cluster.inFlight.clear();
    cluster.release();
    remaster();
    assertThat(cluster.events(l)).containsExactly("cast OK CW");
    assertThat(b.state(l)).contains(OwnerLockState.GRANTED);
  }

  @Test
  void cancelOverlappingARequestThatWasLostEndsTheLockWithEcancel() {
    cluster.hold();
    LockId l = MiniCluster.id(cluster.submit(b.lock("R", EX, f(), null, true, 1)));
    b.cancel(l);
    cluster.inFlight.clear();
    cluster.release();
    remaster();
    assertThat(cluster.events(l)).containsExactly("cast ECANCEL IV");
    assertThat(b.state(l)).contains(OwnerLockState.DESTROYED);
  }
}
