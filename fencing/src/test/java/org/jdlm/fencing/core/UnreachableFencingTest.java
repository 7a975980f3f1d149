package org.jdlm.fencing.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.jdlm.fencing.core.UnreachableFencing.Action;
import org.jdlm.fencing.core.UnreachableFencing.Member;
import org.jdlm.fencing.core.UnreachableFencing.Status;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Fencing on the failure detector's verdict: only a quorate side, only its decider, only once. */
class UnreachableFencingTest {

  private static final long AFTER = 1000;

  private static Member m(int i) {
    return new Member("a" + i, "n" + i, 100 + i, Status.UP);
  }

  private static UnreachableFencing cluster(int size) {
    UnreachableFencing f = new UnreachableFencing(AFTER);
    for (int i = 1; i <= size; i++) {
      f.memberChanged(m(i));
    }
    return f;
  }

  /** This member's failure detector hears nobody that is unreachable (the plain case). */
  private static final Predicate<String> SILENT = address -> false;

  private static List<Action> due(UnreachableFencing f, String self, long now) {
    return f.due(self, now, SILENT);
  }

  private static List<String> fences(List<Action> actions) {
    return actions.stream().map(a -> ((Action.Fence) a).member().name()).toList();
  }

  /**
   * Cluster size, which members are unreachable (for 1 s), who asks, and what it fences. The
   * decider is the lowest reachable member of a strict majority; nobody else fences.
   */
  @ParameterizedTest(name = "{0} members, unreachable {1}, asked by {2} -> fences {3}")
  @CsvSource({
      "3, 3,   a1, n3",
      "3, 3,   a2, -",       // not the lowest reachable member
      "3, 1,   a2, n1",      // the lowest died: the next one decides
      "3, 1,   a3, -",
      "3, 2;3, a1, -",       // 1 of 3 reachable: a minority fences nobody
      "4, 3;4, a1, -",       // 2 of 4: not a strict majority (the SBR decides ties)
      "5, 4;5, a1, n4;n5",   // 3 of 5: both, in address order
      "5, 1;2, a3, n1;n2",
      "1, -,   a1, -",       // nobody unreachable
  })
  void onlyTheDeciderOfAStrictMajorityFences(int size, String unreachable, String self, String expected) {
    UnreachableFencing f = cluster(size);
    if (!unreachable.equals("-")) {
      for (String i : unreachable.split(";")) {
        f.unreachable("a" + i, 0);
      }
    }
    List<String> want = expected.equals("-") ? List.of() : List.of(expected.split(";"));
    assertThat(fences(due(f, self, AFTER))).isEqualTo(want);
  }

  @Test
  void aMemberIsFencedOnlyAfterItStayedUnreachableForTheDelay() {
    UnreachableFencing f = cluster(3);
    f.unreachable("a3", 5000);
    assertThat(due(f, "a1", 5999)).isEmpty();
    assertThat(fences(due(f, "a1", 6000))).containsExactly("n3");
  }

  @Test
  void aReachableBlipStartsTheCountAgain() {
    UnreachableFencing f = cluster(3);
    f.unreachable("a3", 0);
    f.reachable("a3");
    f.unreachable("a3", 900);
    assertThat(due(f, "a1", 1500)).isEmpty();
    assertThat(fences(due(f, "a1", 1900))).containsExactly("n3");
  }

  @Test
  void aFenceInProgressIsNotAskedForTwiceAndAConfirmedOneDownsTheMemberOnce() {
    UnreachableFencing f = cluster(3);
    f.unreachable("a3", 0);
    List<Action> first = due(f, "a1", AFTER);
    assertThat(fences(first)).containsExactly("n3");
    assertThat(due(f, "a1", AFTER + 10)).as("in progress").isEmpty();
    assertThat(f.fenced(m(3))).containsExactly(new Action.Down(m(3)));
    assertThat(due(f, "a1", AFTER + 20)).as("already fenced").isEmpty();
  }

  @Test
  void aFailedFenceIsDueAgainAfterTheDelay() {
    UnreachableFencing f = cluster(3);
    f.unreachable("a3", 0);
    due(f, "a1", AFTER);
    f.fenceFailed(m(3), 3000);
    assertThat(due(f, "a1", 3500)).isEmpty();
    assertThat(fences(due(f, "a1", 4000))).containsExactly("n3");
  }

