package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rules of {@link StopBarrier}, named after them. Members are node names; one incarnation each unless said. */
class StopBarrierTest {

  private static final Set<String> VIEW = Set.of("a", "b", "c");

  private static StopBarrier.Ack<String> ack(Set<String> view, long generation, List<String> lastView,
      MembershipView.Failure... failed) {
    return new StopBarrier.Ack<>(view, generation, lastView, List.of(failed));
  }

  private static RecoveryRun.Member member(String m) {
    return new RecoveryRun.Member(m.substring(0, 1), m.length() > 1 ? Long.parseLong(m.substring(1)) : 0);
  }

  private static StopBarrier.Agreed agreed(StopBarrier<String> barrier, Set<String> view) {
    return barrier.agreed(view, 3, Set.of("a", "b", "c"), 0, Map.of(), StopBarrierTest::member);
  }

  @Test
  void theBarrierPassesOnlyWhenEveryMemberAckedThisView() {
    StopBarrier<String> barrier = new StopBarrier<>();
    barrier.acked("a", ack(VIEW, 3, List.of("a", "b", "c")));
    barrier.acked("b", ack(VIEW, 3, List.of("a", "b", "c")));
    assertThat(agreed(barrier, VIEW)).isNull();
    barrier.acked("c", ack(VIEW, 3, List.of("a", "b", "c")));
    assertThat(agreed(barrier, VIEW)).isNotNull();
  }

  @Test
  void anAckForAnotherViewDoesNotCount() {
    StopBarrier<String> barrier = new StopBarrier<>();
    barrier.acked("a", ack(VIEW, 3, List.of()));
    barrier.acked("b", ack(VIEW, 3, List.of()));
    barrier.acked("c", ack(Set.of("a", "c"), 3, List.of()));
    assertThat(agreed(barrier, VIEW)).isNull();
    assertThat(barrier.ackedFor("c", VIEW)).isFalse();
    barrier.acked("c", ack(VIEW, 3, List.of())); // the latest ack replaces the earlier one
    assertThat(agreed(barrier, VIEW)).isNotNull();
  }

  @Test
  void theRunsGenerationIsAboveEveryReportedGeneration() {
    StopBarrier<String> barrier = new StopBarrier<>();
    barrier.acked("a", ack(VIEW, 3, List.of()));
    barrier.acked("b", ack(VIEW, 9, List.of()));
    barrier.acked("c", ack(VIEW, 0, List.of()));
    assertThat(agreed(barrier, VIEW).atLeast()).isEqualTo(10);
    assertThat(agreed(barrier, VIEW).change().generation()).isEqualTo(10);
  }

  @Test
  void coordinatorRetriesOnlyMembersWhoseAckIsMissing() {
    StopBarrier<String> barrier = new StopBarrier<>();
    barrier.acked("b", ack(VIEW, 3, List.of()));
    barrier.acked("c", ack(Set.of("a", "c"), 3, List.of())); // for another view: missing for this one
    assertThat(barrier.toAskAgain(List.of("a", "b", "c"), "a", Set.of(), 0)).containsExactly("c");
  }

  @Test
  void aStaleAckFromBeforeTheLastRunDoesNotCount() {
    // a, b and c ran generation 9 together; c's repeat of its StopAck from the barrier before that
    // run (generation 6) arrived after the run started. c has died since; a and b stop again.
    StopBarrier<String> barrier = new StopBarrier<>();
    barrier.acked("c", ack(VIEW, 6, List.of("a", "b", "c")));
    barrier.acked("a", ack(VIEW, 9, List.of("a", "b", "c")));
    barrier.acked("b", ack(VIEW, 9, List.of("a", "b", "c")));
    assertThat(barrier.agreed(VIEW, 9, VIEW, 9, Map.of(), StopBarrierTest::member)).isNull();
    assertThat(barrier.toAskAgain(List.of("a", "b", "c"), "a", VIEW, 9)).containsExactly("c");
    barrier.acked("c", ack(VIEW, 9, List.of("a", "b", "c")));
    assertThat(barrier.agreed(VIEW, 9, VIEW, 9, Map.of(), StopBarrierTest::member)).isNotNull();
  }

  @Test
  void aJoinersAckCountsWhateverItsGeneration() {
    Set<String> view = Set.of("a", "b", "d");
    StopBarrier<String> barrier = new StopBarrier<>();
    barrier.acked("a", ack(view, 9, List.of("a", "b")));
    barrier.acked("b", ack(view, 9, List.of("a", "b")));
    barrier.acked("d", ack(view, 0, List.of())); // d never ran: generation 0
    assertThat(barrier.agreed(view, 9, Set.of("a", "b"), 9, Map.of(), StopBarrierTest::member)).isNotNull();
  }

