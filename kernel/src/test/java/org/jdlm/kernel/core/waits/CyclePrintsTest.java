package org.jdlm.kernel.core.waits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jdlm.kernel.core.waits.CycleFixtures.NOW;
import static org.jdlm.kernel.core.waits.CycleFixtures.S;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Each §5 cycle's graph, as its "Detector print" shows it, gives exactly this report; the same
 * graph with one fact changed (a free provider, a fix switch) gives none. Deliberate differences
 * from the hand-written prints are listed in docs/detector.md §4.
 */
class CyclePrintsTest {

  private static DeadlockDetector detector(String scenario, String... fixes) {
    return new DeadlockDetector(new DeadlockDetector.Settings(List.of(fixes), Set.of(), 60 * S),
        new ReportIds(scenario), 0);
  }

  private static String report(String scenario, WaitGraph g, String... fixes) {
    return detector(scenario, fixes).detect(g, NOW).text();
  }

  @Test
  void a1KswapdFormIsAKnotThroughMemoryWhoseOnlySourceIsKswapd() {
    assertThat(report("a", CycleFixtures.a1(false), "F-a3")).isEqualTo("""
        WFG DEADLOCK id=a-1 at=n1 t=+3.0 knot=5 fix-switches=F-a3
          [1] n1/task:kswapd0    --reclaims-via(super_cache_scan)-->  n1/inode:0x805b[I_FREEING]
          [2] n1/inode:0x805b    --final-put-->                       n1/glock:2/805b[UN r:0 dead]
          [3] n1/glock:2/805b    --dlm_unlock(lkb 0001004c)-->        n1/dlm-comm:to-n2[q=1 buf=0]
          [4] n1/dlm-comm:to-n2  --waits-memory(4KiB,GFP_NOFS)-->     n1/mem[free<min; sources: kswapd0]
          [5] n1/mem             --only-source-->                     n1/task:kswapd0
          closes: [5] -> [1]
          hint: knot contains OR-node n1/mem; its only reclaim source is blocked (kswapd0)
        """);
  }

  @Test
  void a1WithASecondReclaimerRunningIsNoDeadlock() {
    assertThat(report("a", CycleFixtures.a1(true))).isEmpty();
    assertThat(KnotAnalysis.analyze(CycleFixtures.a1(true)).stuck()).isEmpty();
  }

  @Test
  void b1AgentReclaimsIntoAnEvictionThatWaitsForItsOwnFence() {
    assertThat(report("b", CycleFixtures.b1(false))).isEqualTo("""
        WFG DEADLOCK id=b-1 at=n1 t=+3.0 knot=6 fix-switches=none
          [1] n1/task:fence_agent#4242  --waits-memory(256KiB,GFP_KERNEL)-->  n1/mem[free<min]
          [2] n1/mem                    --reclaims-via(super_cache_scan)-->   n1/inode:0x1a2b[I_FREEING nlink=0 dealloc]
          [3] n1/inode:0x1a2b           --waits-glock(EX)-->                  n1/glock:2/1a2b[UN t:EX]
          [4] n1/glock:2/1a2b           --waits-dlm-running-->                dlm/ls:gfs2fs[STOPPED gen 7]
          [5] dlm/ls:gfs2fs             --waits-fencing(n3)-->                n1/fence:n3[actor=n1 agent=#4242]
          [6] n1/fence:n3               --run-by-->                           n1/task:fence_agent#4242
          closes: [6] -> [1]
          collateral: n2/dlm_controld --waits-fencing(n3)--> n1/fence:n3 ; n2/task:cp#88 --waits-dlm-running--> dlm/ls:gfs2fs
          hint: knot contains OR-node n1/mem; its only reclaim source is blocked (inode:0x1a2b)
        """);
  }

  @Test
  void b1WithTheAgentsReserveIsNoDeadlock() {
    WaitGraph g = CycleFixtures.b1(true);
    assertThat(KnotAnalysis.analyze(g).stuck()).isEmpty();
    assertThat(report("b", g)).isEmpty();
  }

