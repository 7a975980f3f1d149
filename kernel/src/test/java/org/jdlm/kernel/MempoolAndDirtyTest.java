package org.jdlm.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jdlm.kernel.KernelFixture.PAGE;
import static org.jdlm.kernel.KernelFixture.until;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.GfpMask;
import org.jdlm.kernel.core.Join;
import org.jdlm.kernel.core.TaskFlag;
import org.jdlm.kernel.core.WaitEdge;
import org.junit.jupiter.api.Test;

class MempoolAndDirtyTest {
  private static final String NO_KSWAPD = "jdlm.kernel.memory.kswapd.enabled = off\n";

  @Test
  void aMempoolServesItsUserFromTheReserveWithoutReclaimAndWaitsOnlyWhenEmpty() {
    try (KernelFixture f = new KernelFixture(NO_KSWAPD)) {
      Mempool pool = f.call("setup", Set.of(), () -> f.memory().createMempool("fence", 2, PAGE, GfpMask.KERNEL));
      f.hog(88); // free = 10 = min: an ordinary NOFS allocation would reclaim and wait
      long reclaimsBefore = f.memory().snapshot().counters().directReclaims();

      Allocation e1 = (Allocation) f.call("fence_agent", Set.of(), () -> pool.alloc(GfpMask.NOFS));
      Allocation e2 = (Allocation) f.call("fence_agent", Set.of(), () -> pool.alloc(GfpMask.NOFS));
      assertThat(pool.available()).isZero();
      assertThat(f.memory().snapshot().counters().directReclaims()).isEqualTo(reclaimsBefore);

      assertThat(pool.alloc(GfpMask.ATOMIC)).isInstanceOfSatisfying(AllocationResult.Failed.class,
          r -> assertThat(r.reason()).contains("mempool fence is empty"));
      CompletableFuture<AllocationResult> third = f.onTask("fence_agent", Set.of(), () -> pool.alloc(GfpMask.NOFS));
      until(() -> f.waiting("fence_agent"), "the third request to wait for an element");
      assertThat(f.task("fence_agent").waitEdge())
          .isEqualTo(new WaitEdge(EdgeKind.WAITS_MEMORY, "4KiB,GFP_NOFS", Join.OR, List.of("mempool:fence")));
      assertThat(f.memory().snapshot().mempools()).singleElement().satisfies(v -> assertThat(v.holders())
          .as("the detector's providers of mempool:fence").isNotEmpty().allMatch(h -> h.startsWith("task:fence_agent#")));

      pool.free(e1);
      assertThat(KernelFixture.get(third)).isSameAs(e1);
      pool.free(e2);
      assertThat(pool.available()).isEqualTo(1);
      assertThat(f.memory().snapshot().mempools()).singleElement()
          .satisfies(v -> {
            assertThat(v.fromReserve()).isEqualTo(3);
            assertThat(v.holders()).as("e1, re-lent to the third request").hasSize(1);
          });
      assertThatThrownBy(() -> pool.free((Allocation) f.hog(2))).hasMessageContaining("not an element of 4096 bytes");
      f.memory().checkInvariants();
    }
  }

  @Test
  void aMempoolThatCannotBeFilledIsRefusedWithTheReason() {
    try (KernelFixture f = new KernelFixture(NO_KSWAPD)) {
      f.hog(95);
      assertThatThrownBy(() -> f.memory().createMempool("comm", 2, PAGE, GfpMask.NOWAIT))
          .hasMessageContaining("mempool comm: could not pre-allocate element 1 of 2");
      assertThat(f.memory().freePages()).isEqualTo(5);
    }
  }

