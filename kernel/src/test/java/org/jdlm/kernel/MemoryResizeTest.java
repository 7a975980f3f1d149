package org.jdlm.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jdlm.kernel.KernelFixture.PAGE;
import static org.jdlm.kernel.KernelFixture.until;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jdlm.kernel.core.GfpMask;
import org.jdlm.kernel.core.MemoryBudget.Watermarks;
import org.junit.jupiter.api.Test;

/** {@link Memory#resize}: a scenario's {@code nX memory total=…} on a running member. */
class MemoryResizeTest {

  private static final String NO_KSWAPD = "jdlm.kernel.memory.kswapd.enabled = off\n"
      + "jdlm.kernel.memory.reclaim { max-retries = 1000, retry-wait = 5ms }\n";

  @Test
  void aLargerBudgetLetsAWaitingAllocationThrough() {
    try (KernelFixture f = new KernelFixture(NO_KSWAPD)) {
      Allocation hog = f.hog(85); // free = 15, min = 10
      CompletableFuture<AllocationResult> waiting = f.onTask("dd", Set.of(),
          () -> f.memory().allocate(10L * PAGE, GfpMask.KERNEL));
      until(() -> f.waiting("dd"), "dd waits for memory");

      f.memory().resize(200, new Watermarks(10, 20, 30));

      assertThat(KernelFixture.get(waiting)).isInstanceOf(Allocation.class);
      assertThat(f.memory().snapshot().totalPages()).isEqualTo(200);
      assertThat(f.memory().freePages()).isEqualTo(200 - 85 - 10);
      hog.close();
      f.memory().checkInvariants();
    }
  }

  @Test
  void aBudgetBelowThePagesInUseIsRefusedWithTheNumbers() {
    try (KernelFixture f = new KernelFixture(NO_KSWAPD)) {
      f.hog(50);
      assertThatThrownBy(() -> f.memory().resize(40, new Watermarks(1, 2, 3)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("40").hasMessageContaining("50");
      assertThatThrownBy(() -> f.memory().resize(100, new Watermarks(1, 2, 300)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("300");
      assertThat(f.memory().snapshot().totalPages()).isEqualTo(100);
    }
  }

  @Test
  void raisingTheWatermarksAboveFreeWakesKswapdToReclaim() {
    try (KernelFixture f = new KernelFixture("jdlm.kernel.memory.reclaim { retry-wait = 5ms }\n")) {
      KernelFixture.Cache cache = new KernelFixture.Cache("cache", true, false, true);
      f.memory().register(cache);
      cache.fill(f, 40); // free = 60
      f.memory().resize(100, new Watermarks(40, 70, 80));
      until(() -> f.memory().freePages() >= 80, "kswapd reclaims up to the new high watermark");
      assertThat(f.memory().snapshot().watermarks().high()).isEqualTo(80);
    }
  }
}