  @Test
  void b2EveryReclaimerBlockedMakesMemoryPartOfTheKnot() {
    assertThat(report("b", CycleFixtures.b2(false), "F-b3-io-flusher")).isEqualTo("""
        WFG DEADLOCK id=b-1 at=n1 t=+3.0 knot=10 fix-switches=F-b3-io-flusher
          [1] n1/task:fence_agent#4242  --waits-memory(256KiB,GFP_KERNEL)-->  n1/mem[free<min]
          [2] n1/mem                    --source-->                           n1/task:dd#12
          [3] n1/task:dd#12             --reclaims-via(super_cache_scan)-->   n1/inode:0x1a2d
          [4] n1/inode:0x1a2d           --waits-glock(EX)-->                  n1/glock:2/1a2d
          [5] n1/glock:2/1a2d           --waits-dlm-running-->                dlm/ls:gfs2fs[STOPPED gen 7]
          [6] dlm/ls:gfs2fs             --waits-fencing(n3)-->                n1/fence:n3[actor=n1 agent=#4242]
          [7] n1/fence:n3               --run-by-->                           n1/task:fence_agent#4242
          closes: [7] -> [1]
          hint: knot contains OR-node n1/mem; all 2 reclaim sources blocked (dd#12, kswapd0)
        """);
  }

  @Test
  void b2WithOneReclaimerFreeIsNoDeadlockButTheAgentStallsPastTheBound() {
    // kswapd has waited exactly the bound at 61 s (since 1 s): not past it, so only the agent is reported.
    WaitGraph g = CycleFixtures.b2(true);
    assertThat(KnotAnalysis.analyze(g).knots()).isEmpty();
    DeadlockDetector d = detector("b");
    assertThat(d.detect(g, NOW).isEmpty()).isTrue();
    assertThat(d.detect(g, 61 * S).text()).isEqualTo("""
        WFG STALL id=b-1 at=n1 t=+61.0 task=n1/task:fence_agent#4242 waited=61.0s no-knot
          [1] n1/task:fence_agent#4242  --waits-memory(256KiB,GFP_KERNEL)-->  n1/mem[free<min]
          [2] n1/mem                    --source-->                           n1/task:kswapd0
          [3] n1/task:kswapd0           --reclaims-via(super_cache_scan)-->   n1/inode:0x1a2c[I_FREEING]
          [4] n1/inode:0x1a2c           --final-put-->                        n1/glock:2/1a2c
          [5] n1/glock:2/1a2c           --dlm_unlock(lkb 00010050)-->         dlm/ls:gfs2fs[STOPPED gen 7]
          [6] dlm/ls:gfs2fs             --waits-fencing(n3)-->                n1/fence:n3[actor=n1 agent=#4242]
          [7] n1/fence:n3               --run-by-->                           n1/task:fence_agent#4242
          closes: [7] -> [1] (not a knot: an alternative can progress)
        """);
  }

  @Test
  void c1AllNfsdThreadsWaitingOnMemoryThatOnlyTheirOwnWritesCanFree() {
    assertThat(report("c", CycleFixtures.c1(false))).isEqualTo("""
        WFG DEADLOCK id=c-1 at=n2 t=+3.0 knot=7 fix-switches=none
          [1] n2/task:nfsd#3              --waits-memory(4KiB,GFP_KERNEL)-->   n2/mem
          [2] n2/mem                      --reclaims-via(nfs_release_page)-->  n2/nfs-client:page 0x9f/12[writeback]
          [3] n2/nfs-client:page 0x9f/12  --waits-reply(WRITE xid 0x51)-->     n2/nfsd-pool[busy=4/4]
          [4] n2/nfsd-pool                --all-workers-->                     n2/task:nfsd#3
          closes: [4] -> [1]
          hint: knot contains OR-node n2/mem; its only reclaim source is blocked (nfs-client:page 0x9f/12)
          hint: knot contains OR-node n2/nfsd-pool; all 4 workers blocked (nfsd#0, nfsd#1, nfsd#2, nfsd#3)
        """);
  }

  @Test
  void c1WithAnIdleWorkerIsNoDeadlock() {
    assertThat(KnotAnalysis.analyze(CycleFixtures.c1(true)).stuck()).isEmpty();
    assertThat(report("c", CycleFixtures.c1(true))).isEmpty();
  }

  @Test
  void d1CrossNodeAbbaOnTwoGlocks() {
    assertThat(report("d", CycleFixtures.d1(false))).isEqualTo("""
        WFG DEADLOCK id=d-1 at=n1,n2 t=+3.0 knot=4 fix-switches=none (cross-node)
          [1] n1/task:P1  --waits-glock(EX) (fault on H@b1+0x3000)-->  glock:2/h[n2 holds SH]
          [2] glock:2/h   --held-by (read(H) holder)-->                n2/task:P2
          [3] n2/task:P2  --waits-glock(EX) (fault on F@b2+0x1000)-->  glock:2/f[n1 holds SH]
          [4] glock:2/f   --held-by (read(F) holder)-->                n1/task:P1
          closes: [4] -> [1]
          hint: cross-node cycle (n1, n2): each member sees only its own edges
          hint: cycle over 2 lock resources (glock:2/f, glock:2/h): the DLM's conversion-deadlock check sees one resource at a time
        """);
  }

