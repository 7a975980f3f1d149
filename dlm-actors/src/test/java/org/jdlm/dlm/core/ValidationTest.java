package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jdlm.dlm.core.LockFlag.CANCEL;
import static org.jdlm.dlm.core.LockFlag.CONVDEADLK;
import static org.jdlm.dlm.core.LockFlag.EXPEDITE;
import static org.jdlm.dlm.core.LockFlag.FORCEUNLOCK;
import static org.jdlm.dlm.core.LockFlag.NOQUEUE;
import static org.jdlm.dlm.core.LockFlag.QUECVT;
import static org.jdlm.dlm.core.LockFlag.VALBLK;
import static org.jdlm.dlm.core.LockMode.CR;
import static org.jdlm.dlm.core.LockMode.CW;
import static org.jdlm.dlm.core.LockMode.EX;
import static org.jdlm.dlm.core.LockMode.NL;
import static org.jdlm.dlm.core.LockMode.PR;
import static org.jdlm.dlm.core.LockMode.PW;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every synchronous error row of semantics §2.8, on the owner; errors carry the value and a reason. */
class ValidationTest {

  private final MiniCluster cluster = new MiniCluster();
  private final OwnerLocks n1 = cluster.node("n1");

  private static Set<LockFlag> f(LockFlag... flags) {
    return Rsb.flags(flags);
  }

  private OwnerResult lock(LockMode mode, Set<LockFlag> flags, byte[] lvb) {
    return cluster.submit(n1.lock("R", mode, flags, lvb, true, 1));
  }

  record Row(String rule, LockMode mode, Set<LockFlag> flags, byte[] lvb, String reasonPart) {
    @Override
    public String toString() {
      return rule;
    }
  }

  static List<Row> lockEinvalRows() {
    return List.of(
        new Row("no mode", null, f(), null, "mode is required"),
        new Row("CANCEL on lock", PR, f(CANCEL), null, "CANCEL"),
        new Row("QUECVT without CONVERT", PR, f(QUECVT), null, "QUECVT"),
        new Row("CONVDEADLK without CONVERT", PR, f(CONVDEADLK), null, "CONVDEADLK"),
        new Row("EXPEDITE with NOQUEUE", NL, f(EXPEDITE, NOQUEUE), null, "EXPEDITE"),
        new Row("EXPEDITE with QUECVT", NL, f(EXPEDITE, QUECVT), null, "QUECVT"),
        new Row("EXPEDITE with mode other than NL", PR, f(EXPEDITE), null, "PR"),
        new Row("CONVERT on a new request", PR, f(LockFlag.CONVERT), null, "CONVERT"),
        new Row("VALBLK without buffer", PR, f(VALBLK), null, "VALBLK"),
        new Row("value block longer than lvblen", PR, f(VALBLK), new byte[33], "33 bytes"));
  }

  @ParameterizedTest(name = "lock: {0} -> EINVAL")
  @MethodSource("lockEinvalRows")
  void lockArgumentErrorsAreEinvalWithTheReason(Row row) {
    OwnerResult r = lock(row.mode(), row.flags(), row.lvb());
    assertThat(r.status()).isEqualTo(SyncStatus.EINVAL);
    assertThat(((OwnerResult.Rejected) r).reason()).contains(row.reasonPart());
    assertThat(cluster.effects).isEmpty(); // nothing reached a master
  }

  @Test
  void resourceNameMustBeOneTo64Bytes() {
    assertThat(n1.lock("", PR, f(), null, true, 1).status()).isEqualTo(SyncStatus.EINVAL);
    assertThat(n1.lock("x".repeat(64), PR, f(), null, true, 1).status()).isEqualTo(SyncStatus.OK);
    OwnerResult tooLong = n1.lock("y".repeat(65), PR, f(), null, true, 1);
    assertThat(tooLong.status()).isEqualTo(SyncStatus.EINVAL);
    assertThat(((OwnerResult.Rejected) tooLong).reason()).contains("65 bytes").contains("64");
    // bytes, not characters: 33 two-byte characters are 66 bytes
    assertThat(n1.lock("é".repeat(33), PR, f(), null, true, 1).status()).isEqualTo(SyncStatus.EINVAL);
  }

