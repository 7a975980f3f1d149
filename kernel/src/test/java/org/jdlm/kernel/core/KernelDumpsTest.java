package org.jdlm.kernel.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KernelDumpsTest {

  @Test
  void tasksDumpShowsFlagsStateDurationActivityAndEdge() {
    long s = 1_000_000_000L;
    TaskSnapshot agent = new TaskSnapshot(4, "fence_agent", TaskState.WAITING, Set.of(TaskFlag.NOFS),
        "reclaims-via(inode_cache)", WaitEdge.of(EdgeKind.WAITS_DLM_RUNNING, "", "ls:gfs2fs"), 2 * s);
    TaskSnapshot kswapd = new TaskSnapshot(1, "kswapd0", TaskState.IDLE,
        Set.of(TaskFlag.KSWAPD, TaskFlag.MEMALLOC, TaskFlag.KTHREAD), "", null, 0);
    assertThat(KernelDumps.tasks("n1", List.of(kswapd, agent), 5 * s + 250_000_000L)).isEqualTo("""
        TASKS member=n1 count=2 waiting=1
          task:kswapd0#1 flags=MEMALLOC,KTHREAD,KSWAPD IDLE 5.250s
          task:fence_agent#4 flags=NOFS WAITING 3.250s activity=reclaims-via(inode_cache) --waits-dlm-running AND--> ls:gfs2fs
        """);
  }

  @Test
  void memoryDumpShowsLevelsSourcesAndCounters() {
    MemorySnapshot m = new MemorySnapshot(100, 4096, 8, new MemoryBudget.Watermarks(10, 20, 30), "task:kswapd0#1 RUNNING",
        List.of("task:kswapd0#1"), List.of("task:dd#7 waits-memory(4KiB,GFP_NOFS)"),
        List.of(new MemorySnapshot.ShrinkerView("inode_cache", 2, true, false, 40, 12, 0, 1)),
        List.of(new MemorySnapshot.MempoolView("fence", 2, 1, 4, 3, 1)),
        List.of(new MemoryState.Bdi("nfs", 5, 3)),
        new MemorySnapshot.Counters(10, 1, 2, 3, 1, 4, 12, 0));
    assertThat(KernelDumps.memory("n1", m)).isEqualTo("""
        MEMORY member=n1 total=100p page=4096B free=8p used=92p min=10 low=20 high=30 [free<min]
          kswapd: task:kswapd0#1 RUNNING
          reclaimers: task:kswapd0#1
          waiters: task:dd#7 waits-memory(4KiB,GFP_NOFS)
          shrinker inode_cache seeks=2 needs=FS freeable=40 scanned=12 freed=0 stops=1
          mempool fence elements=1/2 element=4p served=3 from-reserve=1
          bdi nfs dirty=5p writeback=3p
          counters: allocations=10 failures=1 waits=2 direct-reclaims=3 reserve-grants=1 kswapd-rounds=4 objects-freed=12 throttles=0
        """);
  }

  @Test
  void edgesPrintAsTheDetectorSpellsThem() {
    assertThat(WaitEdge.memory(128 * 1024, GfpMask.NOFS, "mem").label()).isEqualTo("waits-memory(128KiB,GFP_NOFS)");
    assertThat(WaitEdge.memory(100, GfpMask.KERNEL, "mem").join()).isEqualTo(Join.OR);
    assertThat(WaitEdge.of(EdgeKind.WAITS_GLOCK, "EX", "glock:2/1a2b").toString())
        .isEqualTo("waits-glock(EX) AND -> glock:2/1a2b");
    assertThat(WaitEdge.throttled("nfs-client").targets()).containsExactly("bdi:nfs-client");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> WaitEdge.of(EdgeKind.HELD_BY, "", "x"))
        .hasMessageContaining("held-by describes ownership");
    assertThat(Sizes.human(4 << 20)).isEqualTo("4MiB");
    assertThat(Sizes.human(1000)).isEqualTo("1000B");
  }
}
