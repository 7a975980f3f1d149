package org.jdlm.kernel.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HungTaskCheckTest {
  private static final long S = 1_000_000_000L;
  private static final WaitEdge EDGE = WaitEdge.memory(131072, GfpMask.KERNEL, "mem");

  private static TaskSnapshot waiting(long id, long since) {
    return new TaskSnapshot(id, "t" + id, TaskState.WAITING, Set.of(), "", EDGE, since);
  }

  @Test
  void reportsEachLongWaitOnceAndNeverIdleTasks() {
    HungTaskCheck check = new HungTaskCheck(120 * S, 10);
    TaskSnapshot agent = waiting(1, 0);
    TaskSnapshot kswapd = new TaskSnapshot(2, "kswapd0", TaskState.IDLE, Set.of(TaskFlag.KSWAPD), "", null, 0);
    TaskSnapshot young = waiting(3, 100 * S);
    assertThat(check.check(List.of(agent, kswapd, young), 120 * S)).as("exactly at the bound: not yet").isEmpty();
    List<HungTaskCheck.HungTask> first = check.check(List.of(agent, kswapd, young), 121 * S);
    assertThat(first).extracting(h -> h.task().id()).containsExactly(1L);
    assertThat(first.get(0).line()).isEqualTo(
        "INFO: task task:t1#1 blocked for more than 121 seconds: waits-memory(128KiB,GFP_KERNEL) OR -> mem");
    assertThat(check.check(List.of(agent, kswapd, young), 500 * S)).extracting(h -> h.task().id())
        .as("task 1 was reported already; task 3 is new").containsExactly(3L);
    // Task 1 ran and waits again: a new wait is a new report.
    assertThat(check.check(List.of(waiting(1, 600 * S)), 721 * S)).hasSize(1);
    check.checkInvariants();
  }

  @Test
  void reportsAreBoundedPerCheckLongestFirst() {
    HungTaskCheck check = new HungTaskCheck(S, 2);
    List<TaskSnapshot> all = List.of(waiting(1, 5 * S), waiting(2, 0), waiting(3, 3 * S));
    assertThat(check.check(all, 10 * S)).extracting(h -> h.task().id()).containsExactly(2L, 3L);
    assertThat(check.check(all, 10 * S)).extracting(h -> h.task().id()).containsExactly(1L);
  }
}