  @Test
  void expeditedNlRequestIsValid() {
    assertThat(lock(NL, f(EXPEDITE), null).status()).isEqualTo(SyncStatus.OK);
  }

  @Test
  void convertErrors() {
    LockId l1 = MiniCluster.id(lock(PR, f(), null));
    assertThat(n1.convert(null, EX, f(), null).status()).isEqualTo(SyncStatus.EINVAL);
    assertThat(n1.convert(new LockId(new NodeId("n1"), 99), EX, f(), null).status()).isEqualTo(SyncStatus.ENOENT);
    assertThat(n1.convert(l1, EX, f(CONVDEADLK, NOQUEUE), null).status()).isEqualTo(SyncStatus.EINVAL);
    assertThat(n1.convert(l1, NL, f(EXPEDITE), null).status()).isEqualTo(SyncStatus.EINVAL);
    assertThat(n1.convert(l1, EX, f(VALBLK), null).status()).isEqualTo(SyncStatus.EINVAL);
    assertThat(n1.convert(l1, null, f(), null).status()).isEqualTo(SyncStatus.EINVAL);
  }

  @Test
  void quecvtConversionNotInTheMatrixIsEinval() {
    LockId l1 = MiniCluster.id(lock(CW, f(), null));
    OwnerResult r = n1.convert(l1, CR, f(QUECVT), null);
    assertThat(r.status()).isEqualTo(SyncStatus.EINVAL);
    assertThat(((OwnerResult.Rejected) r).reason()).contains("CW -> CR");
    assertThat(n1.convert(l1, PR, f(QUECVT), null).status()).isEqualTo(SyncStatus.OK);
  }

  @Test
  void tv21ConvertOfAQueuedConversionIsBusy() {
    OwnerLocks n2 = cluster.node("n2");
    cluster.submit(n2.lock("R", PR, f(), null, true, 2));
    LockId l2 = MiniCluster.id(lock(PR, f(), null));
    cluster.submit(n1.convert(l2, EX, f(), null));
    assertThat(n1.state(l2)).contains(OwnerLockState.CONVERT_QUEUED);
    assertThat(n1.convert(l2, PW, f(), null).status()).isEqualTo(SyncStatus.EBUSY);
  }

  @Test
  void busyIsCheckedBeforeTheQuecvtMatrix() {
    cluster.hold();
    LockId l1 = MiniCluster.id(lock(PR, f(), null));   // request in flight
    assertThat(n1.convert(l1, NL, f(QUECVT), null).status()).isEqualTo(SyncStatus.EBUSY);
  }

  @Test
  void convertOfAWaitingLockOrWithARequestInFlightIsBusy() {
    cluster.hold();
    LockId l1 = MiniCluster.id(lock(PR, f(), null));
    assertThat(n1.convert(l1, EX, f(), null).status()).isEqualTo(SyncStatus.EBUSY);
    cluster.release();
    OwnerLocks n2 = cluster.node("n2");
    cluster.submit(n2.lock("R", EX, f(), null, true, 2));
    LockId waiting = MiniCluster.id(cluster.submit(n2.lock("R", PR, f(), null, true, 2)));
    assertThat(n2.convert(waiting, NL, f(), null).status()).isEqualTo(SyncStatus.EBUSY);
  }

  @Test
  void tv33UnlockFlagValidation() {
    LockId l1 = MiniCluster.id(lock(PR, f(), null));
    assertThat(n1.unlock(l1, f(CANCEL, FORCEUNLOCK), null).status()).isEqualTo(SyncStatus.EINVAL);
    OwnerResult noqueue = n1.unlock(l1, f(NOQUEUE), null);
    assertThat(noqueue.status()).isEqualTo(SyncStatus.EINVAL);
    assertThat(((OwnerResult.Rejected) noqueue).reason()).contains("NOQUEUE");
    assertThat(n1.unlock(new LockId(new NodeId("n1"), 77), f(), null).status()).isEqualTo(SyncStatus.ENOENT);
    assertThat(n1.unlock(l1, f(), new byte[40]).status()).isEqualTo(SyncStatus.EINVAL);
  }

