package org.jdlm.dlm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The callback thread runs tasks in queue order, bounds its queue and fails loudly when stuck (style rule 11). */
class CallbackThreadTest {

  @Test
  void tasksRunOneAtATimeInTheOrderQueued() throws Exception {
    CallbackThread thread = new CallbackThread("t", 4, Duration.ofSeconds(5));
    List<Integer> seen = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(1);
    for (int i = 0; i < 100; i++) {
      int n = i;
      thread.execute(() -> seen.add(n)); // more than the capacity: producers wait for slots
    }
    thread.execute(done::countDown);
    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(seen).hasSize(100).isSorted();
    thread.shutdown();
  }

  @Test
  void aFullQueueBehindAStuckListenerFailsTheProducerLoudly() throws Exception {
    CallbackThread thread = new CallbackThread("stuck-ls", 2, Duration.ofMillis(200));
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(1);
    thread.execute(() -> {
      running.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
    thread.execute(() -> { });
    thread.execute(() -> { });
    assertThatThrownBy(() -> thread.execute(() -> { }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("stuck-ls")
        .hasMessageContaining("callback-thread-queue-capacity");
    release.countDown();
    thread.shutdown();
  }

  @Test
  void afterShutdownTasksAreRefusedAndTheThreadCountsAsIdle() throws Exception {
    CallbackThread thread = new CallbackThread("t", 4, Duration.ofSeconds(1));
    thread.shutdown();
    thread.execute(() -> { throw new AssertionError("must not run"); });
    assertThat(thread.idle()).isTrue();
  }

  @Test
  void aNonPositiveCapacityIsRefusedWithTheSettingsName() {
    assertThatThrownBy(() -> new CallbackThread("t", 0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("callback-thread-queue-capacity must be positive, got 0");
  }
}
