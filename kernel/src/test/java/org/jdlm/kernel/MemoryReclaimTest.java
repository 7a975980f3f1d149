package org.jdlm.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jdlm.kernel.KernelFixture.PAGE;
import static org.jdlm.kernel.KernelFixture.until;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.jdlm.kernel.KernelFixture.Cache;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.GfpMask;
import org.jdlm.kernel.core.HungTaskCheck;
import org.jdlm.kernel.core.Join;
import org.jdlm.kernel.core.ShrinkControl;
import org.jdlm.kernel.core.TaskFlag;
import org.jdlm.kernel.core.TaskSnapshot;
import org.jdlm.kernel.core.TaskState;
import org.jdlm.kernel.core.WaitEdge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The issue's reclaim tests, on a real kernel with tasks on their own threads. */
class MemoryReclaimTest {

  private static final String NO_KSWAPD = "jdlm.kernel.memory.kswapd.enabled = off\n";
  private static final String FAIL_FAST = "jdlm.kernel.memory.reclaim { max-retries = 1, retry-wait = 1ms }\n";

  @Test
  void nofsAllocationNeverEntersAFilesystemShrinker() {
    try (KernelFixture f = new KernelFixture(NO_KSWAPD)) {
      Cache inodes = new Cache("inode_cache", true, false, true);
      Cache buffers = new Cache("comm_buffers", false, false, true);
      f.memory().register(inodes);
      f.memory().register(buffers);
      inodes.fill(f, 30);
      buffers.fill(f, 30);
      f.hog(30); // free = 10 = min

      AllocationResult viaMask = f.call("dlm_send", Set.of(), () -> f.memory().allocate(5 * PAGE, GfpMask.NOFS));
      AllocationResult viaScope = f.call("fence_agent", Set.of(), () -> {
        try (Task.FlagScope nofs = Task.current().withFlags(TaskFlag.NOFS)) {
          return f.memory().allocate(5 * PAGE, GfpMask.KERNEL); // memalloc_nofs_save around a GFP_KERNEL call
        }
      });

      assertThat(viaMask).isInstanceOf(Allocation.class);
      assertThat(viaScope).isInstanceOf(Allocation.class);
      assertThat(inodes.counts).as("not even counted").isEmpty();
      assertThat(inodes.scans).isEmpty();
      assertThat(inodes.size()).isEqualTo(30);
      assertThat(buffers.scans).isNotEmpty().allSatisfy(c -> assertThat(c.mask()).isEqualTo(GfpMask.NOFS));
      f.memory().checkInvariants();
    }
  }

  static Stream<Arguments> masks() {
    return Stream.of(
        // mask, task flags, shrinkers the allocating task may call
        Arguments.of(GfpMask.KERNEL, Set.of(), List.of("fs", "io", "plain")),
        Arguments.of(GfpMask.NOFS, Set.of(), List.of("io", "plain")),
        Arguments.of(GfpMask.NOIO, Set.of(), List.of("plain")),
        Arguments.of(GfpMask.KERNEL, Set.of(TaskFlag.NOFS), List.of("io", "plain")),
        Arguments.of(GfpMask.KERNEL, Set.of(TaskFlag.NOIO), List.of("plain")),
        Arguments.of(GfpMask.KERNEL, Set.of(TaskFlag.IO_FLUSHER), List.of("plain")),
        Arguments.of(GfpMask.KERNEL, Set.of(TaskFlag.MEMALLOC), List.of()), // no recursion into reclaim
        Arguments.of(GfpMask.NOWAIT, Set.of(), List.of()),
        Arguments.of(GfpMask.ATOMIC, Set.of(), List.of()));
  }

  @ParameterizedTest(name = "{0} with {1} may call {2}")
  @MethodSource("masks")
  void shrinkersRunOnlyWhenTheMaskAllows(GfpMask mask, Set<TaskFlag> flags, List<String> expected) {
    try (KernelFixture f = new KernelFixture(NO_KSWAPD + FAIL_FAST)) {
      // Shrinkers that free nothing: reclaim walks every priority and every eligible shrinker.
      Cache fs = new Cache("fs", true, false, false);
      Cache io = new Cache("io", false, true, false);
      Cache plain = new Cache("plain", false, false, false);
      for (Cache c : List.of(fs, io, plain)) {
        f.memory().register(c);
        c.fill(f, 10);
      }
      f.hog(60); // free = 10
      AllocationResult r = f.call("t", flags, () -> f.memory().allocate(15 * PAGE, mask));

      assertThat(r).isInstanceOf(AllocationResult.Failed.class);
      assertThat(Stream.of(fs, io, plain).filter(c -> c.calledBy("t")).map(c -> c.name)).containsExactlyElementsOf(expected);
      for (Cache c : List.of(fs, io, plain)) {
        assertThat(c.scans).allSatisfy(ctl -> assertThat(ctl.nrToScan()).isBetween(1L, 128L));
      }
    }
  }

