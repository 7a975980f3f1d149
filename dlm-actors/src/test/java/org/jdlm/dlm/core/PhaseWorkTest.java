package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jdlm.dlm.core.RecoveryPhase.AWAIT_FENCING;
import static org.jdlm.dlm.core.RecoveryPhase.DIRECTORY;
import static org.jdlm.dlm.core.RecoveryPhase.FINALIZE;
import static org.jdlm.dlm.core.RecoveryPhase.MEMBERS;
import static org.jdlm.dlm.core.RecoveryPhase.REBUILD_LOCKS;
import static org.jdlm.dlm.core.RecoveryPhase.REMASTER;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The rules of {@link PhaseWork}, named after them. Peers are "b", "c"; messages are strings. */
class PhaseWorkTest {

  private static final RecoveryPhase RUNNING = null;

  /** A member that entered {@code phase} of run 5. */
  private static PhaseWork<String, String> at(RecoveryPhase phase) {
    PhaseWork<String, String> work = new PhaseWork<>(2);
    if (phase == RUNNING) {
      work.startRun(5);
      work.enter(DIRECTORY);
      work.resume();
      return work;
    }
    if (phase == AWAIT_FENCING) {
      return work;
    }
    work.startRun(5);
    for (RecoveryPhase p : List.of(DIRECTORY, REMASTER, REBUILD_LOCKS, FINALIZE)) {
      if (work.phase() == phase) {
        break;
      }
      work.enter(p);
    }
    assertThat(work.phase()).isEqualTo(phase);
    return work;
  }

  /** Rule 1's table: from (null = running), to (null = running, by RESUME), legal. */
  static Stream<Arguments> transitions() {
    List<Arguments> rows = new ArrayList<>();
    RecoveryPhase[] states = {RUNNING, AWAIT_FENCING, MEMBERS, DIRECTORY, REMASTER, REBUILD_LOCKS, FINALIZE};
    Map<RecoveryPhase, List<RecoveryPhase>> work = new HashMap<>();
    work.put(MEMBERS, Arrays.asList(DIRECTORY));
    work.put(DIRECTORY, Arrays.asList(REMASTER, RUNNING)); // RESUME straight from DIRECTORY when nobody left
    work.put(REMASTER, Arrays.asList(REBUILD_LOCKS));
    work.put(REBUILD_LOCKS, Arrays.asList(FINALIZE));
    work.put(FINALIZE, Arrays.asList(RUNNING));
    for (RecoveryPhase from : states) {
      for (RecoveryPhase to : states) {
        boolean legal = to == AWAIT_FENCING // a stop, from anywhere
            || (from != RUNNING && to == MEMBERS) // a newer run, from any stopped phase
            || (from != RUNNING && work.getOrDefault(from, Arrays.asList()).contains(to));
        rows.add(Arguments.of(from, to, legal));
      }
    }
    return rows.stream();
  }

  @ParameterizedTest(name = "rule1_{0} -> {1} legal: {2}")
  @MethodSource("transitions")
  void rule1_onlyTheDrawnTransitionsAreLegal(RecoveryPhase from, RecoveryPhase to, boolean legal) {
    assertThat(PhaseWork.legal(from, to)).isEqualTo(legal);
  }

