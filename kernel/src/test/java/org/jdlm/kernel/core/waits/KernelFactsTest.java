package org.jdlm.kernel.core.waits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.GfpMask;
import org.jdlm.kernel.core.Join;
import org.jdlm.kernel.core.MemoryBudget;
import org.jdlm.kernel.core.MemorySnapshot;
import org.jdlm.kernel.core.TaskFlag;
import org.jdlm.kernel.core.TaskSnapshot;
import org.jdlm.kernel.core.TaskState;
import org.jdlm.kernel.core.WaitEdge;
import org.junit.jupiter.api.Test;

/** The kernel registry's adapter: what a member's snapshot becomes in the merged graph. */
class KernelFactsTest {
  private static final long S = 1_000_000_000L;

  private static MemorySnapshot memory(long free, List<String> reclaimers) {
    return memory(free, reclaimers, List.of());
  }

  private static MemorySnapshot memory(long free, List<String> reclaimers, List<MemorySnapshot.MempoolView> pools) {
    return new MemorySnapshot(100, 4096, free, new MemoryBudget.Watermarks(10, 20, 30), "task:kswapd0#1 WAITING",
        reclaimers, List.of(), List.of(), pools, List.of(),
        new MemorySnapshot.Counters(0, 0, 0, 0, 0, 0, 0, 0));
  }

  private static TaskSnapshot waiting(long id, String name, WaitEdge w, long since) {
    return new TaskSnapshot(id, name, TaskState.WAITING, Set.of(), "", w, since);
  }

  private static TaskSnapshot state(long id, String name, TaskState s) {
    return new TaskSnapshot(id, name, s, Set.of(TaskFlag.KTHREAD), "", null, 0);
  }

  @Test
  void waitsMemoryReclaimersAndWorkqueueWorkersBecomeEdges() {
    List<TaskSnapshot> tasks = List.of(
        waiting(1, "kswapd0", WaitEdge.of(EdgeKind.WAITS_DLM_RUNNING, "", "ls:gfs2fs"), 2 * S),
        waiting(4, "fence_agent", WaitEdge.memory(8192, GfpMask.NOIO, "mem"), 5 * S),
        waiting(5, "umount", WaitEdge.of(EdgeKind.WAITS_REPLY, "work glock:put", "wq:glock"), 6 * S),
        state(6, "kworker/glock:0", TaskState.RUNNING),
        state(7, "glock/rescuer", TaskState.IDLE),
        state(8, "kworker/other:0", TaskState.IDLE),
        state(9, "gone", TaskState.EXITED));
    WaitGraph.Builder b = WaitGraph.builder();
    // member clock at 10 s, detector clock at 100 s: ages are kept.
    KernelFacts.feed("n1", 10 * S, tasks, memory(8, List.of("task:kswapd0#1")), 100 * S, b);
    WaitGraph g = b.build();

    assertThat(g.edges()).extracting(Edge::toString).containsExactlyInAnyOrder(
        "n1/mem --only-source--> n1/task:kswapd0#1",
        "n1/task:fence_agent#4 --waits-memory(8KiB,GFP_NOIO)--> n1/mem",
        "n1/task:kswapd0#1 --waits-dlm-running--> dlm/ls:gfs2fs",
        "n1/task:umount#5 --waits-reply(work glock:put)--> n1/wq:glock",
        "n1/wq:glock --all-workers--> n1/task:glock/rescuer#7",
        "n1/wq:glock --all-workers--> n1/task:kworker/glock:0#6");
    assertThat(g.info(Vertex.parse("n1/mem")).join()).isEqualTo(Join.OR);
    assertThat(g.info(Vertex.parse("n1/mem")).state()).isEqualTo("free<min");
    assertThat(g.info(Vertex.parse("n1/wq:glock")).join()).isEqualTo(Join.OR);
    assertThat(g.info(Vertex.parse("n1/task:fence_agent#4")).waitingSince()).hasValue(95 * S);
    assertThat(g.vertices()).extracting(Vertex::name).doesNotContain("n1/task:gone#9")
        .contains("n1/task:kworker/other:0#8");

    // The lockspace is stopped with nobody named to restart it: a sink, so these are stalls, not a knot.
    assertThat(KnotAnalysis.analyze(g).stuck()).isEmpty();
  }