  @Test
  void kswapdRestoresTheHighWatermark() {
    try (KernelFixture f = new KernelFixture("")) {
      Cache inodes = new Cache("inode_cache", true, false, true);
      f.memory().register(inodes);
      inodes.fill(f, 60);
      f.hog(15); // free = 25: above low, kswapd asleep
      assertThat(f.memory().snapshot().counters().kswapdRounds()).isZero();

      // An atomic allocation cannot reclaim, but leaves free below low: it wakes kswapd.
      AllocationResult r = f.memory().allocate(10 * PAGE, GfpMask.ATOMIC);
      assertThat(r).isInstanceOf(Allocation.class);

      until(() -> f.memory().freePages() >= 30 && f.task("kswapd0").state() == TaskState.IDLE,
          "kswapd to reclaim to the high watermark and sleep");
      assertThat(inodes.scans).isNotEmpty().allSatisfy(c -> {
        assertThat(c.task()).startsWith("task:kswapd0#");
        assertThat(c.mask()).isEqualTo(GfpMask.KERNEL);
        assertThat(c.flags()).contains(TaskFlag.MEMALLOC, TaskFlag.KSWAPD);
      });
      assertThat(inodes.size()).as("kswapd stops at high instead of emptying the cache").isGreaterThan(20);
      assertThat(f.memory().snapshot().counters().kswapdRounds()).isPositive();
      f.memory().checkInvariants();
    }
  }

  @Test
  void reservesOnlyForMemallocTasks() {
    try (KernelFixture f = new KernelFixture(NO_KSWAPD + FAIL_FAST)) {
      f.hog(90); // free = 10 = min: what is left is the reserve
      AllocationResult user = f.call("user", Set.of(), () -> f.memory().allocate(PAGE, GfpMask.KERNEL));
      AllocationResult nofs = f.call("dlm_send", Set.of(TaskFlag.NOFS), () -> f.memory().allocate(PAGE, GfpMask.NOFS));
      AllocationResult nowait = f.memory().allocate(PAGE, GfpMask.NOWAIT);
      assertThat(List.of(user, nofs, nowait)).allSatisfy(r -> assertThat(r).isInstanceOf(AllocationResult.Failed.class));
      assertThat(((AllocationResult.Failed) user).reason()).contains("no memory after 1 waits").contains("min 10");

      AllocationResult memalloc = f.call("fence_agent", Set.of(TaskFlag.MEMALLOC),
          () -> f.memory().allocate(8 * PAGE, GfpMask.KERNEL));
      assertThat(memalloc).isInstanceOfSatisfying(Allocation.class, a -> assertThat(a.fromReserve()).isTrue());
      AllocationResult beyond = f.call("fence_agent", Set.of(TaskFlag.MEMALLOC),
          () -> f.memory().allocate(3 * PAGE, GfpMask.KERNEL));
      assertThat(beyond).isInstanceOfSatisfying(AllocationResult.Failed.class,
          r -> assertThat(r.reason()).contains("reserve exhausted"));
      ((Allocation) memalloc).close();

      // ATOMIC gets half of the reserve, and only half.
      assertThat(f.memory().allocate(5 * PAGE, GfpMask.ATOMIC)).isInstanceOf(Allocation.class);
      assertThat(f.memory().allocate(PAGE, GfpMask.ATOMIC)).isInstanceOf(AllocationResult.Failed.class);
      assertThat(f.memory().snapshot().counters().reserveGrants()).isEqualTo(2);
    }
  }

  @Test
  void aWaitingAllocationIsAnOrEdgeOnMemoryUntilPagesAreFreed() {
    try (KernelFixture f = new KernelFixture(NO_KSWAPD)) {
      Allocation hog = f.hog(90);
      f.clock.advance(Duration.ofSeconds(3));
      CompletableFuture<AllocationResult> dd = f.onTask("dd", Set.of(), () -> f.memory().allocate(5 * PAGE, GfpMask.NOFS));

      until(() -> f.waiting("dd"), "dd to wait for memory");
      TaskSnapshot s = f.task("dd");
      assertThat(s.waitEdge()).isEqualTo(new WaitEdge(EdgeKind.WAITS_MEMORY, "20KiB,GFP_NOFS", Join.OR, List.of("mem")));
      assertThat(s.sinceNanos()).isEqualTo(Duration.ofSeconds(3).toNanos());
      assertThat(f.memory().snapshot().waiters()).singleElement().asString().contains("task:dd#");
      assertThat(f.kernel.dumpTasks()).contains("--waits-memory(20KiB,GFP_NOFS) OR--> mem");

      hog.close();
      assertThat(KernelFixture.get(dd)).isInstanceOf(Allocation.class);
      assertThat(f.memory().snapshot().waiters()).isEmpty();
      f.memory().checkInvariants();
    }
  }