  @Test
  void d1WithSortedLockOrderIsNoDeadlock() {
    assertThat(report("d", CycleFixtures.d1(true))).isEmpty();
  }

  @Test
  void e1PageLockAgainstDowncovertWithTheRemoteWriterAsCollateral() {
    assertThat(report("e", CycleFixtures.e1(false))).isEqualTo("""
        WFG DEADLOCK id=e-1 at=n1 t=+3.0 knot=2 fix-switches=none
          [1] n1/task:U                --waits-glock(PR) [lock blocked: downconvert in progress]-->  n1/downconvert:ino 0x77
          [2] n1/downconvert:ino 0x77  --waits-page-lock(ino 0x77 idx 5)-->                          n1/task:U
          closes: [2] -> [1]
          collateral: n2/task:W --waits-dlm-grant(EX)--> n1/downconvert:ino 0x77
          hint: AND-only cycle: every wait needs its target; a fix that cuts any one edge breaks it
        """);
  }

  @Test
  void e1WithTruncatedPageRetryIsNoDeadlock() {
    assertThat(report("e", CycleFixtures.e1(true))).isEmpty();
  }

  @Test
  void plainChainIsAStallWithItsWaitChainNotADeadlock() {
    WaitGraph g = WaitGraph.builder()
        .edge(CycleFixtures.e("n1/task:dd#7", org.jdlm.kernel.core.EdgeKind.WAITS_GLOCK, "EX", "n1/glock:2/10"))
        .waitingSince(CycleFixtures.v("n1/task:dd#7"), 0)
        .state(CycleFixtures.v("n1/glock:2/10"), "EX")
        .edge(CycleFixtures.e("n1/glock:2/10", org.jdlm.kernel.core.EdgeKind.HELD_BY, "", "n1/task:cp#8"))
        .edge(CycleFixtures.e("n1/task:cp#8", org.jdlm.kernel.core.EdgeKind.WAITS_REPLY, "WRITE xid 0x9", "n2/task:nfsd#1"))
        .vertex(CycleFixtures.v("n2/task:nfsd#1"))
        .build();
    DeadlockDetector d = detector("x");
    assertThat(d.detect(g, 60 * S).isEmpty()).as("at the bound, not past it").isTrue();
    DeadlockDetector.Round r = d.detect(g, 90 * S);
    assertThat(r.deadlocks()).isEmpty();
    assertThat(r.text()).isEqualTo("""
        WFG STALL id=x-1 at=n1 t=+90.0 task=n1/task:dd#7 waited=90.0s no-knot
          [1] n1/task:dd#7   --waits-glock(EX)-->             n1/glock:2/10[EX]
          [2] n1/glock:2/10  --held-by-->                     n1/task:cp#8
          [3] n1/task:cp#8   --waits-reply(WRITE xid 0x9)-->  n2/task:nfsd#1
          ends: n2/task:nfsd#1 (not waiting)
        """);
    assertThat(d.detect(g, 120 * S).isEmpty()).as("reported once per wait").isTrue();
  }

  @Test
  void aKnotIsReportedOnceAndAgainWithANewIdOnlyAfterItDissolved() {
    DeadlockDetector d = detector("e");
    assertThat(d.detect(CycleFixtures.e1(false), NOW).deadlocks()).extracting(DeadlockDetector.DeadlockReport::id)
        .containsExactly("e-1");
    assertThat(d.detect(CycleFixtures.e1(false), NOW + S).deadlocks()).isEmpty();
    assertThat(d.detect(CycleFixtures.e1(true), NOW + 2 * S).deadlocks()).isEmpty();
    assertThat(d.detect(CycleFixtures.e1(false), NOW + 3 * S).deadlocks()).extracting(DeadlockDetector.DeadlockReport::id)
        .containsExactly("e-2");
  }

  @Test
  void factsInAnyOrderGiveTheSameReport() {
    WaitGraph g = CycleFixtures.b1(false);
    WaitGraph.Builder reversed = WaitGraph.builder();
    List<Edge> edges = new java.util.ArrayList<>(g.edges());
    java.util.Collections.reverse(edges);
    edges.forEach(reversed::edge);
    for (Vertex v : g.vertices()) {
      reversed.state(v, g.info(v).state()).join(v, g.info(v).join());
      g.info(v).waitingSince().ifPresent(t -> reversed.waitingSince(v, t));
    }
    assertThat(report("b", reversed.build())).isEqualTo(report("b", g));
  }
}
