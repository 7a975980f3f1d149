package org.jdlm.kernel.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MemoryBudgetTest {

  // 100 pages of 4 KiB; min 10, low 20, high 30.
  private static MemoryBudget budget() {
    return new MemoryBudget(new MemoryBudget.Settings(100, 4096,
        new MemoryBudget.Watermarks(10, 20, 30), 8));
  }

  private static MemoryBudget.Request req(long id, long pages, GfpMask mask, TaskFlag... flags) {
    return new MemoryBudget.Request(id, "t" + id, pages * 4096, mask,
        flags.length == 0 ? Set.of() : EnumSet.of(flags[0], flags));
  }

  static Stream<Arguments> reserveAccess() {
    // Free before = 15 pages (85 used). Ask for 8 pages: after = 7.
    return Stream.of(
        Arguments.of(GfpMask.KERNEL, new TaskFlag[0], "Parked"),      // below min: normal callers wait
        Arguments.of(GfpMask.NOFS, new TaskFlag[0], "Parked"),
        Arguments.of(GfpMask.NOIO, new TaskFlag[0], "Parked"),
        Arguments.of(GfpMask.ATOMIC, new TaskFlag[0], "Granted"),     // 7 >= min/2 = 5
        Arguments.of(GfpMask.KERNEL, new TaskFlag[] {TaskFlag.MEMALLOC}, "Granted"));
  }

  @ParameterizedTest(name = "{0} {1}: {2}")
  @MethodSource("reserveAccess")
  void onlyMemallocAndAtomicCallersMayDipBelowTheMinWatermark(GfpMask mask, TaskFlag[] flags, String expected) {
    MemoryBudget b = budget();
    assertThat(b.allocate(req(1, 85, GfpMask.KERNEL)).decision()).isInstanceOf(MemoryBudget.Granted.class);
    MemoryBudget.Decision d = b.allocate(req(2, 8, mask, flags)).decision();
    assertThat(d.getClass().getSimpleName()).isEqualTo(expected);
  }

  @Test
  void atomicAllocationThatDoesNotFitIsRefusedNotParked() {
    MemoryBudget b = budget();
    b.allocate(req(1, 90, GfpMask.KERNEL));
    MemoryBudget.Decision d = b.allocate(req(2, 8, GfpMask.ATOMIC)).decision();
    assertThat(d).isInstanceOf(MemoryBudget.Refused.class);
    assertThat(((MemoryBudget.Refused) d).reason()).contains("atomic").contains("8 pages");
  }

  @Test
  void freeGrantsParkedRequestsInFifoOrderAndStopsAtTheFirstThatDoesNotFit() {
    MemoryBudget b = budget();
    b.allocate(req(1, 90, GfpMask.KERNEL));
    assertThat(b.allocate(req(2, 50, GfpMask.KERNEL)).decision()).isInstanceOf(MemoryBudget.Parked.class);
    assertThat(b.allocate(req(3, 1, GfpMask.KERNEL)).decision())
        .as("a small newcomer may not overtake a parked large request")
        .isInstanceOf(MemoryBudget.Parked.class);
    MemoryBudget.FreeOutcome out = b.free(1);
    assertThat(out.freedPages()).isEqualTo(90);
    assertThat(out.granted()).extracting(g -> g.request().requestId()).containsExactly(2L, 3L);
    assertThat(b.usedPages()).isEqualTo(51);
  }

  @Test
  void scopedNofsNarrowsAKernelAllocation() {
    assertThat(req(1, 1, GfpMask.KERNEL, TaskFlag.NOFS).effectiveMask()).isEqualTo(GfpMask.NOFS);
    assertThat(req(1, 1, GfpMask.KERNEL, TaskFlag.NOIO).effectiveMask()).isEqualTo(GfpMask.NOIO);
    assertThat(req(1, 1, GfpMask.NOFS, TaskFlag.NOIO).effectiveMask()).isEqualTo(GfpMask.NOIO);
    assertThat(req(1, 1, GfpMask.ATOMIC, TaskFlag.NOFS).effectiveMask()).isEqualTo(GfpMask.ATOMIC);
  }

  @Test
  void belowLowIsReportedSoKswapdCanBeWoken() {
    MemoryBudget b = budget();
    assertThat(b.allocate(req(1, 70, GfpMask.KERNEL)).belowLow()).isFalse(); // 30 free
    assertThat(b.allocate(req(2, 11, GfpMask.KERNEL)).belowLow()).isTrue();  // 19 free < low 20
  }

  @Test
  void badRequestsAndBadSettingsGetClearErrors() {
    MemoryBudget b = budget();
    assertThat(b.allocate(req(1, 101, GfpMask.KERNEL)).decision())
        .isInstanceOfSatisfying(MemoryBudget.Refused.class,
            r -> assertThat(r.reason()).contains("101 pages").contains("total of 100"));
    assertThatThrownBy(() -> new MemoryBudget.Request(1, "t", 0, GfpMask.KERNEL, Set.of()))
        .hasMessageContaining("positive");
    assertThatThrownBy(() -> new MemoryBudget.Watermarks(10, 5, 30)).hasMessageContaining("min=10 low=5");
    assertThatThrownBy(() -> b.free(42)).isInstanceOf(IllegalStateException.class).hasMessageContaining("42");
  }

  @Test
  void parkedQueueIsBounded() {
    MemoryBudget b = budget();
    b.allocate(req(0, 90, GfpMask.KERNEL));
    for (int i = 1; i <= 8; i++) {
      assertThat(b.allocate(req(i, 1, GfpMask.KERNEL)).decision()).isInstanceOf(MemoryBudget.Parked.class);
    }
    assertThat(b.allocate(req(9, 1, GfpMask.KERNEL)).decision())
        .isInstanceOfSatisfying(MemoryBudget.Refused.class, r -> assertThat(r.reason()).contains("max-waiters=8"));
  }

  @Property(tries = 300)
  void accountingHoldsUnderAnySequenceOfAllocationsAndFrees(@ForAll("ops") List<Integer> ops) {
    MemoryBudget b = budget();
    List<Long> live = new ArrayList<>();
    long id = 0;
    for (int op : ops) {
      if (op >= 0) {
        MemoryBudget.Decision d = b.allocate(req(++id, 1 + op % 40, GfpMask.values()[op % 4])).decision();
        if (d instanceof MemoryBudget.Granted g) {
          live.add(g.request().requestId());
        }
      } else if (!live.isEmpty()) {
        for (MemoryBudget.Granted g : b.free(live.remove((-op) % live.size())).granted()) {
          live.add(g.request().requestId());
        }
      }
      b.checkInvariants();
      assertThat(b.freePages()).isBetween(0L, 100L);
    }
  }

  @Provide
  Arbitrary<List<Integer>> ops() {
    return Arbitraries.integers().between(-50, 50).list().ofMaxSize(60);
  }
}
