package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.jdlm.dlm.core.MembershipView.Change;
import org.jdlm.dlm.core.MembershipView.Termination;
import org.jdlm.dlm.core.MembershipView.Watch;
import org.junit.jupiter.api.Test;

/** The rules of {@link MembershipView}, one test (or more) per rule, named after it. */
class MembershipViewTest {

  /** A member incarnation: its node's address and the uid of this incarnation. */
  record Inc(String node, int uid) {}

  private static final Inc A1 = new Inc("a", 1);
  private static final Inc B1 = new Inc("b", 1);
  private static final Inc B2 = new Inc("b", 2);
  private static final Inc C1 = new Inc("c", 1);

  private static MembershipView<Inc, String> viewOf(Inc self) {
    return new MembershipView<>(self, self.node(), Inc::node, a -> true, a -> a,
        Comparator.comparing(Inc::node).thenComparingInt(Inc::uid));
  }

  private static MembershipView<Inc, String> upAt(Inc self, String... addresses) {
    MembershipView<Inc, String> v = viewOf(self);
    for (String a : addresses) {
      v.event(a, 1, Change.UP, false);
    }
    return v;
  }

  // ---- rule 1: departed is forever

  @Test
  void aDepartedMemberNeverReturnsToTheViewEvenWhenListedOrNamedAgain() {
    MembershipView<Inc, String> v = viewOf(A1);
    v.listed(Set.of(A1, B1));
    assertThat(v.terminated(B1, 0)).isEqualTo(Termination.DEPART); // b never seen Up: certain
    v.listed(Set.of(A1, B1)); // the registry lags
    assertThat(v.learn(B1)).isEqualTo(Watch.NONE);
    assertThat(v.proposed()).containsExactly(A1);
    v.checkInvariants();
  }

  @Test
  void aRestartedIncarnationIsANewMemberBesideItsDepartedPredecessor() {
    MembershipView<Inc, String> v = upAt(A1, "b");
    v.learn(B1);
    v.adopt(v.proposed());
    v.event("b", 1, Change.DOWNED, false);
    v.learn(B2);
    assertThat(v.proposed()).containsExactlyInAnyOrder(A1, B2);
  }

  // ---- rule 2: watch only what the death watch covers

  @Test
  void aMemberAtAnAddressNotSeenUpIsWatchedOnlyOnceItsNodeIsUp() {
    MembershipView<Inc, String> v = viewOf(A1);
    assertThat(v.learn(B1)).isEqualTo(Watch.WHEN_UP);
    assertThat(v.watch(B1)).as("asked twice, deferred once").isEqualTo(Watch.NONE);
    MembershipView.Event<Inc> up = v.event("b", 7, Change.UP, false);
    assertThat(up.watch()).containsExactly(B1);
    assertThat(v.watch(B1)).isEqualTo(Watch.NOW);
  }

  @Test
  void aMemberOfThisNodeOrAtAnAddressSeenUpIsWatchedAtOnce() {
    MembershipView<Inc, String> v = upAt(A1, "b");
    assertThat(v.learn(B1)).isEqualTo(Watch.NOW);
    assertThat(v.watch(new Inc("a", 9))).isEqualTo(Watch.NOW);
  }

  @Test
  void aLocalMemberIsWatchedAtOnce() {
    MembershipView<Inc, String> v = new MembershipView<>(A1, "a", Inc::node, a -> !a.equals("local"), a -> a,
        Comparator.comparing(Inc::node));
    assertThat(v.learn(new Inc("local", 3))).isEqualTo(Watch.NOW);
  }

  // ---- rule 3: verified, not believed

  @Test
  void terminationOfAnAddressSeenUpIsVerifiedNotBelieved() {
    MembershipView<Inc, String> v = upAt(A1, "b");
    v.learn(B1);
    v.adopt(v.proposed());
    assertThat(v.terminated(B1, 100)).isEqualTo(Termination.VERIFY_FIRST);
    assertThat(v.terminated(B1, 200)).isEqualTo(Termination.VERIFY_AGAIN);
    assertThat(v.proposed()).contains(B1);
    assertThat(v.verifying()).isTrue();
  }

