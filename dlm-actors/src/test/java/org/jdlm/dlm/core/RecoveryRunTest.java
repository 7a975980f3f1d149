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

  @Test
  void aChangeWhoseLeaverIsStillAMemberWithoutANewIncarnationIsRejected() {
    assertThatThrownBy(() -> new RecoveryRun.Change(1, Set.of("n1", "n2"), Set.of(), Set.of("n2"), Set.of()))
        .hasMessageContaining("n2");
  }

  // ------------------------------------------------------------------ the change a barrier agreed on

  private static RecoveryRun.Member m(String node, long incarnation) {
    return new RecoveryRun.Member(node, incarnation);
  }

  /** One row: the agreed view, what the members last ran with, who was seen failing; the expected change. */
  private record Row(String rule, Set<RecoveryRun.Member> members, Set<RecoveryRun.Member> lastRunWith,
                     Set<String> seenFailed, Set<String> failed, Set<String> left, Set<String> joined) {}

  private static final List<Row> CHANGES = List.of(
      new Row("first run: everyone joined", Set.of(m("n1", 1), m("n2", 2)), Set.of(), Set.of(),
          Set.of(), Set.of(), Set.of("n1", "n2")),
      new Row("same view again (a reachability blip): nothing departs, nothing joins",
          Set.of(m("n1", 1), m("n2", 2)), Set.of(m("n1", 1), m("n2", 2)), Set.of("n2"),
          Set.of(), Set.of(), Set.of()),
      new Row("a member seen failing departs as failed", Set.of(m("n1", 1)), Set.of(m("n1", 1), m("n2", 2)),
          Set.of("n2"), Set.of("n2"), Set.of(), Set.of()),
      new Row("a member nobody saw failing left cleanly", Set.of(m("n1", 1)), Set.of(m("n1", 1), m("n2", 2)),
          Set.of(), Set.of(), Set.of("n2"), Set.of()),
      new Row("a new node joins", Set.of(m("n1", 1), m("n3", 3)), Set.of(m("n1", 1)), Set.of(),
          Set.of(), Set.of(), Set.of("n3")),
      new Row("§6.3 step 4: restarted before a run without it: old incarnation failed, new one joined",
          Set.of(m("n1", 1), m("n3", 33)), Set.of(m("n1", 1), m("n3", 3)), Set.of("n3"),
          Set.of("n3"), Set.of(), Set.of("n3")),
      new Row("§6.3 step 4: left cleanly and joined again: old incarnation left, new one joined",
          Set.of(m("n1", 1), m("n3", 33)), Set.of(m("n1", 1), m("n3", 3)), Set.of(),
          Set.of(), Set.of("n3"), Set.of("n3")),
      new Row("two members last ran with different incarnations of one node: both old ones departed",
          Set.of(m("n1", 1), m("n3", 333)), Set.of(m("n1", 1), m("n3", 3), m("n3", 33)), Set.of("n3"),
          Set.of("n3"), Set.of(), Set.of("n3")),
      new Row("a failure seen at a member that stayed (a blip) does not make another departure a failure",
          Set.of(m("n1", 1), m("n2", 2)), Set.of(m("n1", 1), m("n2", 2), m("n3", 3)), Set.of("n2"),
          Set.of(), Set.of("n3"), Set.of()));

  @Test
  void theChangeIsDecidedByIncarnationNotByNode() {
    for (Row row : CHANGES) {
      RecoveryRun.Change c = RecoveryRun.Change.between(9, row.members(), row.lastRunWith(), row.seenFailed());
      assertThat(c.generation()).as(row.rule()).isEqualTo(9);
      assertThat(c.members()).as(row.rule())
          .containsExactlyElementsOf(row.members().stream().map(RecoveryRun.Member::node).sorted().distinct().toList());
      assertThat(c.failed()).as(row.rule() + ": failed").isEqualTo(row.failed());
      assertThat(c.leftCleanly()).as(row.rule() + ": left cleanly").isEqualTo(row.left());
      assertThat(c.joined()).as(row.rule() + ": joined").isEqualTo(row.joined());
      assertThat(c.anyRemoved()).as(row.rule() + ": masters move").isEqualTo(!row.failed().isEmpty() || !row.left().isEmpty());
    }
  }

  @Test
  void aRestartedMembersRunFencesItsOldIncarnationThenRunsEveryPhaseWithItsNewOne() {
    RecoveryRun.Change change = RecoveryRun.Change.between(5, Set.of(m("n1", 1), m("n3", 33)),
        Set.of(m("n1", 1), m("n3", 3)), Set.of("n3"));
    RecoveryRun run = RecoveryRun.create(change, CLOCK);
    assertThat(run.begin().effects()).containsExactly(new RecoveryRun.RequestFencing(5, Set.of("n3")));
    assertThat(run.fenced("n3").effects())
        .containsExactly(new RecoveryRun.StartPhase(5, RecoveryPhase.MEMBERS, List.of("n1", "n3")));
    List<RecoveryPhase> seen = new java.util.ArrayList<>();
    while (run.phase() != RecoveryPhase.DONE) {
      seen.add(passBarrier(run));
    }
    assertThat(seen).containsExactly(RecoveryPhase.DIRECTORY, RecoveryPhase.REMASTER, RecoveryPhase.REBUILD_LOCKS,
        RecoveryPhase.FINALIZE, RecoveryPhase.RESUME, RecoveryPhase.DONE);
  }

  @Test
  void withGenerationKeepsTheChangeAndOnlyMovesTheGeneration() {
    RecoveryRun.Change c = new RecoveryRun.Change(1, Set.of("n1", "n3"), Set.of("n3"), Set.of(), Set.of("n3"));
    assertThat(c.withGeneration(8)).isEqualTo(new RecoveryRun.Change(8, Set.of("n1", "n3"), Set.of("n3"), Set.of(),
        Set.of("n3")));
  }

  @Test
  void anIncarnationReplacedInARunOneMemberMissedDoesNotDepartAgain() {
    // n1 and n2#12 ran with n3#10; n3#10 missed that run and still names n2#7 (and saw n2 fail).
    RecoveryRun.Member n1 = new RecoveryRun.Member("n1", 1);
    RecoveryRun.Member n2old = new RecoveryRun.Member("n2", 7);
    RecoveryRun.Member n2 = new RecoveryRun.Member("n2", 12);
    RecoveryRun.Member n3 = new RecoveryRun.Member("n3", 10);
    RecoveryRun.Member n4 = new RecoveryRun.Member("n4", 14);
    RecoveryRun.Change change = RecoveryRun.Change.between(5, Set.of(n1, n2, n3, n4), Set.of(n1, n2, n3, n2old),
        Set.of("n2"));
    assertThat(change.failed()).isEmpty();
    assertThat(change.leftCleanly()).isEmpty();
    assertThat(change.joined()).containsExactly("n4");
  }
}