  @Test
  void theCoordinatorNeverAsksItselfAgain() {
    StopBarrier<String> barrier = new StopBarrier<>();
    assertThat(barrier.toAskAgain(List.of("a", "b"), "a", Set.of(), 0)).containsExactly("b");
  }

  @Test
  void theOldBehaviourNeverAsksAgain() {
    StopBarrier<String> barrier = StopBarrier.withoutAskingAgain();
    assertThat(barrier.toAskAgain(List.of("a", "b"), "a", Set.of(), 0)).isEmpty();
  }

  @Test
  void aClearedBarrierWaitsForEveryAckAgain() {
    StopBarrier<String> barrier = new StopBarrier<>();
    VIEW.forEach(m -> barrier.acked(m, ack(VIEW, 3, List.of())));
    barrier.clear();
    assertThat(agreed(barrier, VIEW)).isNull();
  }

  @Test
  void aMemberSomeoneSawFailIsFencedByTheIncarnationThatFailed() {
    StopBarrier<String> barrier = new StopBarrier<>();
    Set<String> view = Set.of("a", "b2");
    MembershipView.Failure b1 = new MembershipView.Failure("b", "pekko://s@b", 1);
    barrier.acked("a", ack(view, 3, List.of("a", "b1"), b1));
    barrier.acked("b2", ack(view, 0, List.of()));
    // The coordinator (b2, say, restarted) saw no failure itself.
    StopBarrier.Agreed agreed = barrier.agreed(view, 0, Set.of(), 0, Map.of(), StopBarrierTest::member);
    assertThat(agreed.change().failed()).containsExactly("b");
    assertThat(agreed.change().joined()).containsExactly("b");
    assertThat(agreed.toFence()).containsExactly(Map.entry("b", b1));
  }

  @Test
  void theCoordinatorsOwnFailureKnowledgeComesFirst() {
    StopBarrier<String> barrier = new StopBarrier<>();
    Set<String> view = Set.of("a");
    barrier.acked("a", ack(view, 3, List.of("a", "c"), new MembershipView.Failure("c", "x", 5)));
    MembershipView.Failure own = new MembershipView.Failure("c", "y", 6);
    StopBarrier.Agreed agreed = barrier.agreed(view, 3, Set.of("a", "c"), 3, Map.of("c", own), StopBarrierTest::member);
    assertThat(agreed.toFence()).containsExactly(Map.entry("c", own));
  }

  @Test
  void aMemberThatLeftWithoutFailingIsNotFenced() {
    StopBarrier<String> barrier = new StopBarrier<>();
    Set<String> view = Set.of("a", "b");
    barrier.acked("a", ack(view, 3, List.of("a", "b", "c")));
    barrier.acked("b", ack(view, 3, List.of("a", "b", "c")));
    StopBarrier.Agreed agreed = barrier.agreed(view, 3, Set.of(), 0, Map.of(), StopBarrierTest::member);
    assertThat(agreed.change().leftCleanly()).containsExactly("c");
    assertThat(agreed.toFence()).isEmpty();
    assertThat(StopBarrier.departedNodes(agreed.change())).containsExactly("c");
  }

  @Test
  void aStopAckForAnotherViewConvergesTheViewsUnlessItIsTheCoordinatorsOwn() {
    assertThat(StopBarrier.onStopAck(false, false, true, 3, 3, false)).isEqualTo(StopBarrier.OnStopAck.CONVERGE);
    assertThat(StopBarrier.onStopAck(true, false, false, 3, 3, false))
        .isEqualTo(StopBarrier.OnStopAck.OWN_FOR_ANOTHER_VIEW);
  }

  @Test
  void aStopAckForTheViewARunningMemberRunsStopsItAgainUnlessItIsOlder() {
    assertThat(StopBarrier.onStopAck(false, true, true, 3, 3, false)).isEqualTo(StopBarrier.OnStopAck.STOP_AGAIN);
    assertThat(StopBarrier.onStopAck(false, true, true, 2, 3, false)).isEqualTo(StopBarrier.OnStopAck.COUNT);
  }

  @Test
  void aStopAckForTheViewOfTheCoordinatorsRunIsAMemberStoppedMidRun() {
    assertThat(StopBarrier.onStopAck(false, true, false, 3, 4, true)).isEqualTo(StopBarrier.OnStopAck.STOPPED_MID_RUN);
    assertThat(StopBarrier.onStopAck(false, true, false, 3, 4, false)).isEqualTo(StopBarrier.OnStopAck.COUNT);
  }
}