  @Test
  void terminationOfAMemberAlreadyDepartedIsNotVerified() {
    MembershipView<Inc, String> v = upAt(A1, "b");
    v.learn(B1);
    v.adopt(v.proposed());
    v.event("b", 1, Change.DOWNED, false); // departs it at once
    assertThat(v.terminated(B1, 0)).isEqualTo(Termination.DEPART);
    assertThat(v.verifying()).isFalse();
    v.checkInvariants();
  }

  @Test
  void terminationOfAnAddressNeverSeenUpIsBelieved() {
    MembershipView<Inc, String> v = viewOf(A1);
    v.learn(B1);
    assertThat(v.terminated(B1, 0)).isEqualTo(Termination.DEPART);
    assertThat(v.proposed()).containsExactly(A1);
  }

  @Test
  void terminationOfAnAddressRemovedSinceItWasUpIsBelieved() {
    MembershipView<Inc, String> v = upAt(A1, "b");
    v.event("b", 1, Change.REMOVED, false);
    v.learn(B2);
    assertThat(v.terminated(B2, 0)).isEqualTo(Termination.DEPART);
  }

  @Test
  void aGuardianStillRunningTheMemberKeepsItAndOneNotRunningItDepartsIt() {
    MembershipView<Inc, String> v = upAt(A1, "b", "c");
    v.learn(B1);
    v.learn(C1);
    v.terminated(B1, 0);
    v.terminated(C1, 0);
    MembershipView.Settled<Inc> atB = v.guardianAnswered("b", List.of(B1));
    assertThat(atB.alive()).containsExactly(B1);
    assertThat(atB.departed()).isEmpty();
    MembershipView.Settled<Inc> atC = v.guardianAnswered("c", List.of());
    assertThat(atC.departed()).containsExactly(C1);
    assertThat(v.proposed()).containsExactlyInAnyOrder(A1, B1);
    assertThat(v.verifying()).isFalse();
  }

  @Test
  void aGuardianAnsweringAboutAnotherAddressSettlesNothing() {
    MembershipView<Inc, String> v = upAt(A1, "b");
    v.learn(B1);
    v.terminated(B1, 0);
    assertThat(v.guardianAnswered("c", List.of()).departed()).isEmpty();
    assertThat(v.verifying()).isTrue();
  }

  @Test
  void aNodeSilentForTheJoinTimeoutCannotBeRunningTheMember() {
    MembershipView<Inc, String> v = upAt(A1, "b");
    v.learn(B1);
    v.terminated(B1, 1_000);
    assertThat(v.verifyTick(1_500, 1_000).askAgain()).containsExactly(B1);
    assertThat(v.terminated(B1, 1_800)).as("the first question's time stays").isEqualTo(Termination.VERIFY_AGAIN);
    MembershipView.VerifyRound<Inc> late = v.verifyTick(2_001, 1_000);
    assertThat(late.departed()).containsExactly(B1);
    assertThat(v.proposed()).containsExactly(A1);
  }

  @Test
  void theOldBehaviourBelievesEveryTermination() {
    MembershipView<Inc, String> v = MembershipView.believingEveryTermination(A1, "a", Inc::node, a -> true, a -> a,
        Comparator.comparing(Inc::node));
    v.event("b", 1, Change.UP, false);
    v.learn(B1);
    assertThat(v.terminated(B1, 0)).isEqualTo(Termination.DEPART);
  }

  // ---- rule 4: fencing names the incarnation that failed

  @Test
  void fencingNamesTheIncarnationThatFailedNotTheLatestSeen() {
    MembershipView<Inc, String> v = upAt(A1, "b");
    v.event("b", 11, Change.UNREACHABLE, false);
    v.event("b", 12, Change.UP, false); // the restarted incarnation comes Up at the same address
    assertThat(v.failures()).containsEntry("b", new MembershipView.Failure("b", "b", 11));
  }