  @Test
  void tv09OperationsOnADestroyedLockAreEnoent() {
    OwnerLocks n2 = cluster.node("n2");
    cluster.submit(n2.lock("R", EX, f(), null, true, 2));
    LockId l2 = MiniCluster.id(lock(PR, f(NOQUEUE), null));
    assertThat(cluster.events(l2)).containsExactly("cast EAGAIN IV");
    assertThat(n1.unlock(l2, f(), null).status()).isEqualTo(SyncStatus.ENOENT);
    assertThat(n1.cancel(l2).status()).isEqualTo(SyncStatus.ENOENT);
    assertThat(n1.convert(l2, CR, f(), null).status()).isEqualTo(SyncStatus.ENOENT);
    assertThat(n1.state(l2)).contains(OwnerLockState.DESTROYED);
  }

  @Test
  void normalUnlockWhileARequestIsInFlightIsBusy() {
    cluster.hold();
    LockId l1 = MiniCluster.id(lock(PR, f(), null));
    assertThat(n1.unlock(l1, f(), null).status()).isEqualTo(SyncStatus.EBUSY);
  }

  @Test
  void secondCancelWhileACancelIsInProgressIsEinval() {
    OwnerLocks n2 = cluster.node("n2");
    cluster.submit(n2.lock("R", EX, f(), null, true, 2));
    LockId l1 = MiniCluster.id(lock(PR, f(), null));
    OwnerResult first = n1.cancel(l1); // its CANCEL message is never delivered: still in flight
    assertThat(first.status()).isEqualTo(SyncStatus.OK);
    assertThat(n1.state(l1)).contains(OwnerLockState.CANCELLING);
    OwnerResult second = n1.cancel(l1);
    assertThat(second.status()).isEqualTo(SyncStatus.EINVAL);
    assertThat(((OwnerResult.Rejected) second).reason()).contains("in progress");
  }

  @Test
  void cancelWhileAnUnlockIsInProgressIsEinval() {
    LockId l1 = MiniCluster.id(lock(PR, f(), null));
    cluster.hold();
    assertThat(cluster.submit(n1.unlock(l1, f(), null)).status()).isEqualTo(SyncStatus.OK);
    assertThat(n1.cancel(l1).status()).isEqualTo(SyncStatus.EINVAL);
    assertThat(n1.unlock(l1, f(FORCEUNLOCK), null).status()).isEqualTo(SyncStatus.EINVAL);
  }

  @Test
  void tooManyLocksOnANodeIsEnomem() {
    OwnerLocks small = new OwnerLocks(new NodeId("s"), 32, 2, 8);
    small.lock("R", PR, f(), null, true, 1);
    small.lock("R", PR, f(), null, true, 1);
    OwnerResult third = small.lock("R", PR, f(), null, true, 1);
    assertThat(third.status()).isEqualTo(SyncStatus.ENOMEM);
    assertThat(((OwnerResult.Rejected) third).reason()).contains("max-locks-per-node");
  }

  @Test
  void rejectionsNeverCarryOk() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new OwnerResult.Rejected(SyncStatus.OK, "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void everyFlagCombinationEitherValidatesOrNamesAReason() {
    for (LockFlag a : LockFlag.values()) {
      for (LockFlag b : LockFlag.values()) {
        OwnerResult r = n1.lock("R", NL, EnumSet.of(a, b), new byte[4], true, 1);
        if (r instanceof OwnerResult.Rejected rej) {
          assertThat(rej.reason()).isNotBlank();
        }
      }
    }
  }
}
