package org.jdlm.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jdlm.kernel.KernelFixture.PAGE;
import static org.jdlm.kernel.KernelFixture.until;

import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.jdlm.kernel.KernelFixture.Cache;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.GfpMask;
import org.jdlm.kernel.core.MemorySnapshot;
import org.jdlm.kernel.core.ShrinkControl;
import org.jdlm.kernel.core.TaskFlag;
import org.jdlm.kernel.core.TaskSnapshot;
import org.jdlm.kernel.core.WaitEdge;
import org.junit.jupiter.api.Test;

/**
 * fs-cycles §5.1 in its kswapd form, built from kernel parts only (a stand-in for the DLM's send
 * task): kswapd evicts through the inode shrinker, the eviction's unlock waits for the send task,
 * and the send task's GFP_NOFS message buffer waits for memory whose only reclaimer is kswapd. The
 * registry and the memory snapshot carry everything the detector needs to see the knot; a mempool
 * for the send path (fix F-a4) breaks it.
 */
class CycleShapesTest {

  /** The DLM send task: takes unlock requests, needs one message buffer each, answers when sent. */
  private static Runnable sendLoop(KernelFixture f, BlockingQueue<CompletableFuture<Void>> unlocks, Mempool pool) {
    return () -> {
      while (true) {
        CompletableFuture<Void> unlock;
        try {
          unlock = unlocks.take();
        } catch (InterruptedException e) {
          return;
        }
        AllocationResult buf = pool == null ? f.memory().allocate(PAGE, GfpMask.NOFS) : pool.alloc(GfpMask.NOFS);
        if (buf instanceof Allocation a) {
          unlock.complete(null);
          if (pool == null) {
            a.close();
          } else {
            pool.free(a);
          }
        }
      }
    };
  }

  /** An inode cache whose eviction does a final glock put: an unlock that waits for the send task. */
  private static Cache inodes(BlockingQueue<CompletableFuture<Void>> unlocks, String sendTask) {
    return new Cache("super_cache_scan", true, false, true) {
      @Override
      public long scan(ShrinkControl control) {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        unlocks.add(sent);
        Task.current().await(WaitEdge.of(EdgeKind.WAITS_REPLY, "dlm_unlock", sendTask), sent);
        return super.scan(control);
      }
    };
  }

  @Test
  void kswapdFormClosesThroughTheSendTasksNofsAllocation() {
    try (KernelFixture f = new KernelFixture("")) {
      BlockingQueue<CompletableFuture<Void>> unlocks = new LinkedBlockingQueue<>();
      Task send = f.kernel.spawn("dlm_send", EnumSet.of(TaskFlag.KTHREAD), sendLoop(f, unlocks, null));
      Cache cache = inodes(unlocks, send.endpoint());
      f.memory().register(cache);
      cache.fill(f, 40);
      f.hog(52); // free = 8 < min; allocations below low woke kswapd

      until(() -> f.waiting("kswapd0") && f.waiting("dlm_send"), "kswapd and the send task to block on each other");
      TaskSnapshot kswapd = f.task("kswapd0");
      TaskSnapshot sender = f.task("dlm_send");
      MemorySnapshot mem = f.memory().snapshot();
      assertThat(kswapd.activity()).isEqualTo("reclaims-via(super_cache_scan)");
      assertThat(kswapd.waitEdge().targets()).containsExactly(sender.endpoint());
      assertThat(sender.waitEdge().label()).isEqualTo("waits-memory(4KiB,GFP_NOFS)");
      assertThat(sender.waitEdge().targets()).containsExactly(Memory.ENDPOINT);
      assertThat(mem.reclaimers()).as("the OR node's only source is kswapd, itself blocked").containsExactly(kswapd.endpoint());
      assertThat(f.kernel.dumpMemory()).contains("reclaimers: " + kswapd.endpoint()).contains("[free<min]");
    }
  }

  @Test
  void aMempoolForTheSendPathBreaksTheCycle() {
    try (KernelFixture f = new KernelFixture("")) {
      Mempool buffers = f.call("setup", Set.of(), () -> f.memory().createMempool("dlm_comm", 2, PAGE, GfpMask.KERNEL));
      BlockingQueue<CompletableFuture<Void>> unlocks = new LinkedBlockingQueue<>();
      Task send = f.kernel.spawn("dlm_send", EnumSet.of(TaskFlag.KTHREAD), sendLoop(f, unlocks, buffers));
      Cache cache = inodes(unlocks, send.endpoint());
      f.memory().register(cache);
      cache.fill(f, 40);
      f.hog(50); // free = 8: the hog's allocations below low woke kswapd
      until(() -> f.memory().freePages() >= 30, "kswapd to reclaim to high with every unlock sent from the pool");
      assertThat(f.memory().snapshot().mempools()).singleElement()
          .satisfies(p -> assertThat(p.fromReserve()).isPositive());
    }
  }
}
