package org.jdlm.kernel.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.jdlm.kernel.core.AllocationPolicy.Step;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class AllocationPolicyTest {
  // 100 pages; min 10, low 20, high 30.
  private static final MemoryBudget.Watermarks WM = new MemoryBudget.Watermarks(10, 20, 30);

  private static Set<TaskFlag> flags(String spec) {
    EnumSet<TaskFlag> f = EnumSet.noneOf(TaskFlag.class);
    if (!spec.equals("-")) {
      for (String s : spec.split("\\+")) {
        f.add(TaskFlag.valueOf(s));
      }
    }
    return f;
  }

  private static AllocationPolicy.Plan plan(long free, long pages, GfpMask mask, String flags, boolean inReclaim,
                                            boolean reclaimed, int attempt) {
    return AllocationPolicy.plan(new AllocationPolicy.Input(100, free, WM, pages, mask, flags(flags), inReclaim,
        reclaimed, attempt, 3));
  }

  @ParameterizedTest(name = "free={0} pages={1} {2} flags={3} inReclaim={4} reclaimed={5} attempt={6}: {7} wake={8}")
  @CsvSource({
      // free pages mask    flags     inRecl reclaimed attempt  step                wake
      "50, 5,  KERNEL, -,        false, false, 0,   GRANT,              false",
      "50, 31, KERNEL, -,        false, false, 0,   GRANT,              true",   // 19 left < low 20
      "15, 5,  KERNEL, -,        false, false, 0,   GRANT,              true",   // exactly min left
      "15, 6,  KERNEL, -,        false, false, 0,   DIRECT_RECLAIM,     true",
      "15, 6,  NOFS,   -,        false, false, 0,   DIRECT_RECLAIM,     true",
      "15, 6,  NOIO,   -,        false, false, 0,   DIRECT_RECLAIM,     true",
      "15, 6,  KERNEL, -,        false, true,  0,   WAIT,               true",
      "15, 6,  KERNEL, -,        false, true,  3,   FAIL,               true",   // max-retries 3
      "15, 6,  KERNEL, -,        true,  false, 0,   WAIT,               true",   // no recursion into reclaim
      "15, 6,  ATOMIC, -,        false, false, 0,   GRANT_FROM_RESERVE, true",   // 9 >= min/2
      "15, 11, ATOMIC, -,        false, false, 0,   FAIL,               true",   // 4 < min/2
      "15, 6,  NOWAIT, -,        false, false, 0,   FAIL,               true",   // no reserve for NOWAIT
      "15, 15, KERNEL, MEMALLOC, false, false, 0,   GRANT_FROM_RESERVE, true",   // drains to 0
      "15, 16, KERNEL, MEMALLOC, false, false, 0,   FAIL,               true",   // no recursion
      "15, 16, NOWAIT, MEMALLOC, false, false, 0,   FAIL,               true",
      "15, 15, NOWAIT, MEMALLOC, false, false, 0,   GRANT_FROM_RESERVE, true",   // mempool's first try
      "15, 6,  KERNEL, NOFS,     false, false, 0,   DIRECT_RECLAIM,     true",
      "15, 6,  KERNEL, IO_FLUSHER, false, false, 0, DIRECT_RECLAIM,     true",
      "50, 101, KERNEL, MEMALLOC, false, false, 0,  FAIL,               false",  // over total
  })
  void decisionTable(long free, long pages, GfpMask mask, String flags, boolean inReclaim, boolean reclaimed,
                     int attempt, Step step, boolean wake) {
    AllocationPolicy.Plan p = plan(free, pages, mask, flags, inReclaim, reclaimed, attempt);
    assertThat(p.step()).isEqualTo(step);
    assertThat(p.wakeKswapd()).isEqualTo(wake);
    assertThat(p.reason().isEmpty()).isEqualTo(step != Step.FAIL);
  }

  static Stream<Arguments> masks() {
    return Stream.of(
        // mask, flags, effective
        Arguments.of(GfpMask.KERNEL, "-", GfpMask.KERNEL),
        Arguments.of(GfpMask.KERNEL, "NOFS", GfpMask.NOFS),
        Arguments.of(GfpMask.KERNEL, "NOIO", GfpMask.NOIO),
        Arguments.of(GfpMask.KERNEL, "NOFS+NOIO", GfpMask.NOIO),
        Arguments.of(GfpMask.KERNEL, "IO_FLUSHER", GfpMask.NOIO),
        Arguments.of(GfpMask.KERNEL, "MEMALLOC", GfpMask.KERNEL),
        Arguments.of(GfpMask.KERNEL, "LOCAL_THROTTLE", GfpMask.KERNEL),
        Arguments.of(GfpMask.NOFS, "-", GfpMask.NOFS),
        Arguments.of(GfpMask.NOFS, "NOIO", GfpMask.NOIO),
        Arguments.of(GfpMask.NOIO, "NOFS", GfpMask.NOIO),
        Arguments.of(GfpMask.ATOMIC, "NOFS+NOIO", GfpMask.ATOMIC),
        Arguments.of(GfpMask.NOWAIT, "NOIO", GfpMask.NOWAIT));
  }

  @ParameterizedTest(name = "{0} under {1} is {2}")
  @MethodSource("masks")
  void scopedFlagsNarrowButNeverWidenTheMask(GfpMask mask, String flags, GfpMask effective) {
    assertThat(AllocationPolicy.effectiveMask(mask, flags(flags))).isEqualTo(effective);
  }

  @Test
  void ioFlusherImpliesNoioAndLocalThrottle() {
    assertThat(AllocationPolicy.effectiveFlags(EnumSet.of(TaskFlag.IO_FLUSHER)))
        .contains(TaskFlag.NOIO, TaskFlag.LOCAL_THROTTLE);
    assertThat(AllocationPolicy.effectiveFlags(EnumSet.of(TaskFlag.NOFS))).containsExactly(TaskFlag.NOFS);
  }

  /** Every combination of mask, flag set, free level, size and reclaim state obeys the reserve rules. */
  @Test
  void exhaustiveReserveAndReclaimRules() {
    // The flags that bear on allocation (the throttling flags are DirtyPolicy's), in every combination.
    TaskFlag[] relevant = {TaskFlag.MEMALLOC, TaskFlag.NOFS, TaskFlag.NOIO, TaskFlag.IO_FLUSHER};
    List<Set<TaskFlag>> flagSets = new ArrayList<>();
    for (int bits = 0; bits < 1 << relevant.length; bits++) {
      EnumSet<TaskFlag> f = EnumSet.noneOf(TaskFlag.class);
      for (int i = 0; i < relevant.length; i++) {
        if ((bits & (1 << i)) != 0) {
          f.add(relevant[i]);
        }
      }
      flagSets.add(f);
    }
    int checked = 0;
    for (GfpMask mask : GfpMask.values()) {
      for (Set<TaskFlag> f : flagSets) {
        for (long free = 0; free <= 40; free += 1) {
          for (long pages : new long[] {1, 5, 10, 20, 40}) {
            for (boolean inReclaim : new boolean[] {false, true}) {
              for (boolean reclaimed : new boolean[] {false, true}) {
                for (int attempt = 0; attempt <= 3; attempt++) {
                  AllocationPolicy.Plan p = AllocationPolicy.plan(new AllocationPolicy.Input(100, free, WM, pages, mask,
                      f, inReclaim, reclaimed, attempt, 3));
                  check(p, free, pages, mask, f, inReclaim, reclaimed);
                  checked++;
                }
              }
            }
          }
        }
      }
    }
    assertThat(checked).isGreaterThan(100_000);
  }

  // Plain checks (no AssertJ per cell): a quarter of a million cells stay fast.
  private static void check(AllocationPolicy.Plan p, long free, long pages, GfpMask mask, Set<TaskFlag> f,
                            boolean inReclaim, boolean reclaimed) {
    long after = free - pages;
    boolean memalloc = f.contains(TaskFlag.MEMALLOC);
    boolean ok = switch (p.step()) {
      case GRANT -> after >= WM.min();
      // reserves only for MEMALLOC tasks, and half of them for ATOMIC
      case GRANT_FROM_RESERVE -> after < WM.min() && after >= 0
          && (memalloc || (p.effective() == GfpMask.ATOMIC && after >= WM.min() / 2));
      case DIRECT_RECLAIM -> after < WM.min() && !memalloc && !inReclaim && !reclaimed && p.effective().mayWait();
      case WAIT -> p.effective().mayWait() && !memalloc && (inReclaim || reclaimed);
      case FAIL -> !p.reason().isEmpty();
    };
    ok &= p.step() == Step.GRANT || p.wakeKswapd();
    ok &= p.effective() == AllocationPolicy.effectiveMask(mask, f);
    if (!ok) {
      throw new AssertionError(p + " free=" + free + " pages=" + pages + " " + mask + " " + f + " inReclaim="
          + inReclaim + " reclaimed=" + reclaimed);
    }
  }

  @Property(tries = 200)
  void aGrantNeverLeavesMemoryNegative(@ForAll @IntRange(min = 0, max = 100) int free,
                                       @ForAll @IntRange(min = 1, max = 120) int pages,
                                       @ForAll GfpMask mask, @ForAll boolean memalloc) {
    AllocationPolicy.Plan p = AllocationPolicy.plan(new AllocationPolicy.Input(100, free, WM, pages, mask,
        memalloc ? Set.of(TaskFlag.MEMALLOC) : Set.of(), false, false, 0, 3));
    if (p.step() == Step.GRANT || p.step() == Step.GRANT_FROM_RESERVE) {
      assertThat(free - pages).isGreaterThanOrEqualTo(0);
    }
  }
}
