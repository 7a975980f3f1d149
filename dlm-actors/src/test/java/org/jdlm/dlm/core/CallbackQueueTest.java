package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jdlm.dlm.core.LockMode.CR;
import static org.jdlm.dlm.core.LockMode.CW;
import static org.jdlm.dlm.core.LockMode.EX;
import static org.jdlm.dlm.core.LockMode.NL;
import static org.jdlm.dlm.core.LockMode.PR;
import static org.jdlm.dlm.core.LockMode.PW;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Delivery-layer suppression ({@code ast.c: dlm_enqueue_lkb_callback}, semantics §3; TV-37). */
class CallbackQueueTest {

  private static Callback.Completion cast(LockMode mode) {
    return new Callback.Completion(CastStatus.OK, mode, SbFlags.NONE, null, new FencingToken(1, 1));
  }

  private static List<String> drain(CallbackQueue q) {
    List<String> out = new ArrayList<>();
    for (Callback cb = q.poll(); cb != null; cb = q.poll()) {
      out.add(MiniCluster.render(cb));
    }
    return out;
  }

  @Test
  void tv37SecondBastOfTheSameModeIsDropped() {
    CallbackQueue q = new CallbackQueue(true, 8);
    q.offerCompletion(cast(PR));
    assertThat(q.offerBlocking(CW)).isTrue();
    assertThat(q.offerBlocking(CW)).isFalse();
    assertThat(drain(q)).containsExactly("cast OK PR", "bast CW");
  }

  @Test
  void theRuleLooksAtTheLastQueuedCallbackEvenAfterDelivery() {
    CallbackQueue q = new CallbackQueue(true, 8);
    q.offerCompletion(cast(PR));
    q.offerBlocking(CW);
    drain(q);
    assertThat(q.offerBlocking(CW)).isFalse();
  }

  @Test
  void bastCompatibleWithTheLastCastModeIsDropped() {
    CallbackQueue q = new CallbackQueue(true, 8);
    q.offerCompletion(cast(CR));
    assertThat(q.offerBlocking(PW)).isFalse(); // CR is compatible with PW: not really blocking
    assertThat(q.offerBlocking(EX)).isTrue();
  }

  @Test
  void lowerBastAfterAHigherOneAbovePrIsDropped() {
    CallbackQueue q = new CallbackQueue(true, 8);
    q.offerCompletion(cast(EX));
    assertThat(q.offerBlocking(EX)).isTrue();
    assertThat(q.offerBlocking(PW)).isFalse();
    assertThat(q.offerBlocking(NL)).isFalse(); // NL compatible with EX anyway
  }

  @Test
  void cwAfterPrIsKeptBecauseOfThePrCwInversion() {
    CallbackQueue q = new CallbackQueue(true, 8);
    q.offerCompletion(cast(PW));
    assertThat(q.offerBlocking(PR)).isTrue();
    assertThat(q.offerBlocking(CW)).isTrue(); // prev PR > CW but PR is not above PR
  }

  @Test
  void aCastBetweenTwoBastsLetsTheSecondThrough() {
    CallbackQueue q = new CallbackQueue(true, 8);
    q.offerCompletion(cast(EX));
    q.offerBlocking(PR);
    q.offerCompletion(cast(EX));
    assertThat(q.offerBlocking(PR)).isTrue();
    assertThat(drain(q)).containsExactly("cast OK EX", "bast PR", "cast OK EX", "bast PR");
  }

  @Test
  void noBastForALockWithoutBastCallback() {
    CallbackQueue q = new CallbackQueue(false, 8);
    q.offerCompletion(cast(EX));
    assertThat(q.offerBlocking(EX)).isFalse();
    assertThat(q.size()).isEqualTo(1);
  }

  @Test
  void unlockCastClearsTheModeSoBastsAreNotSuppressedByIt() {
    CallbackQueue q = new CallbackQueue(true, 8);
    q.offerCompletion(cast(NL));
    q.offerCompletion(new Callback.Completion(CastStatus.EUNLOCK, null, SbFlags.NONE, null, null));
    assertThat(q.offerBlocking(CR)).isTrue();
  }

  @Test
  void overflowIsABugReportedWithThePendingCallbacks() {
    CallbackQueue q = new CallbackQueue(true, 2);
    q.offerCompletion(cast(EX));
    q.offerBlocking(PR);
    assertThatThrownBy(() -> q.offerCompletion(cast(EX)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("capacity 2");
  }
}
