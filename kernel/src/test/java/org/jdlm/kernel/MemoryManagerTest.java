package org.jdlm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.jdlm.kernel.core.GfpMask;
import org.jdlm.kernel.core.MemoryBudget;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class MemoryManagerTest {
  private static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  @Test
  void parkedAllocationIsAnsweredWhenMemoryIsFreed() {
    ActorRef<MemoryManager.Command> mm = kit.spawn(MemoryManager.create(
        new MemoryBudget.Settings(10, 100, new MemoryBudget.Watermarks(1, 2, 3), 4)));
    TestProbe<MemoryManager.Reply> probe = kit.createTestProbe();
    mm.tell(new MemoryManager.Allocate(1, "fence_agent", 800, GfpMask.KERNEL, Set.of(), probe.ref()));
    assertThat(probe.receiveMessage()).isEqualTo(new MemoryManager.Allocated(1, 8));
    mm.tell(new MemoryManager.Allocate(2, "dd", 300, GfpMask.NOFS, Set.of(), probe.ref()));
    probe.expectNoMessage(java.time.Duration.ofMillis(100));
    TestProbe<MemoryManager.Usage> usage = kit.createTestProbe();
    mm.tell(new MemoryManager.GetUsage(usage.ref()));
    assertThat(usage.receiveMessage().parkedTasks()).containsExactly("dd");
    mm.tell(new MemoryManager.Free(1));
    assertThat(probe.receiveMessage()).isEqualTo(new MemoryManager.Allocated(2, 3));
  }

  @Test
  void invalidSizeIsRefusedWithTheValue() {
    ActorRef<MemoryManager.Command> mm = kit.spawn(MemoryManager.create(MemoryManager.settings(kit.system().settings().config())));
    TestProbe<MemoryManager.Reply> probe = kit.createTestProbe();
    mm.tell(new MemoryManager.Allocate(7, "t", -5, GfpMask.KERNEL, Set.of(), probe.ref()));
    MemoryManager.Reply r = probe.receiveMessage();
    assertThat(r).isInstanceOfSatisfying(MemoryManager.AllocationFailed.class,
        f -> assertThat(f.reason()).contains("-5"));
  }
}