  @Test
  void aMempoolWaiterDependsOnTheElementHoldersAndOnMemory() {
    WaitEdge onPool = new WaitEdge(EdgeKind.WAITS_MEMORY, "4KiB,GFP_NOFS", Join.OR, List.of("mempool:dlm_comm"));
    List<TaskSnapshot> tasks = List.of(
        waiting(2, "dlm_send", onPool, 0),
        waiting(3, "holder", WaitEdge.of(EdgeKind.WAITS_REPLY, "x", "task:dlm_send#2"), 0),
        waiting(1, "kswapd0", WaitEdge.of(EdgeKind.WAITS_REPLY, "dlm_unlock", "task:dlm_send#2"), 0));
    MemorySnapshot.MempoolView pool = new MemorySnapshot.MempoolView("dlm_comm", 2, 0, 1, 5, 2, List.of("task:holder#3"));
    WaitGraph.Builder b = WaitGraph.builder();
    KernelFacts.feed("n1", 0, tasks, memory(5, List.of("task:kswapd0#1"), List.of(pool)), 0, b);
    WaitGraph g = b.build();
    assertThat(g.out(Vertex.parse("n1/mempool:dlm_comm"))).extracting(Edge::toString).containsExactly(
        "n1/mempool:dlm_comm --source--> n1/mem", "n1/mempool:dlm_comm --source--> n1/task:holder#3");
    assertThat(KnotAnalysis.analyze(g).knots()).singleElement().satisfies(k -> assertThat(k.vertices())
        .extracting(Vertex::name).containsExactly("n1/mem", "n1/mempool:dlm_comm", "n1/task:dlm_send#2",
            "n1/task:holder#3", "n1/task:kswapd0#1"));

    // The same with kswapd running: memory can be reclaimed, so the pool is served eventually.
    WaitGraph.Builder free = WaitGraph.builder();
    KernelFacts.feed("n1", 0, List.of(tasks.get(0), tasks.get(1), state(1, "kswapd0", TaskState.RUNNING)),
        memory(5, List.of("task:kswapd0#1"), List.of(pool)), 0, free);
    assertThat(KnotAnalysis.analyze(free.build()).stuck()).isEmpty();
  }

  @Test
  void twoMembersMergeOnTheClusterWideLockspace() {
    WaitGraph.Builder b = WaitGraph.builder();
    KernelFacts.feed("n1", 0, List.of(waiting(1, "kswapd0", WaitEdge.of(EdgeKind.WAITS_DLM_RUNNING, "", "ls:gfs2fs"), 0)),
        memory(50, List.of()), 0, b);
    KernelFacts.feed("n2", 0, List.of(waiting(3, "cp", WaitEdge.of(EdgeKind.WAITS_DLM_RUNNING, "", "ls:gfs2fs"), 0)),
        memory(50, List.of()), 0, b);
    // The recovery layer's facts: the lockspace waits for n3's fence, run by n1's agent, which waits on memory.
    b.waits(Vertex.lockspace("gfs2fs"), EdgeKind.WAITS_FENCING, "n3", Vertex.fence("n1", "n3"))
        .runBy(Vertex.fence("n1", "n3"), Vertex.task("n1", "fence_agent#4"));
    KernelFacts.feed("n1", 0, List.of(
        waiting(1, "kswapd0", WaitEdge.of(EdgeKind.WAITS_DLM_RUNNING, "", "ls:gfs2fs"), 0),
        waiting(4, "fence_agent", WaitEdge.memory(8192, GfpMask.NOIO, "mem"), 0)),
        memory(5, List.of("task:kswapd0#1")), 0, b);
    KnotAnalysis.Result r = KnotAnalysis.analyze(b.build());
    assertThat(r.knots()).singleElement().satisfies(k -> {
      assertThat(k.vertices()).extracting(Vertex::name).containsExactly("dlm/ls:gfs2fs", "n1/fence:n3", "n1/mem",
          "n1/task:fence_agent#4", "n1/task:kswapd0#1");
      assertThat(k.collateralWaiters()).extracting(Vertex::name).containsExactly("n2/task:cp#3");
    });
  }
}
