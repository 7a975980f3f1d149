package org.jdlm.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jdlm.kernel.KernelFixture.until;

import java.util.concurrent.RejectedExecutionException;
import org.jdlm.kernel.core.TaskState;
import org.junit.jupiter.api.Test;

/** {@link Workqueue#destroy()}: an unmount gives its workqueues' workers and memory back. */
class WorkqueueDestroyTest {

  @Test
  void destroyEndsTheWorkersFreesTheirMemoryAndRefusesNewWork() {
    try (KernelFixture f = new KernelFixture("")) {
      long before = f.memory().freePages();
      Workqueue wq = f.kernel.createWorkqueue("wq-test", 2, true);
      wq.queue("one", () -> { }).toCompletableFuture().join();
      assertThat(wq.workers()).isEqualTo(1);
      assertThat(f.memory().freePages()).isEqualTo(before - 2); // 8 KiB of worker memory

      wq.destroy();

      assertThat(f.memory().freePages()).isEqualTo(before);
      until(() -> f.kernel.tasks().stream().noneMatch(t -> t.name().startsWith("kworker/wq-test")
          || t.name().startsWith("wq-test/rescuer") && t.state() != TaskState.EXITED), "workers and rescuer end");
      assertThat(wq.queue("two", () -> { }).toCompletableFuture())
          .failsWithin(java.time.Duration.ofSeconds(5))
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .withCauseInstanceOf(RejectedExecutionException.class);
    }
  }
}
