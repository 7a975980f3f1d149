package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jdlm.dlm.core.LockMode.CR;
import static org.jdlm.dlm.core.LockMode.CW;
import static org.jdlm.dlm.core.LockMode.EX;
import static org.jdlm.dlm.core.LockMode.NL;
import static org.jdlm.dlm.core.LockMode.PR;
import static org.jdlm.dlm.core.LockMode.PW;

import org.junit.jupiter.api.Test;

/** BAST generation rules A-D and highbast (semantics §3; TV-35, TV-37). */
class CallbacksTest {

  @Test
  void tv35ALockWithoutBastCallbackGetsNoBast() {
    Rsb r = new Rsb();
    r.reqNoBast("L1", EX);
    assertThat(r.req("L2", PR)).containsExactly("QUEUED(L2)");
  }

  @Test
  void tv37RepeatedCwRequestsRegenerateTheBastToAPrHolder() {
    // The lock layer sends BAST(CW) twice (PR/CW rule: highbast CW < EX); CallbackQueueTest shows
    // the delivery layer dropping the second one.
    Rsb r = new Rsb();
    r.req("L1", PR);
    assertThat(r.req("L2", CW)).containsExactly("QUEUED(L2)", "BAST(L1,CW)");
    assertThat(r.req("L3", CW)).containsExactly("QUEUED(L3)", "BAST(L1,CW)");
  }

  @Test
  void ruleACwHolderIsToldPrEvenAfterAHigherBastBelowEx() {
    // The PR/CW pair ignores highbast unless EX was already sent.
    Rsb r = new Rsb();
    r.req("L1", CW);
    assertThat(r.req("L2", PW)).containsExactly("QUEUED(L2)", "BAST(L1,PW)");
    assertThat(r.req("L3", PR)).containsExactly("QUEUED(L3)", "BAST(L1,PR)");
  }

  @Test
  void ruleAHigherModeSendsAnotherBast() {
    Rsb r = new Rsb();
    r.req("L1", PR);
    assertThat(r.req("L2", PW)).containsExactly("QUEUED(L2)", "BAST(L1,PW)");
    assertThat(r.req("L3", EX)).containsExactly("QUEUED(L3)", "BAST(L1,EX)");
    assertThat(r.req("L4", PW)).containsExactly("QUEUED(L4)");
  }

  @Test
  void ruleACwPrPairResendsUntilExWasSent() {
    Rsb r = new Rsb();
    r.req("L1", CW);
    assertThat(r.req("L2", EX)).containsExactly("QUEUED(L2)", "BAST(L1,EX)");
    assertThat(r.req("L3", PR)).containsExactly("QUEUED(L3)"); // highbast EX: no more
  }

  @Test
  void ruleAConvertingLocksDoNotGetBastsFromNewRequests() {
    Rsb r = new Rsb();
    r.req("L1", PR);
    r.req("L2", CR);
    r.cvt("L2", EX);
    assertThat(r.req("L3", EX)).containsExactly("QUEUED(L3)"); // L1 already at EX; L2 converting
  }

  @Test
  void ruleBGrantResetsHighbastSoTheBlockedModeIsResent() {
    Rsb r = new Rsb();
    r.req("L1", PR);
    r.req("L2", EX);                 // BAST(L1, EX)
    assertThat(r.cvt("L1", CR)).containsExactly("CAST(L1,OK,CR)", "BAST(L1,EX)");
    assertThat(r.view("L1").highbast()).isEqualTo(EX);
  }

  @Test
  void ruleBIncompatibleHolderGetsTheHighestBlockedMode() {
    Rsb r = new Rsb();
    r.req("L0", NL);
    r.req("L1", CR);
    r.req("L9", EX);              // BAST(L1, EX)
    r.unl("L9");                  // nothing left blocked, L1 still has highbast EX
    r.req("L2", PW);
    assertThat(r.w()).isEmpty();
    r.req("L3", EX);              // blocked by L2 PW: BAST(L2, EX); L1 (CR) highbast EX: none
    assertThat(r.callbacks()).containsExactly("BAST(L2,EX)");
  }

  @Test
  void castCarriesTheGrantedModeAndPrecedesTheNextBastForTheSameLock() {
    Rsb r = new Rsb();
    r.req("L1", EX);
    r.req("L2", CR);
    r.req("L3", PW);
    assertThat(r.unl("L1")).containsExactly(
        "CAST(L1,EUNLOCK,IV)", "GONE(L1)", "CAST(L2,OK,CR)", "CAST(L3,OK,PW)");
    r.req("L4", CW);
    assertThat(r.callbacks()).containsExactly("BAST(L3,CW)");
  }

  @Test
  void ruleDNodlckwtSelfBastSkipsLocksWithoutCallback() {
    Rsb r = new Rsb();
    r.req("L1", PR);
    r.reqNoBast("L2", PR);
    r.cvt("L1", EX);
    r.cvt("L2", EX, LockFlag.NODLCKWT);
    r.req("L3", NL);
    assertThat(r.unl("L3")).containsExactly("CAST(L3,EUNLOCK,IV)", "GONE(L3)", "DEADLOCK(L1)");
  }
}