  /**
   * The shape of fs-cycles §5.2 b1: the fence agent's own direct reclaim enters a filesystem
   * shrinker whose scan blocks (here on a stopped lockspace). The registry shows the activity and
   * the wait, the watchdog reports it, and it all resolves when the blocking condition does.
   */
  @Test
  void aShrinkerThatBlocksLeavesTheReclaimerVisiblyStuck() {
    try (KernelFixture f = new KernelFixture(NO_KSWAPD)) {
      CompletableFuture<Void> lockspaceRunning = new CompletableFuture<>();
      Cache inodes = new Cache("inode_cache", true, false, true) {
        @Override
        public long scan(ShrinkControl control) {
          Task.current().await(WaitEdge.of(EdgeKind.WAITS_DLM_RUNNING, "", "ls:gfs2fs"), lockspaceRunning);
          return super.scan(control);
        }
      };
      f.memory().register(inodes);
      inodes.fill(f, 40);
      f.hog(50);
      CompletableFuture<AllocationResult> agent = f.onTask("fence_agent", Set.of(),
          () -> f.memory().allocate(32 * 1024, GfpMask.KERNEL));

      until(() -> f.waiting("fence_agent"), "the agent to block inside the shrinker");
      TaskSnapshot s = f.task("fence_agent");
      assertThat(s.activity()).isEqualTo("reclaims-via(inode_cache)");
      assertThat(s.waitEdge().kind()).isEqualTo(EdgeKind.WAITS_DLM_RUNNING);
      assertThat(s.flags()).as("direct reclaim runs with PF_MEMALLOC").contains(TaskFlag.MEMALLOC);
      assertThat(f.memory().snapshot().reclaimers()).containsExactly(f.task("fence_agent").endpoint());

      f.clock.advance(Duration.ofSeconds(121));
      List<HungTaskCheck.HungTask> hung = f.kernel.checkHungTasks();
      assertThat(hung).singleElement().satisfies(h -> assertThat(h.line())
          .contains("task:fence_agent#").contains("blocked for more than 121 seconds").contains("waits-dlm-running"));
      assertThat(f.kernel.checkHungTasks()).as("reported once").isEmpty();

      lockspaceRunning.complete(null);
      assertThat(KernelFixture.get(agent)).isInstanceOf(Allocation.class);
      assertThat(f.memory().snapshot().reclaimers()).isEmpty();
    }
  }

  @Test
  void allocationsInsideReclaimUseTheReserveInsteadOfRecursing() {
    try (KernelFixture f = new KernelFixture(NO_KSWAPD)) {
      List<Allocation> nested = new java.util.ArrayList<>();
      Cache comm = new Cache("comm", false, false, true) {
        @Override
        public long scan(ShrinkControl control) {
          // like dlm_unlock needing a message buffer while the shrinker evicts
          AllocationResult r = Task.current().kernel().memory().allocate(PAGE, GfpMask.NOFS);
          nested.add((Allocation) r);
          return super.scan(control);
        }
      };
      f.memory().register(comm);
      comm.fill(f, 20);
      f.hog(70); // free = 10
      AllocationResult outer = f.call("evictor", Set.of(), () -> f.memory().allocate(3 * PAGE, GfpMask.KERNEL));
      assertThat(outer).isInstanceOf(Allocation.class);
      assertThat(nested).as("the first nested allocation found only the reserve, and got it").isNotEmpty();
      assertThat(nested.get(0).fromReserve()).isTrue();
      assertThat(f.memory().snapshot().counters().directReclaims()).as("the nested calls did not reclaim").isEqualTo(1);
    }
  }

  @Test
  void blockingAllocationOutsideATaskIsABug() {
    try (KernelFixture f = new KernelFixture(NO_KSWAPD)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.memory().allocate(PAGE, GfpMask.KERNEL))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("must run on a kernel task");
      assertThat(f.memory().allocate(-1, GfpMask.NOWAIT)).isInstanceOfSatisfying(AllocationResult.Failed.class,
          r -> assertThat(r.reason()).contains("-1"));
    }
  }
}
