package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jdlm.dlm.core.LockFlag.CONVDEADLK;
import static org.jdlm.dlm.core.LockFlag.HEADQUE;
import static org.jdlm.dlm.core.LockFlag.NODLCKWT;
import static org.jdlm.dlm.core.LockFlag.NOORDER;
import static org.jdlm.dlm.core.LockFlag.NOQUEUE;
import static org.jdlm.dlm.core.LockFlag.QUECVT;
import static org.jdlm.dlm.core.LockMode.CR;
import static org.jdlm.dlm.core.LockMode.CW;
import static org.jdlm.dlm.core.LockMode.EX;
import static org.jdlm.dlm.core.LockMode.NL;
import static org.jdlm.dlm.core.LockMode.PR;
import static org.jdlm.dlm.core.LockMode.PW;

import org.junit.jupiter.api.Test;

/** Conversions, queue re-evaluation and conversion deadlock: semantics §2.2, §2.4, §2.5, TV-13 … TV-25. */
class ConversionTest {

  @Test
  void tv13ConversionIsGrantedInPlaceDespiteWaitersAndItsBastIsResent() {
    Rsb r = new Rsb();
    r.req("L1", CR);
    r.req("L2", CR);
    assertThat(r.req("L3", EX)).containsExactly("QUEUED(L3)", "BAST(L2,EX)", "BAST(L1,EX)");
    assertThat(r.cvt("L1", PR)).containsExactly("CAST(L1,OK,PR)", "BAST(L1,EX)");
    assertThat(r.w()).containsExactly("L3:EX");
  }

  /** TV-14 (derived, the initial state of TV-15): rule 5 lets a conversion jump queued ones. */
  private static Rsb tv14Initial() {
    Rsb r = new Rsb();
    r.req("L1", PR);
    r.req("L2", PR);
    r.req("L3", NL);
    assertThat(r.cvt("L2", EX)).containsExactly("QUEUED(L2)", "BAST(L1,EX)");
    return r;
  }

  @Test
  void tv14ConversionWithoutQuecvtJumpsQueuedConversions() {
    Rsb r = tv14Initial();
    assertThat(r.cvt("L3", CR)).containsExactly("CAST(L3,OK,CR)", "BAST(L3,EX)");
    assertThat(r.c()).containsExactly("L2:PR>EX");
  }

  @Test
  void tv15QuecvtConversionQueuesFifoBehindExistingConversions() {
    Rsb r = tv14Initial();
    assertThat(r.cvt("L3", CR, QUECVT)).containsExactly("QUEUED(L3)");
    assertThat(r.c()).containsExactly("L2:PR>EX", "L3:NL>CR");
  }

  @Test
  void tv17OnlyTheHeadOfTheConvertQueueCanBeGranted() {
    Rsb r = new Rsb();
    r.req("L2", NL);
    r.req("L3", NL);
    r.req("L4", PR);
    assertThat(r.cvt("L2", EX)).containsExactly("QUEUED(L2)", "BAST(L4,EX)");
    assertThat(r.cvt("L3", PR, QUECVT)).containsExactly("QUEUED(L3)");
    assertThat(r.cvt("L4", CR)).containsExactly("CAST(L4,OK,CR)", "BAST(L4,EX)");
    assertThat(r.c()).containsExactly("L2:NL>EX", "L3:NL>PR");
  }

  @Test
  void tv18NoorderConversionLeavesTheConvertQueueOutOfOrder() {
    Rsb r = new Rsb();
    r.req("L2", NL);
    r.req("L3", NL);
    r.req("L4", PR);
    r.cvt("L2", EX);
    r.cvt("L3", PR, QUECVT, NOORDER);
    // BASTs follow grant-queue order, newest grant first (semantics §2.1).
    assertThat(r.cvt("L4", CR)).containsExactly("CAST(L4,OK,CR)", "CAST(L3,OK,PR)", "BAST(L3,EX)", "BAST(L4,EX)");
    assertThat(r.c()).containsExactly("L2:NL>EX");
  }

