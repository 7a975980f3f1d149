package org.jdlm.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jdlm.kernel.KernelFixture.until;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.TaskFlag;
import org.junit.jupiter.api.Test;

class WorkqueueTest {
  private static final String NO_KSWAPD = "jdlm.kernel.memory.kswapd.enabled = off\n";

  @Test
  void workRunsOnAWorkerAndFlushWaitsWithAReplyEdge() {
    try (KernelFixture f = new KernelFixture(NO_KSWAPD)) {
      Workqueue wq = f.kernel.createWorkqueue("glock", 2, false);
      CompletableFuture<Void> gate = new CompletableFuture<>();
      CompletableFuture<String> ranOn = new CompletableFuture<>();
      CompletionStage<Void> done = wq.queue("put 2/1a2b", () -> {
        ranOn.complete(Task.current().name());
        gate.join();
      });
      CompletableFuture<Boolean> flusher = f.onTask("umount", Set.of(), () -> {
        wq.flush("put 2/1a2b", done);
        return true;
      });
      until(() -> f.waiting("umount"), "umount to wait for the work");
      assertThat(f.task("umount").waitEdge().kind()).isEqualTo(EdgeKind.WAITS_REPLY);
      assertThat(f.task("umount").waitEdge().targets()).containsExactly("wq:glock");
      assertThat(KernelFixture.get(ranOn)).isEqualTo("kworker/glock:0");
      assertThat(f.task("kworker/glock:0").activity()).isEqualTo("work(glock:put 2/1a2b)");
      assertThat(f.task("kworker/glock:0").flags()).contains(TaskFlag.KTHREAD);
      gate.complete(null);
      assertThat(KernelFixture.get(flusher)).isTrue();
      assertThat(wq.workers()).isEqualTo(1);
    }
  }

  @Test
  void underMemoryPressureOnlyAMemReclaimQueueMakesProgressThroughItsRescuer() {
    try (KernelFixture f = new KernelFixture(NO_KSWAPD)) {
      Workqueue glock = f.kernel.createWorkqueue("glock", 2, true);
      Workqueue delete = f.kernel.createWorkqueue("delete", 2, false);
      Allocation hog = f.hog(90); // free = min: a worker's 2 pages cannot be had without reclaim

      CompletableFuture<String> rescuedOn = new CompletableFuture<>();
      CompletionStage<Void> put = glock.queue("put", () -> rescuedOn.complete(Task.current().name()));
      CompletableFuture<String> deletedOn = new CompletableFuture<>();
      CompletionStage<Void> del = delete.queue("delete ino 0x1a2b", () -> deletedOn.complete(Task.current().name()));

      assertThat(KernelFixture.get(rescuedOn)).isEqualTo("glock/rescuer");
      KernelFixture.get(put.toCompletableFuture());
      assertThat(glock.rescued()).isEqualTo(1);
      assertThat(glock.workers()).isZero();
      assertThat(delete.pending()).as("no worker, no rescuer: the delete work waits").isEqualTo(1);
      assertThat(deletedOn).isNotDone();

      hog.close(); // memory freed: the queue retries creating a worker
      assertThat(KernelFixture.get(deletedOn)).isEqualTo("kworker/delete:0");
      KernelFixture.get(del.toCompletableFuture());
    }
  }

  @Test
  void aFullQueueRefusesWorkWithTheBound() {
    try (KernelFixture f = new KernelFixture(NO_KSWAPD + "jdlm.kernel.workqueue.max-pending = 1\n")) {
      Workqueue wq = f.kernel.createWorkqueue("quota", 1, false);
      CompletableFuture<Void> gate = new CompletableFuture<>();
      CompletableFuture<Void> started = new CompletableFuture<>();
      wq.queue("a", () -> {
        started.complete(null);
        gate.join();
      });
      KernelFixture.get(started);
      wq.queue("b", () -> { });
      CompletionStage<Void> c = wq.queue("c", () -> { });
      assertThat(c.toCompletableFuture()).isCompletedExceptionally();
      assertThat(c.toCompletableFuture().handle((v, e) -> e).join())
          .isInstanceOf(RejectedExecutionException.class).hasMessageContaining("workqueue quota is full");
      gate.complete(null);
    }
  }
}
