package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The rules of {@link MemberProtocol}, named after them. Members are incarnations "a1", "b1", ...:
 * node (and address) the letter, incarnation the digit; the lowest member coordinates.
 */
class MemberProtocolTest {

  private static final Clock CLOCK = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);

  /** One member with its cores, as the actor and the simulation build it. */
  private static final class Member {
    final String self;
    final MembershipView<String, String> view;
    final StopBarrier<String> barrier = new StopBarrier<>();
    final Coordination<String> coordination = new Coordination<>(CLOCK);
    final PhaseWork<String, String> phases = new PhaseWork<>(2);
    final MemberProtocol<String, String> protocol;

    Member(String self) {
      this.self = self;
      this.view = new MembershipView<>(self, address(self), Member::address, a -> true, a -> a,
          Comparator.naturalOrder());
      this.protocol = new MemberProtocol<>(self, view, barrier, coordination, phases,
          m -> new RecoveryRun.Member(address(m), m.charAt(1) - '0'), m -> m);
    }

    static String address(String member) {
      return member.substring(0, 1);
    }

    /** Runs the view {@code members} at generation {@code generation}, as a finished join leaves it. */
    Member running(long generation, String... members) {
      for (String m : members) {
        protocol.clusterEvent(address(m), m.charAt(1) - '0', MembershipView.Change.UP, false, address(m));
        protocol.hello(m, List.of(members), 0);
      }
      phases.startRun(generation);
      protocol.adoptGeneration(generation);
      phases.enter(RecoveryPhase.DIRECTORY);
      phases.resume();
      view.running(generation, Set.of());
      return this;
    }
  }

  private static <T> List<T> only(List<MemberProtocol.Effect<String>> effects, Class<T> type) {
    return effects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static StopBarrier.Ack<String> ack(long generation, String... view) {
    return new StopBarrier.Ack<>(Set.of(view), generation, List.of(), List.of());
  }

  @Test
  void rule1_aStartingMemberAcksItselfUnlessItProbes() {
    List<MemberProtocol.Effect<String>> out = new Member("a1").protocol.start(false);
    assertThat(only(out, MemberProtocol.SendStopAck.class)).containsExactly(new MemberProtocol.SendStopAck<>("a1"));
    Member probing = new Member("a1");
    assertThat(only(probing.protocol.start(true), MemberProtocol.SendStopAck.class)).as("withheld while probing").isEmpty();
    assertThat(probing.protocol.probeFinished()).contains(new MemberProtocol.SendStopAck<>("a1"));
  }

  @Test
  void rule1_aNewMemberStopsTheMemberWhichTellsEveryoneAndAcksTheCoordinator() {
    Member b = new Member("b1");
    b.protocol.start(false);
    List<MemberProtocol.Effect<String>> out = b.protocol.hello("a1", List.of("a1"), 0);
    assertThat(b.view.view()).containsExactlyInAnyOrder("a1", "b1");
    assertThat(only(out, MemberProtocol.SendHello.class)).containsExactly(
        new MemberProtocol.SendHello<>("a1", List.of("a1", "b1"), 0));
    assertThat(only(out, MemberProtocol.SendStopAck.class)).containsExactly(new MemberProtocol.SendStopAck<>("a1"));
    assertThat(b.phases.phase()).isEqualTo(RecoveryPhase.AWAIT_FENCING);
  }

  @Test
  void rule1_aRunningMemberThatStopsHoldsItsTrafficFirst() {
    Member a = new Member("a1").running(3, "a1", "b1");
    List<MemberProtocol.Effect<String>> out = a.protocol.hello("c1", List.of("a1", "b1", "c1"), 3);
    assertThat(out).containsSubsequence(new MemberProtocol.Log<>(MemberProtocol.Level.INFO,
        "view changes (added [c1], removed []; departed [])"), new MemberProtocol.FirstStop<>(3),
        new MemberProtocol.SendStopAck<>("a1"));
    assertThat(a.phases.running()).isFalse();
  }

  @Test
  void rule2_aHelloForThisViewAsksAWaitingMemberForItsStopAckAgain() {
    Member b = new Member("b1");
    b.protocol.start(false);
    b.protocol.hello("a1", List.of("a1"), 0);
    List<MemberProtocol.Effect<String>> out = b.protocol.hello("a1", List.of("a1", "b1"), 0);
    assertThat(only(out, MemberProtocol.SendStopAck.class)).containsExactly(new MemberProtocol.SendStopAck<>("a1"));
    assertThat(only(out, MemberProtocol.SendHello.class)).as("no view change: no new Hellos").isEmpty();
  }

  @Test
  void rule2_aHelloForTheRunningViewStopsTheMemberAgain() {
    Member b = new Member("b1").running(3, "a1", "b1");
    List<MemberProtocol.Effect<String>> out = b.protocol.hello("a1", List.of("a1", "b1"), 3);
    assertThat(b.phases.phase()).isEqualTo(RecoveryPhase.AWAIT_FENCING);
    assertThat(out).contains(new MemberProtocol.FirstStop<>(3), new MemberProtocol.SendStopAck<>("a1"));
  }

  @Test
  void rule3and4_theCoordinatorAsksAGenerationOnceEveryMemberAckedThisView() {
    Member a = new Member("a1");
    a.protocol.start(false);
    a.protocol.hello("b1", List.of("b1"), 0);
    List<MemberProtocol.Effect<String>> own = a.protocol.stopAck("a1", ack(0, "a1", "b1"));
    assertThat(own).containsExactly(new MemberProtocol.BarrierTimer<>(false));
    List<MemberProtocol.Effect<String>> out = a.protocol.stopAck("b1", ack(0, "a1", "b1"));
    List<MemberProtocol.FetchGeneration> fetch = only(out, MemberProtocol.FetchGeneration.class);
    assertThat(fetch).hasSize(1);
    Coordination.Fetch<String> f = fetch.get(0).fetch();
    assertThat(f.view()).containsExactlyInAnyOrder("a1", "b1");
    assertThat(f.change().joined()).containsExactlyInAnyOrder("a", "b");
    List<MemberProtocol.Effect<String>> started = a.protocol.generationReady(f, f.change().withGeneration(1), null);
    assertThat(started).containsExactly(new MemberProtocol.RunStarted<>(f.change().withGeneration(1)),
        new MemberProtocol.Run<>(List.of(new RecoveryRun.StartPhase(1, RecoveryPhase.MEMBERS, List.of("a", "b")))),
        new MemberProtocol.PublishState<>());
  }

  @Test
  void rule3_aStopAckForAnotherViewConvergesTheViews() {
    Member a = new Member("a1");
    a.protocol.start(false);
    List<MemberProtocol.Effect<String>> out = a.protocol.stopAck("b1", ack(0, "b1", "c1"));
    assertThat(a.view.view()).containsExactlyInAnyOrder("a1", "b1", "c1");
    assertThat(only(out, MemberProtocol.SendHello.class)).contains(
        new MemberProtocol.SendHello<>("b1", List.of("a1", "b1", "c1"), 0),
        new MemberProtocol.SendHello<>("c1", List.of("a1", "b1", "c1"), 0));
  }

  @Test
  void rule4_theBarrierAsksAgainOnlyTheMembersWhoseAckIsMissing() {
    Member a = new Member("a1");
    a.protocol.start(false);
    a.protocol.hello("b1", List.of("b1"), 0);
    a.protocol.hello("c1", List.of("c1"), 0);
    a.protocol.stopAck("a1", ack(0, "a1", "b1", "c1"));
    a.protocol.stopAck("b1", ack(0, "a1", "b1", "c1"));
    List<MemberProtocol.Effect<String>> out = a.protocol.barrierTick();
    assertThat(only(out, MemberProtocol.SendHello.class)).containsExactly(
        new MemberProtocol.SendHello<>("c1", List.of("a1", "b1", "c1"), 0));
    assertThat(out).endsWith(new MemberProtocol.BarrierTimer<>(true));
    Member b = new Member("b1");
    b.protocol.start(false);
    b.protocol.hello("a1", List.of("a1"), 0);
    assertThat(b.protocol.barrierTick()).as("not the coordinator: nothing").isEmpty();
  }

  @Test
  void rule4_aFailedGenerationRequestIsAskedAgain() {
    Member a = new Member("a1");
    a.protocol.start(false);
    Coordination.Fetch<String> f = only(a.protocol.stopAck("a1", ack(0, "a1")), MemberProtocol.FetchGeneration.class)
        .get(0).fetch();
    assertThat(a.protocol.generationReady(f, null, "authority down"))
        .containsExactly(new MemberProtocol.RetryGeneration<>("authority down"));
    assertThat(only(a.protocol.retryGeneration(), MemberProtocol.FetchGeneration.class)).hasSize(1);
  }

  @Test
  void rule5_anUnreachableMemberStopsARunningMemberAtOnceAndReachableAgainRepeatsTheAck() {
    Member a = new Member("a1").running(3, "a1", "b1");
    List<MemberProtocol.Effect<String>> out = a.protocol.clusterEvent("b", 1, MembershipView.Change.UNREACHABLE,
        false, "b");
    assertThat(out).contains(new MemberProtocol.FirstStop<>(3), new MemberProtocol.SendStopAck<>("a1"));
    assertThat(a.view.view()).as("the same view: the barrier waits").containsExactlyInAnyOrder("a1", "b1");
    assertThat(a.protocol.clusterEvent("b", 1, MembershipView.Change.REACHABLE, false, "b"))
        .contains(new MemberProtocol.SendStopAck<>("a1"));
  }

  @Test
  void rule5_aDownedNodeDepartsItsMembers() {
    Member a = new Member("a1").running(3, "a1", "b1");
    a.protocol.clusterEvent("b", 1, MembershipView.Change.DOWNED, false, "b");
    assertThat(a.view.view()).containsExactly("a1");
  }

  @Test
  void rule6_aTerminationAtANodeStillUpIsVerifiedNotBelieved() {
    Member a = new Member("a1").running(3, "a1", "b1");
    assertThat(a.protocol.terminated("b1", 0)).containsExactly(new MemberProtocol.Verify<>("b1", true));
    assertThat(a.view.view()).contains("b1");
    List<MemberProtocol.Effect<String>> settled = a.protocol.guardianAnswered("b", List.of());
    assertThat(a.view.view()).as("its node no longer runs it").containsExactly("a1");
    assertThat(settled).anyMatch(e -> e instanceof MemberProtocol.FirstStop);
  }

  @Test
  void rule7_aRunForAnotherViewConvergesAndTellsItsCoordinatorIfTheViewsStillDiffer() {
    Member b = new Member("b1");
    b.protocol.start(false);
    b.protocol.hello("a1", List.of("a1"), 0);
    b.protocol.hello("d1", List.of("d1"), 0);
    MemberProtocol.Step<String> step = b.protocol.runPhase(4, RecoveryPhase.MEMBERS, List.of("a1", "b1", "c1"));
    assertThat(step.action()).isEqualTo(MemberRecovery.Action.CONVERGE);
    assertThat(b.view.view()).containsExactlyInAnyOrder("a1", "b1", "c1", "d1");
    MemberProtocol.Step<String> same = b.protocol.runPhase(5, RecoveryPhase.MEMBERS, List.of("a1", "b1", "c1"));
    assertThat(same.action()).isEqualTo(MemberRecovery.Action.CONVERGE);
    assertThat(only(same.effects(), MemberProtocol.SendHello.class)).as("the run's coordinator learns d1")
        .containsExactly(new MemberProtocol.SendHello<>("a1", List.of("a1", "b1", "c1", "d1"), 0));
  }

  @Test
  void rule7_anOldRunPhaseIsIgnoredAndLogged() {
    Member b = new Member("b1").running(3, "a1", "b1");
    MemberProtocol.Step<String> step = b.protocol.runPhase(2, RecoveryPhase.MEMBERS, List.of("a1", "b1"));
    assertThat(step.action()).isEqualTo(MemberRecovery.Action.IGNORE);
    assertThat(only(step.effects(), MemberProtocol.Log.class)).hasSize(1);
  }
}
