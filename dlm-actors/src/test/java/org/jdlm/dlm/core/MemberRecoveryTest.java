package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jdlm.dlm.core.MemberRecovery.Action.CONVERGE;
import static org.jdlm.dlm.core.MemberRecovery.Action.IGNORE;
import static org.jdlm.dlm.core.MemberRecovery.Action.START_MEMBERS;
import static org.jdlm.dlm.core.MemberRecovery.Action.START_PHASE;
import static org.jdlm.dlm.core.RecoveryPhase.AWAIT_FENCING;
import static org.jdlm.dlm.core.RecoveryPhase.DIRECTORY;
import static org.jdlm.dlm.core.RecoveryPhase.MEMBERS;
import static org.jdlm.dlm.core.RecoveryPhase.REMASTER;
import static org.jdlm.dlm.core.RecoveryPhase.RESUME;

import org.junit.jupiter.api.Test;

/** The rules of {@link MemberRecovery}, named after them: (member phase, generation, run) x RunPhase -> action. */
class MemberRecoveryTest {

  @Test
  void aNewerRunForAnotherViewConverges() {
    assertThat(MemberRecovery.onRunPhase(AWAIT_FENCING, 4, 4, MEMBERS, 5, false)).isEqualTo(CONVERGE);
    assertThat(MemberRecovery.onRunPhase(null, 4, 4, MEMBERS, 5, false)).isEqualTo(CONVERGE);
  }

  @Test
  void membersOfANewerRunForThisViewStartsItFromAnyPhase() {
    assertThat(MemberRecovery.onRunPhase(AWAIT_FENCING, 4, 4, MEMBERS, 5, true)).isEqualTo(START_MEMBERS);
    assertThat(MemberRecovery.onRunPhase(REMASTER, 5, 5, MEMBERS, 6, true)).isEqualTo(START_MEMBERS);
  }

  @Test
  void aRepeatedMembersOfAGenerationAlreadyEnteredIsIgnored() {
    assertThat(MemberRecovery.onRunPhase(AWAIT_FENCING, 4, 4, MEMBERS, 4, true)).isEqualTo(IGNORE);
    assertThat(MemberRecovery.onRunPhase(DIRECTORY, 4, 4, MEMBERS, 4, true)).isEqualTo(IGNORE);
  }

  @Test
  void aMemberThatNeverEnteredTheRunIsToldMembersAgain() {
    assertThat(MemberRecovery.memberStoppedAgain(MEMBERS, 5, 4)).isEqualTo(MemberRecovery.StoppedAgain.TELL_MEMBERS_AGAIN);
  }

  @Test
  void aMemberThatEnteredTheRunAndLeftItRestartsTheRun() {
    assertThat(MemberRecovery.memberStoppedAgain(MEMBERS, 5, 5)).isEqualTo(MemberRecovery.StoppedAgain.RESTART);
    assertThat(MemberRecovery.memberStoppedAgain(DIRECTORY, 5, 4)).isEqualTo(MemberRecovery.StoppedAgain.RESTART);
  }

  @Test
  void nothingWasAskedOfAMemberWhileTheRunWaitsForFencing() {
    assertThat(MemberRecovery.memberStoppedAgain(AWAIT_FENCING, 5, 5)).isEqualTo(MemberRecovery.StoppedAgain.NOTHING);
  }

  @Test
  void anOldMembersOrMembersToARunningMemberIsIgnored() {
    assertThat(MemberRecovery.onRunPhase(AWAIT_FENCING, 6, 6, MEMBERS, 5, true)).isEqualTo(IGNORE);
    assertThat(MemberRecovery.onRunPhase(null, 4, 4, MEMBERS, 5, true)).isEqualTo(IGNORE);
  }

  @Test
  void aLaterPhaseCountsOnlyForTheMembersOwnRunAndNotWhileStopped() {
    assertThat(MemberRecovery.onRunPhase(MEMBERS, 5, 5, DIRECTORY, 5, true)).isEqualTo(START_PHASE);
    assertThat(MemberRecovery.onRunPhase(MEMBERS, 5, 5, DIRECTORY, 4, true)).isEqualTo(IGNORE);
    assertThat(MemberRecovery.onRunPhase(AWAIT_FENCING, 5, 5, DIRECTORY, 5, true)).isEqualTo(IGNORE);
    assertThat(MemberRecovery.onRunPhase(null, 5, 5, RESUME, 5, true)).isEqualTo(IGNORE);
  }

  @Test
  void aMemberWaitingAtTheBarrierRepeatsItsStopAckWhateverTheHellosGeneration() {
    assertThat(MemberRecovery.onHello(true, AWAIT_FENCING, false, 0, 7)).isEqualTo(MemberRecovery.OnHello.REPEAT_STOP_ACK);
  }

  @Test
  void aMemberStillProbingWithholdsItsStopAck() {
    assertThat(MemberRecovery.onHello(true, AWAIT_FENCING, true, 7, 0)).isEqualTo(MemberRecovery.OnHello.NOTHING);
  }

  @Test
  void aRunningMemberOrOneInARunStopsAgainUnlessTheHelloIsOlder() {
    assertThat(MemberRecovery.onHello(true, null, false, 7, 7)).isEqualTo(MemberRecovery.OnHello.STOP_AGAIN);
    assertThat(MemberRecovery.onHello(true, DIRECTORY, false, 8, 7)).isEqualTo(MemberRecovery.OnHello.STOP_AGAIN);
    assertThat(MemberRecovery.onHello(true, null, false, 6, 7)).isEqualTo(MemberRecovery.OnHello.NOTHING);
  }

  @Test
  void aHelloForAnotherViewAsksNothingMore() {
    assertThat(MemberRecovery.onHello(false, AWAIT_FENCING, false, 7, 7)).isEqualTo(MemberRecovery.OnHello.NOTHING);
    assertThat(MemberRecovery.onHello(false, null, false, 9, 7)).isEqualTo(MemberRecovery.OnHello.NOTHING);
  }
}