  @Test
  void tv19DownConversionIsImmediateAndUnblocksWaiters() {
    Rsb r = new Rsb();
    r.req("L1", EX);
    r.req("L2", PR);
    r.req("L3", CR);
    assertThat(r.cvt("L1", PR)).containsExactly("CAST(L1,OK,PR)", "CAST(L2,OK,PR)", "CAST(L3,OK,CR)");
    assertThat(r.w()).isEmpty();
  }

  @Test
  void tv20SameModeConversionIsAlwaysGranted() {
    Rsb r = new Rsb();
    r.req("L1", PR);
    r.req("L2", EX);
    assertThat(r.cvt("L1", PR)).containsExactly("CAST(L1,OK,PR)", "BAST(L1,EX)");
  }

  @Test
  void tv21ConvertingALockThatIsNotGrantedIsBusy() {
    Rsb r = new Rsb();
    r.req("L1", PR);
    r.req("L2", PR);
    r.cvt("L2", EX);
    assertThat(r.cvt("L2", PW)).containsExactly("REJECT(L2,EBUSY)");
    assertThat(r.c()).containsExactly("L2:PR>EX");
  }

  /** TV-22 (derived): two PR holders both converting to EX: the later one is refused. */
  private static Rsb tv22Initial() {
    Rsb r = new Rsb();
    r.req("L1", PR);
    r.req("L2", PR);
    assertThat(r.cvt("L1", EX)).containsExactly("QUEUED(L1)", "BAST(L2,EX)");
    return r;
  }

  @Test
  void tv22ConversionDeadlockRefusesTheLaterConverterWhichKeepsItsMode() {
    Rsb r = tv22Initial();
    assertThat(r.cvt("L2", EX)).containsExactly("CAST(L2,EDEADLK,PR)");
    assertThat(r.g()).containsExactly("L2:PR");
    assertThat(r.c()).containsExactly("L1:PR>EX");
  }

  @Test
  void tv23ConvdeadlkDemotesToNlLetsTheOtherThroughAndReportsDemoted() {
    Rsb r = tv22Initial();
    assertThat(r.cvt("L2", EX, CONVDEADLK)).containsExactly("CAST(L1,OK,EX)", "QUEUED(L2)", "BAST(L1,EX)");
    assertThat(r.c()).containsExactly("L2:NL>EX");
    assertThat(r.unl("L1")).containsExactly("CAST(L1,EUNLOCK,IV)", "GONE(L1)", "CAST(L2,OK,EX,DEMOTED)");
  }

  @Test
  void tv24NodlckwtQueuesADeadlockedConversionAndLaterPassesBastItself() {
    Rsb r = new Rsb();
    r.req("L1", PR);
    r.req("L2", PR);
    r.req("L3", NL);
    assertThat(r.cvt("L2", EX, NODLCKWT)).containsExactly("QUEUED(L2)", "BAST(L1,EX)");
    // L1 is now the later converter and deadlocks with L2; NODLCKWT queues it anyway.
    assertThat(r.cvt("L1", EX, NODLCKWT)).containsExactly("QUEUED(L1)");
    assertThat(r.c()).containsExactly("L2:PR>EX", "L1:PR>EX");
    // The next queue pass finds both deadlocked: L2 (never BASTed) is told its own mode (rule D);
    // L1 already had BAST(EX) when L2 queued, so highbast suppresses it.
    assertThat(r.unl("L3")).containsExactly("CAST(L3,EUNLOCK,IV)", "GONE(L3)", "BAST(L2,EX)");
    r.req("L4", NL);
    assertThat(r.unl("L4")).containsExactly("CAST(L4,EUNLOCK,IV)", "GONE(L4)");
  }

