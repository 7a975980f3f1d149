package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jdlm.dlm.core.LockMode.EX;
import static org.jdlm.dlm.core.LockMode.NL;
import static org.jdlm.dlm.core.LockMode.PR;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jdlm.kernel.core.waits.DeadlockDetector;
import org.jdlm.kernel.core.waits.ReportIds;
import org.jdlm.kernel.core.waits.WaitGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decisions behind a VMS-style deadlock break (issue 11 ★): the owner's check
 * ({@link DeadlockBreak#atOwner}), the master's ({@link ResourceState#denyDeadlocked}), who acts,
 * the once-per-knot ledger, and the whole path on pure cores: ABBA on two owners and two masters
 * fed into the detector, the victim chosen, denied, and the survivor granted.
 */
class DeadlockBreakTest {

  private static final LockId L = new LockId(new NodeId("n1"), 7);

  private static OwnerLockView view(OwnerLockState state, LockMode granted, LockMode requested) {
    return new OwnerLockView(L, "R", 0, state, granted, requested, Set.of(), null, null, false);
  }

  static Stream<Arguments> ownerCases() {
    return Stream.of(
        Arguments.of(Optional.empty(), EX, "ignore"),
        Arguments.of(Optional.of(view(OwnerLockState.WAITING, null, EX)), EX, "deny new"),
        Arguments.of(Optional.of(view(OwnerLockState.CONVERT_QUEUED, PR, EX)), EX, "deny conversion"),
        Arguments.of(Optional.of(view(OwnerLockState.WAITING, null, PR)), EX, "ignore"), // another request now
        Arguments.of(Optional.of(view(OwnerLockState.GRANTED, EX, null)), EX, "ignore"), // the grant won
        Arguments.of(Optional.of(view(OwnerLockState.REQUESTING, null, EX)), EX, "ignore"), // not queued yet
        Arguments.of(Optional.of(view(OwnerLockState.CONVERTING, PR, EX)), EX, "ignore"),
        Arguments.of(Optional.of(view(OwnerLockState.CANCELLING, null, EX)), EX, "ignore"), // a cancel in flight
        Arguments.of(Optional.of(view(OwnerLockState.UNLOCKING, PR, EX)), EX, "ignore"),
        Arguments.of(Optional.of(view(OwnerLockState.DESTROYED, null, null)), EX, "ignore"));
  }

  @ParameterizedTest
  @MethodSource("ownerCases")
  void theOwnerDeniesOnlyARequestStillQueuedForTheSameMode(Optional<OwnerLockView> v, LockMode mode, String expected) {
    DeadlockBreak.Decision d = DeadlockBreak.atOwner(v, mode);
    String got = d instanceof DeadlockBreak.Decision.Deny deny ? (deny.conversion() ? "deny conversion" : "deny new")
        : "ignore";
    assertThat(got).isEqualTo(expected);
  }

  @Test
  void theMemberWithTheSmallestMergedNameActs() {
    assertThat(DeadlockBreak.acts("n1", List.of("n2", "n1", "n3"))).isTrue();
    assertThat(DeadlockBreak.acts("n2", List.of("n2", "n1", "n3"))).isFalse();
    assertThat(DeadlockBreak.acts("n2", List.of("n2", "n3"))).as("n1's facts are stale: n2 acts").isTrue();
    assertThat(DeadlockBreak.acts("n1", List.of())).isFalse();
  }

  @Test
  void theLedgerAsksOncePerKnotAndForgetsTheOldestBeyondCapacity() {
    DeadlockBreak.Ledger ledger = new DeadlockBreak.Ledger(2);
    assertThat(ledger.firstAsk("k-1")).isTrue();
    assertThat(ledger.firstAsk("k-1")).isFalse();
    assertThat(ledger.firstAsk("k-2")).isTrue();
    assertThat(ledger.firstAsk("k-3")).isTrue();
    assertThat(ledger.asked()).containsExactlyInAnyOrder("k-2", "k-3");
    assertThatThrownBy(() -> new DeadlockBreak.Ledger(0)).hasMessageContaining("got 0");
  }

  // ------------------------------------------------------------------ master: denyDeadlocked

  @Test
  void theMasterDeniesAWaitingRequestDestroysItAndPassesTheQueueAgain() {
    Rsb r = new Rsb();
    r.req("L1", EX);
    r.req("L2", EX); // waits
    r.req("L3", NL); // queued behind L2 (FIFO), grantable once L2 leaves
    assertThat(r.record(r.state.denyDeadlocked(r.id("L2"), EX)))
        .containsExactly("CAST(L2,EDEADLK,IV)", "GONE(L2)", "CAST(L3,OK,NL)");
    assertThat(r.g()).containsExactlyInAnyOrder("L1:EX", "L3:NL");
    assertThat(r.record(r.state.denyDeadlocked(r.id("L2"), EX))).as("a repeated ask is harmless").isEmpty();
  }

  @Test
  void theMasterDeniesAQueuedConversionWhichKeepsItsGrantedMode() {
    Rsb r = new Rsb();
    r.req("L1", PR);
    r.req("L2", PR);
    r.cvt("L2", EX); // queued behind L1's PR
    assertThat(r.record(r.state.denyDeadlocked(r.id("L2"), EX))).containsExactly("CAST(L2,EDEADLK,PR)");
    assertThat(r.g()).containsExactlyInAnyOrder("L1:PR", "L2:PR");
    assertThat(r.c()).isEmpty();
  }

  @Test
  void theMasterLeavesAGrantedOrChangedOrUnknownLockAlone() {
    Rsb r = new Rsb();
    r.req("L1", EX);
    r.req("L2", PR); // waits for PR
    assertThat(r.record(r.state.denyDeadlocked(r.id("L1"), EX))).as("granted").isEmpty();
    assertThat(r.record(r.state.denyDeadlocked(r.id("L2"), EX))).as("requests PR, not EX").isEmpty();
    assertThat(r.record(r.state.denyDeadlocked(r.id("L9"), EX))).as("unknown").isEmpty();
    assertThat(r.w()).containsExactly("L2:PR");
  }

  // ------------------------------------------------------------------ blockers

  @Test
  void blockersAreIncompatibleHoldersAndEverythingQueuedAhead() {
    Rsb r = new Rsb();
    r.req("G1", PR);
    r.req("G2", PR);
    r.cvt("G2", EX); // C: waits for G1's PR
    r.req("W1", PR); // W: compatible with every granted mode, but behind the conversion
    r.req("W2", EX); // W: incompatible with G1 and G2 (PR), behind G2's conversion and W1
    DlmWaits.ResourceWaits w = DlmWaits.of("R", r.state.queue(ResourceState.Queue.GRANTED),
        r.state.queue(ResourceState.Queue.CONVERTING), r.state.queue(ResourceState.Queue.WAITING));
    assertThat(w.blocked()).extracting(b -> r.name(b.lock()) + ":" + blockers(r, b))
        .containsExactly("G2:[G1 PR]", "W1:[G2 EX ahead]", "W2:[G1 PR, G2 PR, G2 EX ahead, W1 PR ahead]");
    assertThat(w.blocked().get(0).conversion()).isTrue();
    assertThat(w.blocked().get(0).granted()).isEqualTo(PR);
  }

  private static String blockers(Rsb r, DlmWaits.Blocked b) {
    List<String> out = new ArrayList<>();
    for (DlmWaits.Blocker k : b.blockers()) {
      out.add(r.name(k.lock()) + " " + k.mode() + (k.ahead() ? " ahead" : ""));
    }
    return out.toString();
  }

  // ------------------------------------------------------------------ the whole path on cores

  private static final Function<NodeId, String> SCOPE = NodeId::name;

  private static WaitGraph graph(MiniCluster c, List<String> masters, boolean withMasterFacts, String lockspace,
      Set<LockId> noDeadlockWait) {
    return graph(c, masters, withMasterFacts, lockspace, noDeadlockWait, java.util.Map.of());
  }

  /** {@code queuedAt}: when each request was queued (default 0: a tie, broken by name). */
  private static WaitGraph graph(MiniCluster c, List<String> masters, boolean withMasterFacts, String lockspace,
      Set<LockId> noDeadlockWait, java.util.Map<LockId, Long> queuedAt) {
    WaitGraph.Builder b = WaitGraph.builder();
    for (var e : c.owners.entrySet()) {
      List<DlmWaits.Request> requests = new ArrayList<>();
      List<DlmWaits.Holding> holdings = new ArrayList<>();
      for (OwnerLockView v : e.getValue().views()) {
        String task = "app-" + e.getKey();
        if (v.state() == OwnerLockState.WAITING || v.state() == OwnerLockState.CONVERT_QUEUED) {
          requests.add(new DlmWaits.Request(v.lock(), lockspace, v.resource(), v.requested(),
              v.state() == OwnerLockState.CONVERT_QUEUED, task, 0, queuedAt.getOrDefault(v.lock(), 0L),
              noDeadlockWait.contains(v.lock())));
        }
        if (v.granted() != null) {
          holdings.add(new DlmWaits.Holding(v.lock(), lockspace, v.resource(), v.granted(), task, false));
        }
      }
      DlmWaits.feedOwner(b, e.getKey(), requests, holdings, SCOPE, t -> t);
    }
    if (withMasterFacts) {
      for (String res : masters) {
        ResourceState m = c.master(res);
        DlmWaits.feedMaster(b, lockspace, DlmWaits.of(res, m.queue(ResourceState.Queue.GRANTED),
            m.queue(ResourceState.Queue.CONVERTING), m.queue(ResourceState.Queue.WAITING)), SCOPE);
      }
    }
    return b.build();
  }

  private static DeadlockDetector detector(String breakIn) {
    return new DeadlockDetector(new DeadlockDetector.Settings(List.of(), Set.of(breakIn), 1_000_000_000L),
        new ReportIds("t"), 0);
  }

  @Test
  void abbaOnCoresIsAKnotWhoseVictimIsDeniedAndTheSurvivorGranted() {
    MiniCluster c = new MiniCluster();
    LockId a1 = MiniCluster.id(c.submit(c.node("n1").lock("R1", EX, Set.of(), null, true, 0)));
    LockId b2 = MiniCluster.id(c.submit(c.node("n2").lock("R2", EX, Set.of(), null, true, 0)));
    LockId a2 = MiniCluster.id(c.submit(c.node("n1").lock("R2", EX, Set.of(), null, true, 0)));
    LockId b1 = MiniCluster.id(c.submit(c.node("n2").lock("R1", EX, Set.of(), null, true, 0)));

    DeadlockDetector.Round round = detector("ls").detect(
        graph(c, List.of("R1", "R2"), true, "ls", Set.of(), java.util.Map.of(a2, 1000L, b1, 2000L)), 10_000);
    assertThat(round.deadlocks()).hasSize(1);
    DeadlockDetector.DeadlockReport report = round.deadlocks().get(0);
    assertThat(report.knot().vertices()).extracting(Object::toString)
        .contains("n1/task:app-n1", "n2/task:app-n2", "n1/rq:ls/" + DlmWaits.hex(a2.local()),
            "n2/lkb:ls/" + DlmWaits.hex(b2.local()));
    var victim = report.victim().orElseThrow().victim();
    // b1 was queued last: it closed the cycle.
    assertThat(victim.task().toString()).isEqualTo("n2/task:app-n2");
    assertThat(DlmWaits.parseHex(victim.lkbId())).isEqualTo(b1.local());

    DeadlockBreak.Decision d = DeadlockBreak.atOwner(c.node("n2").view(b1), LockMode.valueOf(victim.mode()));
    assertThat(d).isEqualTo(new DeadlockBreak.Decision.Deny(false));
    for (Effect e : c.master("R1").denyDeadlocked(b1, EX)) {
      c.send(c.owners.get(e.owner().name()).onEffect(e));
    }
    c.deliver();
    assertThat(c.events(b1)).containsExactly("cast EDEADLK IV");
    assertThat(c.node("n2").view(b1)).as("destroyed, and forgotten after its last callback").isEmpty();
    c.submit(c.node("n2").unlock(b2, Set.of(), null));
    assertThat(c.node("n1").view(a2).map(OwnerLockView::state)).hasValue(OwnerLockState.GRANTED);
    assertThat(detector("ls").detect(graph(c, List.of("R1", "R2"), true, "ls", Set.of()), 20_000).deadlocks())
        .isEmpty();
    assertThat(a1).isNotNull();
  }

  @Test
  void withoutTheMastersFactsAnAbbaIsNoDeadlock() {
    MiniCluster c = new MiniCluster();
    c.submit(c.node("n1").lock("R1", EX, Set.of(), null, true, 0));
    c.submit(c.node("n2").lock("R2", EX, Set.of(), null, true, 0));
    c.submit(c.node("n1").lock("R2", EX, Set.of(), null, true, 0));
    c.submit(c.node("n2").lock("R1", EX, Set.of(), null, true, 0));
    assertThat(detector("ls").detect(graph(c, List.of("R1", "R2"), false, "ls", Set.of()), 10_000).deadlocks())
        .as("requests nobody described as blocked can progress: missing facts never make a knot").isEmpty();
  }

  @Test
  void aNodlckwtRequestIsNeverTheVictimAndAnotherLockspaceIsOnlyReported() {
    MiniCluster c = new MiniCluster();
    c.submit(c.node("n1").lock("R1", EX, Set.of(), null, true, 0));
    c.submit(c.node("n2").lock("R2", EX, Set.of(), null, true, 0));
    LockId a2 = MiniCluster.id(c.submit(c.node("n1").lock("R2", EX, Set.of(), null, true, 0)));
    LockId b1 = MiniCluster.id(c.submit(c.node("n2").lock("R1", EX, Set.of(), null, true, 0)));
    var report = detector("ls").detect(graph(c, List.of("R1", "R2"), true, "ls", Set.of(b1)), 10_000)
        .deadlocks().get(0);
    assertThat(DlmWaits.parseHex(report.victim().orElseThrow().victim().lkbId())).isEqualTo(a2.local());
    var reportOnly = detector("other").detect(graph(c, List.of("R1", "R2"), true, "ls", Set.of()), 10_000)
        .deadlocks().get(0);
    assertThat(reportOnly.victim()).isEmpty();
  }
}
