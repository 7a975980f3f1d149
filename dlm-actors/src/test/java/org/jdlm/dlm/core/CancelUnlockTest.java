package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jdlm.dlm.core.LockFlag.VALBLK;
import static org.jdlm.dlm.core.LockMode.CR;
import static org.jdlm.dlm.core.LockMode.EX;
import static org.jdlm.dlm.core.LockMode.NL;
import static org.jdlm.dlm.core.LockMode.PR;
import static org.jdlm.dlm.core.LockMode.PW;

import org.junit.jupiter.api.Test;

/** Unlock, cancel and FORCEUNLOCK on the master (semantics §2.6, §11.3; TV-31 … TV-34). */
class CancelUnlockTest {

  @Test
  void tv31CancellingAConversionRestoresItsModeAndUnblocksAWaiter() {
    Rsb r = new Rsb();
    r.req("L1", PR);
    r.req("L2", CR);
    assertThat(r.cvt("L2", EX)).containsExactly("QUEUED(L2)", "BAST(L1,EX)");
    assertThat(r.req("L3", PR)).containsExactly("QUEUED(L3)");
    assertThat(r.cancel("L2")).containsExactly("CAST(L2,ECANCEL,CR)", "CAST(L3,OK,PR)");
    assertThat(r.g()).contains("L2:CR", "L1:PR", "L3:PR");
  }

  @Test
  void tv32CancellingAWaitingRequestDestroysIt() {
    Rsb r = new Rsb();
    r.req("L1", EX);
    r.req("L2", PR);
    assertThat(r.cancel("L2")).containsExactly("CAST(L2,ECANCEL,IV)", "GONE(L2)");
    r.assertGone("L2");
  }

  @Test
  void cancellingAGrantedLockDoesNothingAndDeliversNoCallback() {
    Rsb r = new Rsb();
    r.req("L1", EX);
    assertThat(r.cancel("L1")).containsExactly("NOCANCEL(L1)");
    assertThat(r.g()).containsExactly("L1:EX");
  }

  @Test
  void cancelArrivingAfterTheConversionWasGrantedIsIgnored() {
    Rsb r = new Rsb();
    r.req("L1", EX);
    r.req("L2", NL);
    r.cvt("L2", PR);
    r.unl("L1"); // grants L2 PR
    assertThat(r.cancel("L2")).containsExactly("NOCANCEL(L2)");
  }

  @Test
  void tv34NormalUnlockRemovesAConvertingLockAndWritesItsLvbFromPw() {
    // semantics §11.3: the code lets a normal unlock remove a converting lock, with an LVB write if grmode >= PW.
    Rsb r = new Rsb();
    r.req("L0", NL);
    r.req("L1", CR);
    r.reqLvb("L2", PW, "PPPP", VALBLK);
    r.cvt("L2", EX, VALBLK);
    assertThat(r.c()).containsExactly("L2:PW>EX");
    // The grant of the PW request read the (zero) resource LVB into L2's buffer; the owner then
    // filled its buffer with "PPPP", which the unlock carries.
    assertThat(r.unlLvb("L2", "PPPP")).containsExactly("CAST(L2,EUNLOCK,IV)", "GONE(L2)");
    assertThat(r.state.lvb()).isEqualTo(Rsb.lvb("PPPP"));
  }

  @Test
  void normalUnlockRemovesAWaitingLockAndUnblocksNobodyElse() {
    Rsb r = new Rsb();
    r.req("L1", EX);
    r.req("L2", PR);
    r.req("L3", NL);
    assertThat(r.unl("L2")).containsExactly("CAST(L2,EUNLOCK,IV)", "GONE(L2)", "CAST(L3,OK,NL)");
  }

  @Test
  void forceUnlockOnTheMasterIsAnUnlock() {
    Rsb r = new Rsb();
    r.req("L1", EX);
    r.req("L2", PR);
    assertThat(r.unl("L2", LockFlag.FORCEUNLOCK)).containsExactly("CAST(L2,EUNLOCK,IV)", "GONE(L2)");
  }

  @Test
  void operationsOnUnknownLocksAreRejectedWithEnoent() {
    Rsb r = new Rsb();
    assertThat(r.cancel("LX")).containsExactly("REJECT(LX,ENOENT)");
    assertThat(r.cvt("LX", PR)).containsExactly("REJECT(LX,ENOENT)");
    assertThat(r.unl("LX")).containsExactly("REJECT(LX,ENOENT)");
  }
}