  @Test
  void pendingPassOnlyLogsADeadlockedConverterWithoutNodlckwt() {
    Rsb r = tv22Initial();
    r.req("L3", NL);
    assertThat(r.cvt("L2", EX, NODLCKWT)).containsExactly("QUEUED(L2)");
    assertThat(r.unl("L3")).containsExactly("CAST(L3,EUNLOCK,IV)", "GONE(L3)", "DEADLOCK(L1)");
    assertThat(r.last.get(2)).isInstanceOfSatisfying(Effect.DeadlockWarning.class,
        w -> assertThat(w.resourceDump()).contains("convert queue:").contains("PR").contains("EX"));
  }

  @Test
  void tv25NoqueueConversionNeverReportsADeadlock() {
    Rsb r = tv22Initial();
    assertThat(r.cvt("L2", EX, NOQUEUE)).containsExactly("CAST(L2,EAGAIN,PR)");
    assertThat(r.g()).containsExactly("L2:PR");
  }

  @Test
  void tv26NoqueueConversionFailureKeepsTheGrantedMode() {
    Rsb r = new Rsb();
    r.req("L1", PR);
    r.req("L2", CR);
    assertThat(r.cvt("L2", EX, NOQUEUE)).containsExactly("CAST(L2,EAGAIN,CR)");
    assertThat(r.view("L2").granted()).isEqualTo(CR);
    assertThat(r.view("L2").requested()).isNull();
  }

  @Test
  void aConversionAheadIsDeadlockedOnlyIfBothBlockEachOther() {
    // L2 (CR>PW) behind L1 (CR>EX): L2's CR blocks L1's EX, but L1's CR does not block L2's PW:
    // L1 is ahead of L2, so for L1 that is no deadlock.
    Rsb r = new Rsb();
    r.req("L0", PR);
    r.req("L1", CR);
    r.req("L2", CR);
    r.cvt("L1", EX);
    assertThat(r.cvt("L2", PW, QUECVT)).containsExactly("CAST(L2,EDEADLK,CR)");
  }

  @Test
  void conversionsHavePriorityOverWaiters() {
    Rsb r = new Rsb();
    r.req("L1", PR);
    r.req("L2", CR);
    r.cvt("L2", PW);          // C=[L2 CR>PW], blocked by L1 PR
    r.req("L3", CR);          // compatible with everything granted, but C is not empty
    assertThat(r.w()).containsExactly("L3:CR");
    assertThat(r.unl("L1")).containsExactly("CAST(L1,EUNLOCK,IV)", "GONE(L1)", "CAST(L2,OK,PW)", "CAST(L3,OK,CR)");
  }

  @Test
  void headqueConversionJoinsTheHeadOfTheConvertQueue() {
    Rsb r = new Rsb();
    r.req("L0", EX);
    r.req("L1", NL);
    r.req("L2", NL);
    r.cvt("L1", PR);
    r.cvt("L2", CR, HEADQUE);
    assertThat(r.c()).containsExactly("L2:NL>CR", "L1:NL>PR");
  }

  @Test
  void middleConversionPrToCwIsNotADownConversion() {
    Rsb r = new Rsb();
    r.req("L1", PR);
    r.req("L2", PR);
    assertThat(r.cvt("L1", CW)).containsExactly("QUEUED(L1)", "BAST(L2,CW)");
  }

  @Test
  void prHolderBlockingOnlyCwAndPrWaitersIsToldCw() {
    // semantics §3 rule B: high = PR but a CW waiter is blocked too: the PR holder is told CW.
    Rsb r = new Rsb();
    r.req("L1", PR);
    assertThat(r.req("L3", CW)).containsExactly("QUEUED(L3)", "BAST(L1,CW)");
    assertThat(r.req("L4", PR)).containsExactly("QUEUED(L4)");
    assertThat(r.cvt("L1", PR)).containsExactly("CAST(L1,OK,PR)", "BAST(L1,CW)");
    assertThat(r.view("L1").highbast()).isEqualTo(PR);
  }
}
