package org.jdlm.kernel.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReclaimPolicyTest {

  @ParameterizedTest(name = "needsFs={0} needsIo={1} under {2}: runs={3}")
  @CsvSource({
      // needsFs needsIo mask    runs
      "false, false, KERNEL, true",
      "false, false, NOFS,   true",
      "false, false, NOIO,   true",
      "false, false, NOWAIT, false",
      "false, false, ATOMIC, false",
      "true,  false, KERNEL, true",
      "true,  false, NOFS,   false",
      "true,  false, NOIO,   false",
      "true,  false, NOWAIT, false",
      "true,  false, ATOMIC, false",
      "false, true,  KERNEL, true",
      "false, true,  NOFS,   true",
      "false, true,  NOIO,   false",
      "false, true,  NOWAIT, false",
      "false, true,  ATOMIC, false",
      "true,  true,  KERNEL, true",
      "true,  true,  NOFS,   false",
      "true,  true,  NOIO,   false",
      "true,  true,  NOWAIT, false",
      "true,  true,  ATOMIC, false",
  })
  void shrinkerRunsOnlyUnderAMaskItHonours(boolean needsFs, boolean needsIo, GfpMask mask, boolean runs) {
    ReclaimPolicy.ShrinkerInfo s = new ReclaimPolicy.ShrinkerInfo("s", 2, needsFs, needsIo);
    assertThat(ReclaimPolicy.mayRun(s, mask)).isEqualTo(runs);
    assertThat(ReclaimPolicy.skipReason(s, mask).isEmpty()).isEqualTo(runs);
  }

  @Test
  void eligibleShrinkersKeepRegistrationOrder() {
    var inode = new ReclaimPolicy.ShrinkerInfo("inode_cache", 2, true, false);
    var comm = new ReclaimPolicy.ShrinkerInfo("comm_buffers", 0, false, false);
    var pages = new ReclaimPolicy.ShrinkerInfo("page_cache", 1, false, true);
    assertThat(ReclaimPolicy.eligible(List.of(inode, comm, pages), GfpMask.KERNEL)).containsExactly(inode, comm, pages);
    assertThat(ReclaimPolicy.eligible(List.of(inode, comm, pages), GfpMask.NOFS)).containsExactly(comm, pages);
    assertThat(ReclaimPolicy.eligible(List.of(inode, comm, pages), GfpMask.NOIO)).containsExactly(comm);
    assertThat(ReclaimPolicy.skipReason(inode, GfpMask.NOFS)).contains("inode_cache needs __GFP_FS").contains("GFP_NOFS");
  }

  @ParameterizedTest(name = "freeable={0} seeks={1} priority={2}: scan {3}")
  @CsvSource({
      "0,    2, 0,  0",
      "-2,   2, 0,  0",     // EMPTY
      "1000, 2, 12, 0",     // 1000 >> 12 = 0
      "8192, 2, 12, 4",     // 2 * 4 / 2
      "1000, 2, 2,  500",   // 250 * 4 / 2
      "1000, 2, 0,  2000",  // capped at 2 * freeable
      "1000, 4, 0,  1000",
      "1000, 1, 1,  2000",  // 500 * 4 = 2000, cap 2000
      "1000, 0, 12, 500",   // seeks 0: half of it at any priority
      "7,    2, 0,  14",
  })
  void scanAmountFollowsPriorityAndSeeks(long freeable, int seeks, int priority, long expected) {
    assertThat(ReclaimPolicy.toScan(freeable, seeks, priority)).isEqualTo(expected);
  }

  @Test
  void batchesAndBadInput() {
    assertThat(ReclaimPolicy.nextBatch(300, 128)).isEqualTo(128);
    assertThat(ReclaimPolicy.nextBatch(5, 128)).isEqualTo(5);
    assertThatThrownBy(() -> ReclaimPolicy.toScan(10, 2, 63)).hasMessageContaining("63");
    assertThatThrownBy(() -> new ReclaimPolicy.ShrinkerInfo("x", -1, false, false)).hasMessageContaining("-1");
  }

  @ParameterizedTest(name = "free={0} failures={1}: wake={2} continue={3}")
  @CsvSource({
      // free failures wake  continue     (min 10, low 20, high 30, max failures 3)
      "50, 0, false, false",
      "30, 0, false, false",
      "29, 0, false, true",
      "20, 0, false, true",
      "19, 0, true,  true",
      "5,  2, true,  true",
      "5,  3, true,  false",
  })
  void kswapdWakesAtLowAndReclaimsToHigh(long free, int failures, boolean wake, boolean cont) {
    MemoryBudget.Watermarks wm = new MemoryBudget.Watermarks(10, 20, 30);
    assertThat(ReclaimPolicy.kswapdShouldWake(free, wm)).isEqualTo(wake);
    assertThat(ReclaimPolicy.kswapdContinues(free, wm, failures, 3)).isEqualTo(cont);
  }
}