  @Test
  void reachableAgainClearsTheFailureAndASettledRunClearsItsDepartedNodes() {
    MembershipView<Inc, String> v = upAt(A1, "b", "c");
    v.event("b", 1, Change.UNREACHABLE, false);
    v.event("c", 1, Change.UNREACHABLE, false);
    v.event("b", 1, Change.REACHABLE, false);
    assertThat(v.failures()).containsOnlyKeys("c");
    v.running(4, Set.of("c"));
    assertThat(v.ranGeneration()).isEqualTo(4);
    assertThat(v.failures()).isEmpty();
  }

  @Test
  void unreachableStopsOnlyForAMemberOfTheViewAndReachableRepeatsTheAck() {
    MembershipView<Inc, String> v = upAt(A1, "b", "c");
    v.learn(B1);
    v.adopt(v.proposed());
    assertThat(v.event("b", 1, Change.UNREACHABLE, false).unreachableInView()).isTrue();
    assertThat(v.event("c", 1, Change.UNREACHABLE, false).unreachableInView()).isFalse();
    assertThat(v.event("b", 1, Change.REACHABLE, false).reachableInView()).isTrue();
  }

  // ---- rule 5: removal departs what only the cluster could settle

  @Test
  void aRemovalDepartsMembersNeverSeenUpAndThoseUnderVerification() {
    MembershipView<Inc, String> v = upAt(A1, "c");
    v.learn(B1); // b never Up here
    v.learn(C1);
    v.terminated(C1, 0);
    assertThat(v.event("b", 1, Change.REMOVED, false).departed()).containsExactly(B1);
    assertThat(v.event("c", 1, Change.REMOVED, false).departed()).containsExactly(C1);
    assertThat(v.proposed()).containsExactly(A1);
  }

  @Test
  void aRemovalOfAnOlderIncarnationKeepsTheMembersOfTheNewerOne() {
    MembershipView<Inc, String> v = viewOf(A1);
    v.event("b", 2, Change.OTHER_STATUS, false); // the new incarnation joining, not yet Up
    v.learn(B2);
    assertThat(v.event("b", 1, Change.REMOVED, false).departed()).isEmpty();
    assertThat(v.proposed()).contains(B2);
  }

  // ---- rule 6: downed departs at once

  @Test
  void aDownedIncarnationDepartsAtOnceUnlessAnotherIncarnationIsAlreadyThere() {
    MembershipView<Inc, String> v = upAt(A1, "b");
    v.learn(B1);
    v.adopt(v.proposed());
    assertThat(v.event("b", 1, Change.DOWNED, true).departed()).isEmpty();
    assertThat(v.event("b", 1, Change.DOWNED, false).departed()).containsExactly(B1);
    assertThat(v.failures()).containsKey("b");
  }

  @Test
  void thisNodeBeingDownedDepartsNobody() {
    MembershipView<Inc, String> v = upAt(A1, "b");
    assertThat(v.event("a", 1, Change.DOWNED, false).departed()).isEmpty();
  }

  // ---- rule 7: the lowest member coordinates

  @Test
  void theLowestMemberByNodeThenIncarnationCoordinates() {
    MembershipView<Inc, String> v = upAt(C1, "b");
    v.learn(B2);
    v.learn(B1);
    v.adopt(v.proposed());
    assertThat(v.coordinator()).isEqualTo(B1);
    assertThat(v.sorted(v.view())).containsExactly(B1, B2, C1);
  }

  @Test
  void aViewWithoutThisMemberIsABug() {
    MembershipView<Inc, String> v = viewOf(A1);
    assertThatThrownBy(() -> v.adopt(Set.of(B1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must hold this member");
  }

  @Test
  void trafficFromOutsideTheViewIsRecognised() {
    MembershipView<Inc, String> v = upAt(A1, "b");
    v.learn(B1);
    v.adopt(v.proposed());
    assertThat(v.outsideView(B1)).isFalse();
    assertThat(v.outsideView(A1)).isFalse();
    assertThat(v.outsideView(C1)).isTrue();
  }
}