  /**
   * Dirty throttling of the loop-back NFS cycle (fs-cycles §5.3): the client's dirty pages push the
   * node over its limit, so nfsd writing to the local filesystem is throttled too, unless it runs
   * with LOCAL_THROTTLE (fix F-c2). Writeback completion releases the throttled writers.
   */
  @Test
  void dirtyThrottlingAndLocalThrottle() {
    try (KernelFixture f = new KernelFixture(NO_KSWAPD)) {
      Allocation clientPages = f.hog(30);
      Allocation localPages = f.hog(10);
      f.memory().dirty("nfs-client", 25); // node limit: 20% of 100 = 20
      f.memory().dirty("localfs", 1);

      CompletableFuture<Boolean> app = f.onTask("app", Set.of(), () -> {
        f.memory().balanceDirtyPages("nfs-client");
        return true;
      });
      CompletableFuture<Boolean> nfsd = f.onTask("nfsd", Set.of(), () -> {
        f.memory().balanceDirtyPages("localfs");
        return true;
      });
      boolean localNfsd = f.call("nfsd-local", Set.of(TaskFlag.LOCAL_THROTTLE), () -> {
        f.memory().balanceDirtyPages("localfs");
        return true;
      });
      assertThat(localNfsd).as("LOCAL_THROTTLE: only its own bdi counts").isTrue();

      until(() -> f.waiting("app") && f.waiting("nfsd"), "both writers to be throttled");
      WaitEdge e = f.task("nfsd").waitEdge();
      assertThat(e.kind()).isEqualTo(EdgeKind.THROTTLED);
      assertThat(e.join()).isEqualTo(Join.OR);
      assertThat(e.targets()).containsExactly("bdi:localfs", "bdi:nfs-client");

      f.memory().startWriteback("nfs-client", 25);
      assertThat(f.waiting("app")).as("pages under writeback still count").isTrue();
      f.memory().endWriteback("nfs-client", 25);
      assertThat(KernelFixture.get(app)).isTrue();
      assertThat(KernelFixture.get(nfsd)).isTrue();
      f.memory().cancelDirty("localfs", 1);
      clientPages.close();
      localPages.close();
      f.memory().checkInvariants();
    }
  }

  @Test
  void reclaimIsThrottledWhileTooMuchIsUnderWriteback() {
    try (KernelFixture f = new KernelFixture(NO_KSWAPD)) {
      Allocation clientPages = f.hog(90);
      f.memory().dirty("nfs-client", 50);
      f.memory().startWriteback("nfs-client", 50); // 50 of 90 used pages under writeback >= 50%
      CompletableFuture<AllocationResult> nfsdAlloc = f.onTask("nfsd", Set.of(),
          () -> f.memory().allocate(PAGE, GfpMask.KERNEL));
      until(() -> f.waiting("nfsd") && f.task("nfsd").waitEdge().kind() == EdgeKind.THROTTLED,
          "nfsd's reclaim to be throttled on writeback");
      assertThat(f.task("nfsd").waitEdge().targets()).containsExactly("bdi:nfs-client");
      assertThat(f.memory().snapshot().counters().throttles()).isEqualTo(1);

      f.memory().endWriteback("nfs-client", 50);
      until(() -> f.waiting("nfsd") && f.task("nfsd").waitEdge().kind() == EdgeKind.WAITS_MEMORY,
          "nfsd to go on from throttling to waiting for memory");
      clientPages.close();
      assertThat(KernelFixture.get(nfsdAlloc)).isInstanceOf(Allocation.class);
    }
  }

  @Test
  void kernelThreadsAreNotReclaimThrottledUnlessConfigured() {
    try (KernelFixture f = new KernelFixture(NO_KSWAPD + "jdlm.kernel.memory.reclaim { max-retries = 1, retry-wait = 1ms }\n")) {
      Allocation pages = f.hog(90);
      f.memory().dirty("nfs-client", 50);
      f.memory().startWriteback("nfs-client", 50);
      AllocationResult r = f.call("kworker", Set.of(TaskFlag.KTHREAD), () -> f.memory().allocate(PAGE, GfpMask.KERNEL));
      assertThat(r).isInstanceOf(AllocationResult.Failed.class);
      assertThat(f.memory().snapshot().counters().throttles()).isZero();
      f.memory().endWriteback("nfs-client", 50);
      pages.close();
    }
  }
}
