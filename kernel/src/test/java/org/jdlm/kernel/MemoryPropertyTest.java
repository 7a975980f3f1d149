package org.jdlm.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jdlm.kernel.KernelFixture.PAGE;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.jdlm.kernel.KernelFixture.Cache;
import org.jdlm.kernel.core.GfpMask;
import org.jdlm.kernel.core.MemorySnapshot;
import org.jdlm.kernel.core.TaskFlag;

/**
 * Random sequences of allocations (every mask, with and without MEMALLOC/NOFS scopes), frees and
 * cache growth, run in one task on a live kernel (kswapd off, so the run is deterministic). After
 * every step: the accounting holds, free memory never goes below the floor the caller is entitled
 * to, and no reclaim under a mask without __GFP_FS ever called the filesystem shrinker.
 */
class MemoryPropertyTest {

  @Property(tries = 60)
  void invariantsHoldAfterEveryStep(@ForAll("ops") List<Integer> ops) {
    try (KernelFixture f = new KernelFixture("""
        jdlm.kernel.memory.kswapd.enabled = off
        jdlm.kernel.memory.reclaim { max-retries = 1, retry-wait = 1ms }
        """)) {
      Cache fs = new Cache("inode_cache", true, false, true);
      Cache plain = new Cache("buffers", false, false, true);
      f.memory().register(fs);
      f.memory().register(plain);
      f.call("driver", Set.of(), () -> {
        List<Allocation> live = new ArrayList<>();
        for (int op : ops) {
          step(f, op, live, fs, plain);
          f.memory().checkInvariants();
          MemorySnapshot s = f.memory().snapshot();
          assertThat(s.freePages()).isBetween(0L, 100L);
          assertThat(s.reclaimers()).isEmpty();
          assertThat(fs.scans).allSatisfy(c -> assertThat(c.mask().mayReclaimFs()).isTrue());
          assertThat(fs.counts).allSatisfy(c -> assertThat(c.mask().mayReclaimFs()).isTrue());
        }
        return null;
      });
    }
  }

  private static void step(KernelFixture f, int op, List<Allocation> live, Cache fs, Cache plain) {
    int kind = op % 5;
    int pages = 1 + (op / 5) % 12;
    GfpMask mask = GfpMask.values()[(op / 60) % GfpMask.values().length];
    Task me = Task.current();
    switch (kind) {
      case 0, 1 -> {
        TaskFlag scope = (op / 300) % 3 == 0 ? TaskFlag.MEMALLOC : (op / 300) % 3 == 1 ? TaskFlag.NOFS : TaskFlag.KTHREAD;
        long before = f.memory().freePages();
        try (Task.FlagScope s = me.withFlags(scope)) {
          AllocationResult r = f.memory().allocate((long) pages * PAGE, mask);
          if (r instanceof Allocation a) {
            live.add(a);
            if (a.fromReserve()) {
              assertThat(scope == TaskFlag.MEMALLOC || mask == GfpMask.ATOMIC)
                  .as("reserve used by " + mask + " " + scope).isTrue();
            } else {
              assertThat(f.memory().freePages()).isGreaterThanOrEqualTo(10);
            }
          } else {
            assertThat(f.memory().freePages()).as("a failure reclaims at most; never takes pages")
                .isGreaterThanOrEqualTo(Math.min(before, f.memory().freePages()));
          }
        }
      }
      case 2 -> {
        if (!live.isEmpty()) {
          live.remove(op % live.size()).close();
        }
      }
      case 3 -> {
        if (f.memory().freePages() > 12) {
          fs.fill(f, Math.min(pages, 3));
        }
      }
      default -> {
        if (f.memory().freePages() > 12) {
          plain.fill(f, Math.min(pages, 3));
        }
      }
    }
  }

  @Provide
  Arbitrary<List<Integer>> ops() {
    return Arbitraries.integers().between(0, 899).list().ofMaxSize(40);
  }
}