  @Test
  void rule1_anIllegalTransitionThrowsNamingBothStates() {
    PhaseWork<String, String> work = at(MEMBERS);
    assertThatThrownBy(() -> work.enter(FINALIZE)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("MEMBERS -> FINALIZE");
    PhaseWork<String, String> running = at(RUNNING);
    assertThatThrownBy(() -> running.startRun(9)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("running -> MEMBERS");
    assertThatThrownBy(() -> at(REMASTER).resume()).hasMessageContaining("REMASTER -> running");
  }

  @Test
  void rule2_aPhaseIsReportedOnceWhenNothingIsAwaited() {
    PhaseWork<String, String> work = at(MEMBERS);
    assertThat(work.reportDone()).isTrue();
    assertThat(work.reportDone()).as("reported once").isFalse();
    work.enter(DIRECTORY);
    work.expect(2);
    assertThat(work.reportDone()).isFalse();
    work.answered(5, DIRECTORY, null);
    assertThat(work.reportDone()).isFalse();
    work.answered(5, DIRECTORY, null);
    assertThat(work.reportDone()).isTrue();
    work.answered(5, DIRECTORY, null); // a late duplicate
    assertThat(work.reportDone()).as("a late answer does not report it twice").isFalse();
  }

  @Test
  void rule2_nothingIsReportedWhileStoppedOrRunning() {
    assertThat(at(AWAIT_FENCING).reportDone()).isFalse();
    assertThat(at(RUNNING).reportDone()).isFalse();
  }

  @Test
  void rule3_anAnswerOfAnotherRunOrPhaseDoesNotCount() {
    PhaseWork<String, String> work = at(DIRECTORY);
    work.expect(1);
    work.answered(4, DIRECTORY, null);
    work.answered(5, REMASTER, null);
    assertThat(work.awaiting()).isEqualTo(1);
    assertThat(work.reportDone()).isFalse();
  }

  @Test
  void rule4_batchesFlowAFewAtATimePerPeer() {
    PhaseWork<String, String> work = at(REMASTER);
    assertThat(work.queue("b", List.of("b1", "b2", "b3", "b4"))).containsExactly("b1", "b2");
    assertThat(work.queue("c", List.of("c1"))).containsExactly("c1");
    assertThat(work.awaiting()).isEqualTo(5);
    assertThat(work.answered(5, REMASTER, "b")).isEqualTo("b3");
    assertThat(work.answered(5, REMASTER, "c")).isNull();
    assertThat(work.answered(5, REMASTER, "b")).isEqualTo("b4");
    assertThat(work.answered(5, REMASTER, "b")).isNull();
    assertThat(work.reportDone()).as("b4 not answered yet").isFalse();
    assertThat(work.answered(5, REMASTER, "b")).isNull();
    assertThat(work.reportDone()).isTrue();
  }

  @Test
  void rule4_aStaleAnswerReleasesNoBatch() {
    PhaseWork<String, String> work = at(REBUILD_LOCKS);
    work.queue("b", List.of("b1", "b2", "b3"));
    assertThat(work.answered(4, REBUILD_LOCKS, "b")).isNull();
    assertThat(work.answered(5, REMASTER, "b")).isNull();
    assertThat(work.awaiting()).isEqualTo(3);
  }

  @Test
  void rule4_aNewPhaseOrAStopForgetsTheUnsentBatches() {
    PhaseWork<String, String> work = at(REMASTER);
    work.queue("b", List.of("b1", "b2", "b3"));
    work.stop();
    assertThat(work.awaiting()).isZero();
    work.checkInvariants();
  }

  /** Rule 5's table: registration generation, member generation, member phase, arrival. */
  static Stream<Arguments> registrations() {
    return Stream.of(
        Arguments.of(6, 5, DIRECTORY, PhaseWork.Arrival.HOLD),   // a newer run's: this member has not entered it
        Arguments.of(5, 5, MEMBERS, PhaseWork.Arrival.HOLD),     // this run's, ahead of this member's DIRECTORY
        Arguments.of(5, 5, AWAIT_FENCING, PhaseWork.Arrival.APPLY),
        Arguments.of(5, 5, DIRECTORY, PhaseWork.Arrival.APPLY),
        Arguments.of(5, 5, REMASTER, PhaseWork.Arrival.APPLY),
        Arguments.of(4, 5, DIRECTORY, PhaseWork.Arrival.DROP),   // an older run's
        Arguments.of(4, 5, MEMBERS, PhaseWork.Arrival.DROP));
  }

  @ParameterizedTest(name = "rule5_register of {0} at generation {1} in {2}: {3}")
  @MethodSource("registrations")
  void rule5_aRegistrationAheadOfItsPhaseIsHeldAnOlderOneDropped(long regGeneration, long generation,
      RecoveryPhase phase, PhaseWork.Arrival arrival) {
    assertThat(at(phase).onRegister(regGeneration, generation)).isEqualTo(arrival);
  }

  @Test
  void rule5_heldRegistrationsSurviveAStopAndComeBackInOrder() {
    PhaseWork<String, String> work = at(MEMBERS);
    work.holdRegister("r1");
    work.holdRegister("r2");
    work.stop();
    work.startRun(6);
    work.enter(DIRECTORY);
    assertThat(work.drainRegisters()).containsExactly("r1", "r2");
    assertThat(work.drainRegisters()).isEmpty();
  }

  /** Rule 6's table, for a member in run 5: message generation, member phase, lookup arrival, lock batch arrival. */
  static Stream<Arguments> batches() {
    return Stream.of(
        Arguments.of(5, MEMBERS, PhaseWork.Arrival.HOLD, PhaseWork.Arrival.HOLD),
        Arguments.of(5, DIRECTORY, PhaseWork.Arrival.HOLD, PhaseWork.Arrival.HOLD),
        Arguments.of(5, REMASTER, PhaseWork.Arrival.APPLY, PhaseWork.Arrival.HOLD),
        Arguments.of(5, REBUILD_LOCKS, PhaseWork.Arrival.APPLY, PhaseWork.Arrival.APPLY),
        Arguments.of(5, FINALIZE, PhaseWork.Arrival.APPLY, PhaseWork.Arrival.HOLD),
        Arguments.of(6, REMASTER, PhaseWork.Arrival.HOLD, PhaseWork.Arrival.HOLD),
        Arguments.of(4, REMASTER, PhaseWork.Arrival.DROP, PhaseWork.Arrival.DROP),
        Arguments.of(4, REBUILD_LOCKS, PhaseWork.Arrival.DROP, PhaseWork.Arrival.DROP));
  }

  @ParameterizedTest(name = "rule6_generation {0} in {1}: lookup {2}, locks {3}")
  @MethodSource("batches")
  void rule6_aBatchAheadOfItsPhaseIsHeldAStaleOneDropped(long generation, RecoveryPhase phase,
      PhaseWork.Arrival lookup, PhaseWork.Arrival locks) {
    PhaseWork<String, String> work = at(phase);
    assertThat(work.onRecoverLookup(generation)).isEqualTo(lookup);
    assertThat(work.onRecoverLocks(generation)).isEqualTo(locks);
  }

  @Test
  void rule6_heldBatchesComeBackInArrivalOrderAndAStopForgetsThem() {
    PhaseWork<String, String> work = at(DIRECTORY);
    work.hold("lookup1");
    work.hold("locks1");
    work.enter(REMASTER);
    assertThat(work.drainHeld()).containsExactly("lookup1", "locks1");
    work.hold("locks2");
    work.stop();
    assertThat(work.drainHeld()).isEmpty();
  }

  @Test
  void rule7_aLookupAnswerCountsOnlyAtRemasterOfItsRun() {
    assertThat(at(REMASTER).onRecoverLookupReply(5)).isEqualTo(PhaseWork.Arrival.APPLY);
    assertThat(at(REMASTER).onRecoverLookupReply(4)).isEqualTo(PhaseWork.Arrival.DROP);
    assertThat(at(REBUILD_LOCKS).onRecoverLookupReply(5)).isEqualTo(PhaseWork.Arrival.DROP);
    assertThat(at(AWAIT_FENCING).onRecoverLookupReply(5)).isEqualTo(PhaseWork.Arrival.DROP);
  }

  @Test
  void aBatchBoundBelowOneIsRefusedWithTheValue() {
    assertThatThrownBy(() -> new PhaseWork<String, String>(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0");
  }

  /**
   * Rules 2 and 4 together: whatever the batch sizes per peer and the order in which peers answer,
   * never more than the bound is unanswered per peer, every batch is sent exactly once, and the
   * phase is reported exactly once, after the last answer.
   */
  @Property
  void everyBatchIsSentOnceWithinTheBoundAndThePhaseEndsOnce(
      @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 0, max = 7) Integer> batchesPerPeer,
      @ForAll @IntRange(min = 1, max = 3) int inFlight, @ForAll @Size(max = 200) List<@IntRange(min = 0, max = 3) Integer> order) {
    PhaseWork<String, String> work = new PhaseWork<>(inFlight);
    work.startRun(1);
    work.enter(DIRECTORY);
    work.enter(REMASTER);
    Map<String, Integer> unanswered = new HashMap<>();
    List<String> sent = new ArrayList<>();
    int total = 0;
    for (int p = 0; p < batchesPerPeer.size(); p++) {
      String peer = "p" + p;
      List<String> batches = new ArrayList<>();
      for (int i = 0; i < batchesPerPeer.get(p); i++) {
        batches.add(peer + "-" + i);
      }
      total += batches.size();
      List<String> now = work.queue(peer, batches);
      sent.addAll(now);
      unanswered.put(peer, now.size());
    }
    int reports = work.reportDone() ? 1 : 0;
    List<Integer> answers = new ArrayList<>(order);
    for (int i = 0; i < 4 * 8; i++) {
      answers.add(i % 4); // then every peer answers until all is answered
    }
    for (int pick : answers) {
      String peer = "p" + (pick % batchesPerPeer.size());
      if (unanswered.getOrDefault(peer, 0) == 0) {
        continue;
      }
      String next = work.answered(1, REMASTER, peer);
      unanswered.merge(peer, next == null ? -1 : 0, Integer::sum);
      if (next != null) {
        sent.add(next);
      }
      assertThat(unanswered.get(peer)).isLessThanOrEqualTo(inFlight);
      work.checkInvariants();
      reports += work.reportDone() ? 1 : 0;
    }
    assertThat(sent).hasSize(total).doesNotHaveDuplicates();
    assertThat(reports).isEqualTo(1);
    assertThat(work.awaiting()).isZero();
  }
}