  @Test
  void aRestartedIncarnationAtTheSameAddressIsNotDownedForItsPredecessor() {
    UnreachableFencing f = cluster(3);
    f.unreachable("a3", 0);
    due(f, "a1", AFTER);
    Member restarted = new Member("a3", "n3", 999, Status.UP);
    f.memberChanged(restarted);
    assertThat(f.fenced(m(3))).isEmpty();
    assertThat(due(f, "a1", 10 * AFTER)).as("the new incarnation is not unreachable").isEmpty();
  }

  @Test
  void membersThatNoLongerCountAreNeitherFencedNorCountedForTheMajority() {
    UnreachableFencing f = cluster(3);
    f.memberChanged(new Member("a2", "n2", 102, Status.DOWN)); // downed or exiting
    f.unreachable("a2", 0);
    f.unreachable("a3", 0);
    // a1 alone of {a1, a3} counted: 1 of 2 is no strict majority.
    assertThat(due(f, "a1", AFTER)).isEmpty();
    f.memberRemoved("a2");
    f.memberChanged(m(4));
    assertThat(fences(due(f, "a1", AFTER))).containsExactly("n3"); // a1, a4 of a1, a3, a4
  }

  @Test
  void aMemberNotYetInTheMembershipNeverDecides() {
    UnreachableFencing f = cluster(3);
    f.unreachable("a3", 0);
    assertThat(due(f, "a0", AFTER)).isEmpty();
  }

  /**
   * Issue 14 item 2: only an Up member decides. A member whose own status is anything else (its
   * welcoming member may have died before the others learnt of it) never fences, even when it
   * would be the lowest reachable member of a majority.
   */
  @ParameterizedTest(name = "self {0} -> decides {1}")
  @CsvSource({"JOINING, false", "WEAKLY_UP, false", "UP, true", "LEAVING, false", "EXITING, false", "DOWN, false"})
  void onlyAnUpMemberDecides(Status selfStatus, boolean decides) {
    UnreachableFencing f = cluster(3);
    f.memberChanged(new Member("a1", "n1", 101, selfStatus));
    f.unreachable("a2", 0);
    List<String> want = decides ? List.of("n2") : List.of();
    assertThat(fences(due(f, "a1", AFTER))).isEqualTo(want);
  }

  /**
   * Members that are not Up count in the total but never towards the majority: 2 Up reachable of
   * 4 counted (one of them Joining) is no strict majority, and nobody fences.
   */
  @ParameterizedTest(name = "fourth member {0} -> fences {1}")
  @CsvSource({"JOINING, -", "WEAKLY_UP, -", "LEAVING, -", "UP, n3", "EXITING, n3", "DOWN, n3"})
  void membersThatAreNotUpDoNotVote(Status fourth, String expected) {
    UnreachableFencing f = cluster(3);
    f.memberChanged(new Member("a4", "n4", 104, fourth));
    f.unreachable("a3", 0);
    List<String> want = expected.equals("-") ? List.of() : List.of(expected);
    assertThat(fences(due(f, "a1", AFTER))).isEqualTo(want);
  }

  /**
   * Issue 14 item 1: the timer ran out, but this member's failure detector hears the member at the
   * moment the fence would be sent (it was resumed, its heartbeats arrive, and the gossiped
   * reachability has not caught up): not fenced, and the count starts over from that moment.
   */
  @Test
  void aMemberHeardAgainWhenTheTimerRunsOutIsNotFencedAndItsCountStartsOver() {
    UnreachableFencing f = cluster(3);
    f.unreachable("a3", 0);
    Predicate<String> hearsA3 = Set.of("a3")::contains;
    assertThat(f.due("a1", AFTER + 500, hearsA3)).isEmpty();
    assertThat(f.due("a1", AFTER + 1400, SILENT)).as("count restarted at 1500").isEmpty();
    assertThat(fences(f.due("a1", AFTER + 1500 + AFTER, SILENT))).containsExactly("n3");
  }

  /** The detector is asked only about members that are due; hearing another member changes nothing. */
  @Test
  void hearingAnotherMemberDoesNotStopTheFence() {
    UnreachableFencing f = cluster(3);
    f.unreachable("a3", 0);
    assertThat(fences(f.due("a1", AFTER, Set.of("a2")::contains))).containsExactly("n3");
  }

  @Test
  void aNegativeDelayIsRefusedWithTheValue() {
    assertThatThrownBy(() -> new UnreachableFencing(-1)).hasMessageContaining("-1");
  }
}
