package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RecoveryRunTest {
  private static final Clock CLOCK = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);

  private static RecoveryRun.Change failureOf(String dead) {
    return new RecoveryRun.Change(7, Set.of("n1", "n2"), Set.of(dead), Set.of(), Set.of());
  }

  private static RecoveryPhase passBarrier(RecoveryRun run) {
    RecoveryRun.Outcome out = null;
    for (String m : List.copyOf(run.change().members())) {
      out = run.phaseDone(m, run.generation(), run.phase());
    }
    return out.phase();
  }

  @Test
  void nothingMovesUntilEveryFailedMemberIsFenced() {
    RecoveryRun run = RecoveryRun.create(new RecoveryRun.Change(7, Set.of("n1"), Set.of("n2", "n3"), Set.of(), Set.of()), CLOCK);
    assertThat(run.begin().effects()).containsExactly(new RecoveryRun.RequestFencing(7, Set.of("n2", "n3")));
    assertThat(run.phaseDone("n1", 7, RecoveryPhase.MEMBERS).effects())
        .singleElement().isInstanceOf(RecoveryRun.DroppedStale.class);
    assertThat(run.fenced("n2").effects()).isEmpty();
    assertThat(run.phase()).isEqualTo(RecoveryPhase.AWAIT_FENCING);
    assertThat(run.fenced("n3").effects())
        .containsExactly(new RecoveryRun.StartPhase(7, RecoveryPhase.MEMBERS, List.of("n1")));
  }

  @Test
  void aFailureRunsEveryPhaseInOrderWithABarrierEach() {
    RecoveryRun run = RecoveryRun.create(failureOf("n3"), CLOCK);
    run.begin();
    run.fenced("n3");
    List<RecoveryPhase> seen = new java.util.ArrayList<>(List.of(run.phase()));
    while (run.phase() != RecoveryPhase.DONE) {
      assertThat(run.phaseDone("n1", 7, run.phase()).effects()).as("one member is not a barrier").isEmpty();
      seen.add(passBarrier(run));
    }
    assertThat(seen).containsExactly(RecoveryPhase.MEMBERS, RecoveryPhase.DIRECTORY, RecoveryPhase.REMASTER,
        RecoveryPhase.REBUILD_LOCKS, RecoveryPhase.FINALIZE, RecoveryPhase.RESUME, RecoveryPhase.DONE);
  }

  @Test
  void aJoinRebuildsOnlyMembershipAndDirectoryAndNeedsNoFencing() {
    RecoveryRun run = RecoveryRun.create(new RecoveryRun.Change(3, Set.of("n1", "n2"), Set.of(), Set.of(), Set.of("n2")), CLOCK);
    assertThat(run.begin().effects()).containsExactly(new RecoveryRun.StartPhase(3, RecoveryPhase.MEMBERS, List.of("n1", "n2")));
    assertThat(passBarrier(run)).isEqualTo(RecoveryPhase.DIRECTORY);
    assertThat(passBarrier(run)).isEqualTo(RecoveryPhase.RESUME);
    assertThat(passBarrier(run)).isEqualTo(RecoveryPhase.DONE);
  }

  @Test
  void aCleanLeaveMovesMastersButNeedsNoFencing() {
    RecoveryRun run = RecoveryRun.create(new RecoveryRun.Change(4, Set.of("n1"), Set.of(), Set.of("n2"), Set.of()), CLOCK);
    assertThat(run.begin().phase()).isEqualTo(RecoveryPhase.MEMBERS);
    assertThat(passBarrier(run)).isEqualTo(RecoveryPhase.DIRECTORY);
    assertThat(passBarrier(run)).isEqualTo(RecoveryPhase.REMASTER);
  }

  @Test
  void reportsFromAnotherGenerationOrPhaseAreDroppedNotCounted() {
    RecoveryRun run = RecoveryRun.create(failureOf("n3"), CLOCK);
    run.begin();
    run.fenced("n3");
    assertThat(run.phaseDone("n1", 6, RecoveryPhase.MEMBERS).effects()).singleElement()
        .isInstanceOfSatisfying(RecoveryRun.DroppedStale.class, d -> assertThat(d.reason()).contains("generation 6"));
    assertThat(run.phaseDone("n1", 7, RecoveryPhase.DIRECTORY).effects()).singleElement()
        .isInstanceOfSatisfying(RecoveryRun.DroppedStale.class, d -> assertThat(d.reason()).contains("MEMBERS"));
    assertThat(run.phaseDone("n9", 7, RecoveryPhase.MEMBERS).effects()).singleElement()
        .isInstanceOfSatisfying(RecoveryRun.DroppedStale.class, d -> assertThat(d.reason()).contains("n9 is not a member"));
    assertThat(run.pendingBarrier()).containsExactly("n1", "n2");
  }

  @Test
  void aNewerChangeAbortsTheRunAndLateReportsAreIgnored() {
    RecoveryRun run = RecoveryRun.create(failureOf("n3"), CLOCK);
    run.begin();
    run.fenced("n3");
    passBarrier(run);
    assertThat(run.abort("n2 unreachable").effects()).containsExactly(new RecoveryRun.Aborted(7, "n2 unreachable"));
    assertThat(run.phaseDone("n1", 7, RecoveryPhase.DIRECTORY).effects()).singleElement()
        .isInstanceOf(RecoveryRun.DroppedStale.class);
    assertThat(run.abort("again").effects()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(RecoveryPhase.class)
  void everyPhaseNamesItsLegalSuccessorsAndRefusesOthers(RecoveryPhase from) {
    for (RecoveryPhase to : RecoveryPhase.values()) {
      if (from.successors().contains(to)) {
        assertThat(from.transitionTo(to)).isEqualTo(to);
      } else {
        assertThatThrownBy(() -> from.transitionTo(to)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining(from + " -> " + to);
      }
    }
  }

  @Test
  void aChangeWhoseFailedMemberIsStillAMemberIsRejected() {
    assertThatThrownBy(() -> new RecoveryRun.Change(1, Set.of("n1", "n2"), Set.of("n2"), Set.of(), Set.of()))
        .hasMessageContaining("n2");
  }
}
