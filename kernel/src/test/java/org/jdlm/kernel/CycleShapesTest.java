package org.jdlm.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jdlm.kernel.KernelFixture.PAGE;
import static org.jdlm.kernel.KernelFixture.until;

import java.util.EnumSet;
import java.util.List;
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
import org.jdlm.kernel.core.waits.DeadlockDetector;
import org.jdlm.kernel.core.waits.KernelFacts;
import org.jdlm.kernel.core.waits.KnotAnalysis;
import org.jdlm.kernel.core.waits.LivelockMonitor;
import org.jdlm.kernel.core.waits.ReportIds;
import org.jdlm.kernel.core.waits.Vertex;
import org.jdlm.kernel.core.waits.WaitGraph;
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
      Kernel.KernelSnapshot all = f.kernel.snapshot();
      assertThat(all.member()).isEqualTo("n1");
      assertThat(all.tasks()).extracting(TaskSnapshot::name).contains("kswapd0", "dlm_send");
      assertThat(all.memory().reclaimers()).containsExactly(kswapd.endpoint());
    }
  }

  /** The same live kernel, fed to the detector: a knot of kswapd, the send task and memory. */
  @Test
  void theDetectorFindsTheKswapdFormKnotInALiveSnapshot() {
    try (KernelFixture f = new KernelFixture("")) {
      BlockingQueue<CompletableFuture<Void>> unlocks = new LinkedBlockingQueue<>();
      Task send = f.kernel.spawn("dlm_send", EnumSet.of(TaskFlag.KTHREAD), sendLoop(f, unlocks, null));
      Cache cache = inodes(unlocks, send.endpoint());
      f.memory().register(cache);
      cache.fill(f, 40);
      f.hog(52);
      until(() -> f.waiting("kswapd0") && f.waiting("dlm_send"), "kswapd and the send task to block on each other");
      String kswapd = "n1/" + f.task("kswapd0").endpoint();
      String sender = "n1/" + f.task("dlm_send").endpoint();

      WaitGraph.Builder facts = WaitGraph.builder();
      f.kernel.snapshot().feedTo(0, facts);
      DeadlockDetector detector = new DeadlockDetector(new DeadlockDetector.Settings(List.of(), Set.of(), 1),
          new ReportIds("a"), 0);
      DeadlockDetector.Round round = detector.detect(facts.build(), 0);

      assertThat(round.deadlocks()).singleElement().satisfies(d -> assertThat(d.knot().vertices())
          .extracting(Vertex::name).containsExactlyInAnyOrder(kswapd, sender, "n1/mem"));
      assertThat(round.text().replaceAll(" +", " ")).contains(
          "knot=3 fix-switches=none\n",
          " " + kswapd + " --waits-reply(dlm_unlock)--> " + sender + "\n",
          " " + sender + " --waits-memory(4KiB,GFP_NOFS)--> n1/mem[free<min]\n",
          " n1/mem --only-source--> " + kswapd + "\n",
          "closes: [3] -> [1]\n",
          "hint: knot contains OR-node n1/mem; its only reclaim source is blocked (kswapd0#");
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

  /**
   * fs-cycles §5.2 b2 and fix F-b3: kswapd is stuck evicting (the lockspace is stopped). An agent
   * with IO_FLUSHER no longer enters the filesystem shrinker itself (b1 is cut), but it still waits
   * on memory whose only reclaimer is blocked (b2 remains); an agent with the reserve (MEMALLOC)
   * gets its memory at once.
   */
  @Test
  void ioFlusherCutsB1ButNotB2AndTheReserveCutsBoth() {
    try (KernelFixture f = new KernelFixture("")) {
      CompletableFuture<Void> lockspaceRunning = new CompletableFuture<>();
      Cache cache = new Cache("super_cache_scan", true, false, true) {
        @Override
        public long scan(ShrinkControl control) {
          Task.current().await(WaitEdge.of(EdgeKind.WAITS_DLM_RUNNING, "", "ls:gfs2fs"), lockspaceRunning);
          return super.scan(control);
        }
      };
      f.memory().register(cache);
      cache.fill(f, 40);
      f.hog(52); // free = 8 < min: kswapd wakes and blocks in the shrinker
      until(() -> f.waiting("kswapd0"), "kswapd to block evicting");

      CompletableFuture<AllocationResult> flusher = f.onTask("fence_agent", Set.of(TaskFlag.IO_FLUSHER),
          () -> f.memory().allocate(PAGE, GfpMask.KERNEL));
      until(() -> f.waiting("fence_agent"), "the IO_FLUSHER agent to wait for memory");
      TaskSnapshot agent = f.task("fence_agent");
      assertThat(agent.waitEdge().label()).isEqualTo("waits-memory(4KiB,GFP_NOIO)");
      assertThat(agent.activity()).as("it did not enter the filesystem shrinker").isEmpty();
      assertThat(cache.calledBy("fence_agent")).isFalse();
      assertThat(f.memory().snapshot().reclaimers()).containsExactly(f.task("kswapd0").endpoint());

      // The detector: with only the kernel's facts the stopped lockspace is a sink (nobody said what
      // it waits for), so there is no knot; with the recovery layer's facts (the lockspace waits for
      // n3's fence, run by this agent) b2 is a knot through the OR node memory.
      Vertex agentVertex = Vertex.local("n1", f.task("fence_agent").endpoint());
      WaitGraph.Builder kernelOnly = WaitGraph.builder();
      f.kernel.snapshot().feedTo(0, kernelOnly);
      assertThat(KnotAnalysis.analyze(kernelOnly.build()).knots()).isEmpty();
      WaitGraph.Builder merged = WaitGraph.builder();
      f.kernel.snapshot().feedTo(0, merged);
      merged.state(Vertex.lockspace("gfs2fs"), "STOPPED gen 7")
          .waits(Vertex.lockspace("gfs2fs"), EdgeKind.WAITS_FENCING, "n3", Vertex.fence("n1", "n3"))
          .runBy(Vertex.fence("n1", "n3"), agentVertex);
      assertThat(KnotAnalysis.analyze(merged.build()).knots()).singleElement()
          .satisfies(k -> assertThat(k.vertices()).extracting(Vertex::name).containsExactlyInAnyOrder(
              agentVertex.name(), "n1/mem", "n1/" + f.task("kswapd0").endpoint(), "dlm/ls:gfs2fs", "n1/fence:n3"));

      AllocationResult reserved = f.call("fence_agent_reserved", Set.of(TaskFlag.MEMALLOC),
          () -> f.memory().allocate(PAGE, GfpMask.KERNEL));
      assertThat(reserved).isInstanceOfSatisfying(Allocation.class, a -> assertThat(a.fromReserve()).isTrue());

      lockspaceRunning.complete(null); // recovery ends: kswapd evicts, memory comes back
      assertThat(KernelFixture.get(flusher)).isInstanceOf(Allocation.class);
    }
  }

  /**
   * fs-cycles §5.1, the seed's literal FS form: the allocating task's own reclaim evicts, and the
   * eviction's unlock needs a message buffer in the same task. Under PF_MEMALLOC that nested
   * allocation only finds the (exhausted) reserve and fails, the eviction cannot finish, and the
   * outer allocation retries: reclaim and waits rise, objects freed and free memory stay flat —
   * the livelock signature the progress monitor looks for.
   */
  @Test
  void directFsFormLivelocksWithRisingRetriesAndNothingFreed() {
    try (KernelFixture f = new KernelFixture("""
        jdlm.kernel.memory.kswapd.enabled = off
        jdlm.kernel.memory.reclaim { max-retries = 5, retry-wait = 1ms }
        """)) {
      Cache cache = new Cache("super_cache_scan", true, false, true) {
        @Override
        public long scan(ShrinkControl control) {
          AllocationResult buffer = f.memory().allocate(PAGE, GfpMask.KERNEL); // dlm_unlock's message
          if (buffer instanceof Allocation a) {
            a.close();
            return super.scan(control);
          }
          return 0; // the unlock cannot be sent: the inode stays
        }
      };
      f.memory().register(cache);
      cache.fill(f, 40);
      f.hog(60); // free = 0: even the reserve is gone
      LivelockMonitor monitor = new LivelockMonitor("n1", new LivelockMonitor.Settings(5_000_000_000L, 5, 100),
          List.of(KernelFacts.RECLAIM), new ReportIds("a"));
      assertThat(monitor.sample(0, KernelFacts.counters(f.memory().snapshot()))).isEmpty();
      AllocationResult r = f.call("user", Set.of(), () -> f.memory().allocate(PAGE, GfpMask.KERNEL));
      assertThat(monitor.sample(5_000_000_000L, KernelFacts.counters(f.memory().snapshot())))
          .extracting(LivelockMonitor.Report::text).containsExactly("""
              LIVELOCK-SUSPECT id=a-1 at=n1 window=5s
                loop: alloc -> direct reclaim -> shrinker frees nothing -> alloc
                counters: alloc_waits=5 direct_reclaims=6 objects_freed=0 free_pages=flat
              """);

      assertThat(r).isInstanceOfSatisfying(AllocationResult.Failed.class,
          fail -> assertThat(fail.reason()).contains("after 5 waits"));
      MemorySnapshot.Counters c = f.memory().snapshot().counters();
      assertThat(c.waits()).isEqualTo(5);
      assertThat(c.directReclaims()).isEqualTo(6);
      assertThat(c.objectsFreed()).isZero();
      assertThat(c.failures()).as("every nested buffer allocation failed").isGreaterThan(c.waits() + 1);
      assertThat(cache.size()).isEqualTo(40);
      assertThat(f.memory().freePages()).isZero();
    }
  }
}
