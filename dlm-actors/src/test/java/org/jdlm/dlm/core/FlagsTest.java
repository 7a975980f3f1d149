package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jdlm.dlm.core.LockFlag.ALTCW;
import static org.jdlm.dlm.core.LockFlag.ALTPR;
import static org.jdlm.dlm.core.LockFlag.EXPEDITE;
import static org.jdlm.dlm.core.LockFlag.NODLCKBLK;
import static org.jdlm.dlm.core.LockFlag.NOORDER;
import static org.jdlm.dlm.core.LockFlag.TIMEOUT;
import static org.jdlm.dlm.core.LockMode.CR;
import static org.jdlm.dlm.core.LockMode.CW;
import static org.jdlm.dlm.core.LockMode.EX;
import static org.jdlm.dlm.core.LockMode.NL;
import static org.jdlm.dlm.core.LockMode.PR;
import static org.jdlm.dlm.core.LockMode.PW;

import org.junit.jupiter.api.Test;

/** Alternate modes and the ordering flags (semantics §2.2, §2.7; TV-27 … TV-30). */
class FlagsTest {

  @Test
  void tv27AltprGrantedImmediatelyInPr() {
    Rsb r = new Rsb();
    r.req("L1", PR);
    assertThat(r.req("L2", EX, ALTPR)).containsExactly("CAST(L2,OK,PR,ALTMODE)");
    assertThat(r.view("L2").granted()).isEqualTo(PR);
  }

  @Test
  void tv28AltcwGrantedImmediatelyInCw() {
    Rsb r = new Rsb();
    r.req("L1", CW);
    assertThat(r.req("L2", PR, ALTCW)).containsExactly("CAST(L2,OK,CW,ALTMODE)");
  }

  @Test
  void tv29AltprAppliedLaterFromTheWaitQueue() {
    Rsb r = new Rsb();
    r.req("L1", EX);
    assertThat(r.req("L2", PW, ALTPR)).containsExactly("QUEUED(L2)", "BAST(L1,PW)");
    assertThat(r.w()).containsExactly("L2:PW");
    assertThat(r.cvt("L1", PR)).containsExactly("CAST(L1,OK,PR)", "CAST(L2,OK,PR,ALTMODE)");
  }

  @Test
  void tv30AltprTakesPrecedenceSoAltcwIsNotTried() {
    Rsb r = new Rsb();
    r.req("L1", CW);
    // PR is tried (and fails against CW); CW, which would succeed, is not tried.
    assertThat(r.req("L2", EX, ALTPR, ALTCW)).containsExactly("QUEUED(L2)", "BAST(L1,EX)");
  }

  @Test
  void altcwIsTriedWhenTheRequestIsAlreadyPr() {
    Rsb r = new Rsb();
    r.req("L1", CW);
    assertThat(r.req("L2", PR, ALTPR, ALTCW)).containsExactly("CAST(L2,OK,CW,ALTMODE)");
  }

  @Test
  void altModeAppliesToConversions() {
    Rsb r = new Rsb();
    r.req("L1", PR);
    r.req("L2", CR);
    assertThat(r.cvt("L2", EX, ALTPR)).containsExactly("CAST(L2,OK,PR,ALTMODE)");
  }

  @Test
  void expediteIgnoresQueuedConversionsToo() {
    Rsb r = new Rsb();
    r.req("L1", PR);
    r.req("L2", CR);
    r.cvt("L2", EX);
    assertThat(r.req("L3", NL, EXPEDITE)).containsExactly("CAST(L3,OK,NL)");
  }

  @Test
  void noorderWaiterBehindABlockedOneIsGrantedOnAQueuePass() {
    Rsb r = new Rsb();
    r.req("L1", EX);
    r.req("L2", EX);
    r.req("L3", PR, NOORDER);
    assertThat(r.w()).containsExactly("L2:EX", "L3:PR");
    assertThat(r.cvt("L1", PR)).containsExactly("CAST(L1,OK,PR)", "CAST(L3,OK,PR)", "BAST(L3,EX)", "BAST(L1,EX)");
    assertThat(r.w()).containsExactly("L2:EX");
  }

  @Test
  void noorderStillRespectsCompatibility() {
    Rsb r = new Rsb();
    r.req("L1", EX);
    assertThat(r.req("L2", PR, NOORDER)).containsExactly("QUEUED(L2)", "BAST(L1,PR)");
  }

  @Test
  void nodlckblkAndTimeoutAreAcceptedAndIgnored() {
    Rsb r = new Rsb();
    r.req("L1", EX);
    assertThat(r.req("L2", PR, NODLCKBLK, TIMEOUT)).containsExactly("QUEUED(L2)", "BAST(L1,PR)");
    assertThat(r.unl("L1")).contains("CAST(L2,OK,PR)");
  }
}
