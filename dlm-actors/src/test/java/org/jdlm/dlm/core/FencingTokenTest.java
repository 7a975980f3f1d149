package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jdlm.dlm.core.LockFlag.CONVDEADLK;
import static org.jdlm.dlm.core.LockMode.CR;
import static org.jdlm.dlm.core.LockMode.CW;
import static org.jdlm.dlm.core.LockMode.EX;
import static org.jdlm.dlm.core.LockMode.NL;
import static org.jdlm.dlm.core.LockMode.PR;

import org.junit.jupiter.api.Test;

/** Fencing tokens issued by the master (style rule 9). */
class FencingTokenTest {

  @Test
  void everyGrantFromTheFreeStateGetsANewerToken() {
    Rsb r = new Rsb(7);
    r.req("L1", PR);
    r.req("L2", PR);
    assertThat(r.view("L1").token()).isEqualTo(new FencingToken(7, 1));
    assertThat(r.view("L2").token()).isEqualTo(new FencingToken(7, 2));
    assertThat(r.cast("L2").token()).isEqualTo(new FencingToken(7, 2));
  }

  @Test
  void downAndSameModeConversionsKeepTheToken() {
    Rsb r = new Rsb();
    r.req("L1", EX);
    FencingToken t = r.view("L1").token();
    r.cvt("L1", EX);
    assertThat(r.view("L1").token()).isEqualTo(t);
    r.cvt("L1", CR);
    assertThat(r.view("L1").token()).isEqualTo(t);
    assertThat(r.cast("L1").token()).isEqualTo(t);
  }

  @Test
  void upAndMiddleConversionsGetANewToken() {
    Rsb r = new Rsb();
    r.req("L1", NL);
    FencingToken t1 = r.view("L1").token();
    r.cvt("L1", PR);
    FencingToken t2 = r.view("L1").token();
    assertThat(t2).isGreaterThan(t1);
    r.cvt("L1", CW);
    assertThat(r.view("L1").token()).isGreaterThan(t2);
  }

  @Test
  void aWaiterGrantedLaterGetsATokenNewerThanEveryEarlierOne() {
    Rsb r = new Rsb();
    r.req("L1", EX);
    r.req("L2", EX);
    FencingToken t1 = r.view("L1").token();
    r.unl("L1");
    assertThat(r.cast("L2").token()).isGreaterThan(t1);
    assertThat(r.cast("L1").token()).isNull();
  }

  @Test
  void cancelledConversionAndRefusedConversionKeepTheToken() {
    Rsb r = new Rsb();
    r.req("L1", PR);
    r.req("L2", CR);
    FencingToken t = r.view("L2").token();
    r.cvt("L2", EX);
    r.cancel("L2");
    assertThat(r.cast("L2").token()).isEqualTo(t);
  }

  @Test
  void demotedConversionGrantedLaterGetsANewToken() {
    Rsb r = new Rsb();
    r.req("L1", PR);
    r.req("L2", PR);
    r.cvt("L1", EX);
    FencingToken before = r.state.lastToken();
    r.cvt("L2", EX, CONVDEADLK);
    r.unl("L1");
    assertThat(r.cast("L2").token()).isGreaterThan(before);
  }

  @Test
  void raisingTheGenerationKeepsTokensMonotonic() {
    Rsb r = new Rsb(1);
    r.req("L1", PR);
    FencingToken t1 = r.view("L1").token();
    r.state.raiseTokenGeneration(2);
    r.req("L2", PR);
    assertThat(r.view("L2").token()).isGreaterThan(t1);
    assertThat(r.view("L2").token().generation()).isEqualTo(2);
  }

  @Test
  void theGenerationCannotGoBack() {
    Rsb r = new Rsb(5);
    assertThatThrownBy(() -> r.state.raiseTokenGeneration(4))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4").hasMessageContaining("5");
  }

  @Test
  void expeditedNlGrantGetsAToken() {
    Rsb r = new Rsb();
    r.req("L1", EX);
    r.req("L2", NL, LockFlag.EXPEDITE);
    assertThat(r.view("L2").token()).isNotNull();
  }
}
