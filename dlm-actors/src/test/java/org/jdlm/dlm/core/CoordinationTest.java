package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The rules of {@link Coordination}, named after them. Members are node names; "n1" coordinates. */
class CoordinationTest {

  private static final Clock CLOCK = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);
  private static final Set<String> VIEW = Set.of("n1", "n2");
  private static final MembershipView.Failure N3 = new MembershipView.Failure("n3", "pekko://jdlm@h:3", 33);

  /** n3 failed: the barrier of n1 and n2 agreed on it. */
  private static StopBarrier.Agreed n3Failed() {
    return new StopBarrier.Agreed(8, new RecoveryRun.Change(8, VIEW, Set.of("n3"), Set.of(), Set.of()),
        Map.of("n3", N3));
  }

  /** A coordinator whose run for n3's failure has started at generation 8 (waiting for fencing). */
  private static Coordination<String> started() {
    Coordination<String> c = new Coordination<>(CLOCK);
    Coordination.Fetch<String> fetch = c.prepare(n3Failed(), VIEW);
    assertThat(c.generationReady(VIEW, true, false, fetch.change(), fetch.toFence()))
        .isEqualTo(Coordination.Ready.STARTED);
    c.checkInvariants();
    return c;
  }

  /** Rule 1's table: coordinator, phase (null = running), a run under way, barrier open. */
  static Stream<Arguments> barriers() {
    return Stream.of(
        Arguments.of(true, RecoveryPhase.AWAIT_FENCING, false, true),
        Arguments.of(false, RecoveryPhase.AWAIT_FENCING, false, false),
        Arguments.of(true, RecoveryPhase.MEMBERS, false, false),
        Arguments.of(true, null, false, false),
        Arguments.of(true, RecoveryPhase.AWAIT_FENCING, true, false));
  }

  @ParameterizedTest(name = "rule1_coordinator {0}, at {1}, run {2}: open {3}")
  @MethodSource("barriers")
  void rule1_theBarrierIsOpenOnlyOnTheCoordinatorWaitingWithoutARun(boolean coordinator, RecoveryPhase phase,
      boolean running, boolean open) {
    Coordination<String> c = running ? started() : new Coordination<>(CLOCK);
    assertThat(c.atBarrier(coordinator, phase)).isEqualTo(open);
  }

  @Test
  void rule2_oneGenerationRequestPerView() {
    Coordination<String> c = new Coordination<>(CLOCK);
    Coordination.Fetch<String> fetch = c.prepare(n3Failed(), VIEW);
    assertThat(fetch.atLeast()).isEqualTo(8);
    assertThat(fetch.view()).isEqualTo(VIEW);
    assertThat(fetch.toFence()).containsExactly(Map.entry("n3", N3));
    assertThat(fetch.reason()).isEqualTo("members [n1, n2], departed [n3]");
    assertThat(c.prepare(n3Failed(), VIEW)).as("the request is out already").isNull();
    c.abort("membership changed again"); // a new view: the next agreement asks again
    assertThat(c.prepare(n3Failed(), VIEW)).isNotNull();
  }

  /** Rule 3's table: answered for the asked view, still waiting, failed, outcome. */
  static Stream<Arguments> answers() {
    return Stream.of(
        Arguments.of(true, true, false, Coordination.Ready.STARTED),
        Arguments.of(true, true, true, Coordination.Ready.RETRY),
        Arguments.of(true, false, false, Coordination.Ready.STALE),
        Arguments.of(false, true, false, Coordination.Ready.STALE));
  }

  @ParameterizedTest(name = "rule3_for the asked view {0}, still waiting {1}, failed {2}: {3}")
  @MethodSource("answers")
  void rule3_aGenerationIsUsedOnlyForTheViewItWasAskedFor(boolean askedView, boolean stillWaiting, boolean failed,
      Coordination.Ready ready) {
    Coordination<String> c = new Coordination<>(CLOCK);
    Coordination.Fetch<String> fetch = c.prepare(n3Failed(), VIEW);
    Set<String> answeredFor = askedView ? VIEW : Set.of("n1");
    assertThat(c.generationReady(answeredFor, stillWaiting, failed, fetch.change().withGeneration(9), fetch.toFence()))
        .isEqualTo(ready);
    assertThat(c.run() != null).isEqualTo(ready == Coordination.Ready.STARTED);
    if (ready == Coordination.Ready.RETRY) {
      assertThat(c.prepare(n3Failed(), VIEW)).as("a failed request is asked again").isNotNull();
    }
  }

  @Test
  void rule3_aStartedRunFencesFirstAndRemembersWhatItDeparts() {
    Coordination<String> c = started();
    assertThat(c.started()).containsExactly(new RecoveryRun.RequestFencing(8, Set.of("n3")));
    assertThat(c.departed()).containsExactly("n3");
    assertThat(c.fencedNodes()).containsExactly("n3");
    assertThat(c.failure("n3")).isEqualTo(N3);
    assertThat(c.awaitingFence()).containsExactly("n3");
  }

  @Test
  void rule4_aNewerChangeAbortsTheRunAndHandsOverItsGeneration() {
    Coordination<String> c = started();
    List<RecoveryRun.Effect> out = c.abort("membership changed again");
    assertThat(out).singleElement().isInstanceOf(RecoveryRun.Aborted.class);
    assertThat(c.abortedGeneration()).isEqualTo(8);
    assertThat(c.run()).isNull();
    assertThat(c.abort("again")).as("nothing left to abort").isEmpty();
    assertThat(c.abortedGeneration()).isEqualTo(-1);
  }

  @Test
  void rule5_aMemberStoppingAgainWhileTheRunWaitsForFencingChangesNothing() {
    Coordination.StoppedAgain<String> again = started().memberStoppedAgain("n2", 3, VIEW, 3);
    assertThat(again.action()).isEqualTo(MemberRecovery.StoppedAgain.NOTHING);
    assertThat(again.fetch()).isNull();
  }

  @Test
  void rule5_aMemberThatNeverEnteredTheRunIsToldMembersAgain() {
    Coordination<String> c = started();
    c.fenced(8, "n3"); // now at MEMBERS
    Coordination.StoppedAgain<String> again = c.memberStoppedAgain("n2", 3, VIEW, 3);
    assertThat(again.action()).isEqualTo(MemberRecovery.StoppedAgain.TELL_MEMBERS_AGAIN);
    assertThat(c.run()).as("the run goes on").isNotNull();
  }

  @Test
  void rule5_aMemberThatEnteredTheRunRestartsItAboveItsGenerationWithTheSameChange() {
    Coordination<String> c = started();
    c.fenced(8, "n3");
    Coordination.StoppedAgain<String> again = c.memberStoppedAgain("n2", 8, VIEW, 3);
    assertThat(again.action()).isEqualTo(MemberRecovery.StoppedAgain.RESTART);
    assertThat(again.aborted()).singleElement().isInstanceOf(RecoveryRun.Aborted.class);
    assertThat(again.generationFloor()).isEqualTo(8);
    assertThat(again.fetch().atLeast()).isEqualTo(9);
    assertThat(again.fetch().change().failed()).containsExactly("n3");
    assertThat(again.fetch().toFence()).containsExactly(Map.entry("n3", N3));
    assertThat(c.run()).isNull();
    assertThat(c.generationReady(VIEW, true, false, again.fetch().change().withGeneration(9), again.fetch().toFence()))
        .as("the restart's answer is for the view it asked for").isEqualTo(Coordination.Ready.STARTED);
  }

  @Test
  void rule6_fencingAndReportsCountOnlyForTheRunInProgressWhichEndsWhenFinished() {
    Coordination<String> c = started();
    assertThat(c.fencing(7)).isFalse();
    assertThat(c.fenced(7, "n3")).as("an older run's fencing").isNull();
    assertThat(c.fenced(8, "n3")).containsExactly(new RecoveryRun.StartPhase(8, RecoveryPhase.MEMBERS, List.of("n1", "n2")));
    assertThat(c.awaitingFence()).isNull();
    while (c.run() != null) {
      RecoveryPhase phase = c.run().phase();
      c.phaseDone("n1", 8, phase);
      List<RecoveryRun.Effect> out = c.phaseDone("n2", 8, phase);
      c.checkInvariants();
      if (c.run() == null) {
        assertThat(out).anyMatch(e -> e instanceof RecoveryRun.Finished);
      }
    }
    assertThat(c.phaseDone("n1", 8, RecoveryPhase.RESUME)).as("no run: nothing").isEmpty();
    assertThat(c.departed()).as("kept for the last run's report").containsExactly("n3");
  }
}
