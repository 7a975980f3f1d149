package org.jdlm.kernel.core.waits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * ★ Deadlocks among plain DLM locks of application tasks on two members over two resources: the
 * merged graph finds them (Linux DLM cannot), and in a lockspace configured for it the report
 * names the request to deny with EDEADLK (VMS).
 */
class DlmDeadlockTest {
  private static final long S = 1_000_000_000L;
  private static final Vertex T1 = Vertex.task("n1", "app#11");
  private static final Vertex T2 = Vertex.task("n2", "app#21");

  /** T1 holds R1 (PR) and asks EX on R2; T2 holds R2 (PR) and asks EX on R1; T2 asked last. */
  private static WaitGraph abba(boolean t2NoDeadlockWait) {
    WaitGraph.Builder b = WaitGraph.builder();
    DlmFacts.request(b, new DlmRequest(T1, "app", "R2", "00010002", "EX", 0, 1 * S, false),
        List.of(new DlmFacts.Granted("n2", "00020001", "PR", T2)));
    DlmFacts.request(b, new DlmRequest(T2, "app", "R1", "00020002", "EX", 0, 2 * S, t2NoDeadlockWait),
        List.of(new DlmFacts.Granted("n1", "00010001", "PR", T1)));
    return b.build();
  }

  private static DeadlockDetector.Round detect(WaitGraph g, Set<String> breakIn) {
    return new DeadlockDetector(new DeadlockDetector.Settings(List.of(), breakIn, 60 * S), new ReportIds("app"), 0)
        .detect(g, 12 * S);
  }

  @Test
  void crossMemberAbbaIsFoundAndTheRequestThatClosedTheCycleIsDenied() {
    DeadlockDetector.Round r = detect(abba(false), Set.of("app"));
    assertThat(r.text()).isEqualTo("""
        WFG DEADLOCK id=app-1 at=n1,n2 t=+12.0 knot=4 fix-switches=none (cross-node)
          [1] n1/task:app#11   --waits-dlm-grant(EX R2)-->  n2/lkb:00020001[R2 gr=PR]
          [2] n2/lkb:00020001  --held-by-->                 n2/task:app#21
          [3] n2/task:app#21   --waits-dlm-grant(EX R1)-->  n1/lkb:00010001[R1 gr=PR]
          [4] n1/lkb:00010001  --held-by-->                 n1/task:app#11
          closes: [4] -> [1]
          hint: cross-node cycle (n1, n2): each member sees only its own edges
          hint: cycle over 2 lock resources (R1, R2): the DLM's conversion-deadlock check sees one resource at a time
          victim: n2/task:app#21 lkb 00020002 (EX on R1) completes with EDEADLK (priority 0, queued last: closed the cycle)
        """);
    assertThat(r.deadlocks().get(0).victim()).map(c -> c.victim().lkbId()).contains("00020002");
  }

  @Test
  void aLockspaceNotConfiguredToBreakOnlyReports() {
    DeadlockDetector.Round r = detect(abba(false), Set.of("other"));
    assertThat(r.deadlocks()).hasSize(1);
    assertThat(r.deadlocks().get(0).victim()).isEmpty();
    assertThat(r.text()).doesNotContain("victim:");
  }

  @Test
  void aNoDeadlockWaitRequestIsPassedOver() {
    DeadlockDetector.Round r = detect(abba(true), Set.of("app"));
    assertThat(r.deadlocks().get(0).victim()).map(c -> c.victim().task()).contains(T1);
    assertThat(r.text()).contains("victim: n1/task:app#11 lkb 00010002 (EX on R2) completes with EDEADLK (only candidate)");
  }

  @Test
  void aKnotThatAlsoWaitsOnTheFilesystemIsNotBrokenThroughTheDlm() {
    WaitGraph.Builder b = WaitGraph.builder();
    DlmFacts.request(b, new DlmRequest(T1, "app", "R2", "00010002", "EX", 0, S, false),
        List.of(new DlmFacts.Granted("n2", "00020001", "PR", T2)));
    b.waits(T2, org.jdlm.kernel.core.EdgeKind.WAITS_GLOCK, "EX", Vertex.parse("n2/glock:2/9"))
        .heldBy(Vertex.parse("n2/glock:2/9"), List.of(T1));
    DeadlockDetector.Round r = detect(b.build(), Set.of("app"));
    assertThat(r.deadlocks()).hasSize(1);
    assertThat(r.deadlocks().get(0).victim()).isEmpty();
  }

  @Test
  void aRequestWithoutBlockersIsAFeedingBug() {
    assertThatThrownBy(() -> DlmFacts.request(WaitGraph.builder(),
        new DlmRequest(T1, "app", "R2", "1", "EX", 0, 0, false), List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("waits on no granted lock");
  }

  private static DlmRequest req(String task, int priority, long queuedAt, boolean nodlckwt) {
    return new DlmRequest(Vertex.task("n1", task), "app", "R", "lkb-" + task, "EX", priority, queuedAt, nodlckwt);
  }

  /** VictimChoice as a table: candidates, expected victim (task name or none), expected reason. */
  @Test
  void victimChoiceTable() {
    record Row(List<DlmRequest> requests, String victim, String reason) {}
    List<Row> rows = List.of(
        new Row(List.of(req("a", 0, 1, false), req("b", 0, 2, false)), "b", "priority 0, queued last: closed the cycle"),
        new Row(List.of(req("a", 0, 2, false), req("b", 0, 1, false)), "a", "priority 0, queued last: closed the cycle"),
        new Row(List.of(req("a", 5, 2, false), req("b", 1, 1, false)), "b", "lowest priority 1"),
        new Row(List.of(req("a", 0, 9, true), req("b", 3, 1, false)), "b", "only candidate"),
        new Row(List.of(req("a", 0, 1, true), req("b", 0, 2, true)), null, null),
        new Row(List.of(req("b", 0, 1, false), req("a", 0, 1, false)), "a", "priority 0, same time: smallest name"),
        new Row(List.of(req("a", 2, 1, false), req("b", 2, 7, false), req("c", 1, 0, false)), "c", "lowest priority 1"),
        new Row(List.of(), null, null));
    for (Row row : rows) {
      Optional<VictimChoice.Choice> c = VictimChoice.choose(row.requests());
      if (row.victim() == null) {
        assertThat(c).as("%s", row).isEmpty();
      } else {
        assertThat(c).as("%s", row).isPresent();
        assertThat(c.get().victim().task().id()).as("%s", row).isEqualTo(row.victim());
        assertThat(c.get().reason()).as("%s", row).isEqualTo(row.reason());
      }
    }
  }
}
