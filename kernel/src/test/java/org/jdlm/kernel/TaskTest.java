package org.jdlm.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jdlm.kernel.KernelFixture.until;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantLock;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.TaskFlag;
import org.jdlm.kernel.core.TaskSnapshot;
import org.jdlm.kernel.core.TaskState;
import org.jdlm.kernel.core.WaitEdge;
import org.junit.jupiter.api.Test;

class TaskTest {
  private static final String NO_KSWAPD = "jdlm.kernel.memory.kswapd.enabled = off\n";
  private static final WaitEdge GLOCK = WaitEdge.of(EdgeKind.WAITS_GLOCK, "EX", "glock:2/1a2b");

  @Test
  void aWaitIsRegisteredForItsDurationAndReadableWithoutTheTask() {
    try (KernelFixture f = new KernelFixture(NO_KSWAPD)) {
      CompletableFuture<String> granted = new CompletableFuture<>();
      f.clock.advance(Duration.ofSeconds(7));
      CompletableFuture<String> result = f.onTask("cp", Set.of(TaskFlag.NOFS), () -> Task.current().await(GLOCK, granted));
      until(() -> f.waiting("cp"), "cp to wait for the glock");
      TaskSnapshot s = f.task("cp");
      assertThat(s.waitEdge()).isEqualTo(GLOCK);
      assertThat(s.flags()).containsExactly(TaskFlag.NOFS);
      assertThat(s.sinceNanos()).isEqualTo(Duration.ofSeconds(7).toNanos());
      f.clock.advance(Duration.ofSeconds(2));
      assertThat(f.kernel.dumpTasks()).contains("flags=NOFS WAITING 2.000s --waits-glock(EX) AND--> glock:2/1a2b");
      granted.complete("EX");
      assertThat(KernelFixture.get(result)).isEqualTo("EX");
    }
  }

  @Test
  void aTaskHasAtMostOneWaitAndOnlyItselfMayWait() {
    try (KernelFixture f = new KernelFixture(NO_KSWAPD)) {
      ReentrantLock lock = new ReentrantLock();
      Throwable nested = f.call("t", Set.of(), () -> {
        Task me = Task.current();
        java.util.concurrent.atomic.AtomicInteger checks = new java.util.concurrent.atomic.AtomicInteger();
        lock.lock();
        try {
          // The condition is checked once before the wait begins and again while waiting: the
          // second check tries to wait a second time from inside the first wait.
          me.awaitCondition(GLOCK, lock, lock.newCondition(), () -> {
            if (checks.incrementAndGet() == 1) {
              return false;
            }
            me.await(WaitEdge.of(EdgeKind.WAITS_REPLY, "x", "task:y"), new CompletableFuture<>());
            return true;
          }, Duration.ofSeconds(1));
          return null;
        } catch (IllegalStateException e) {
          return e;
        } finally {
          lock.unlock();
        }
      });
      assertThat(nested).hasMessageContaining("at most one current wait");

      Task other = f.kernel.spawn("other", Set.of(), () -> { });
      assertThatThrownBy(() -> other.await(GLOCK, new CompletableFuture<>()))
          .hasMessageContaining("only task:other#");
      assertThatThrownBy(Task::current).hasMessageContaining("not on a kernel task thread");
    }
  }

  @Test
  void aBoundedWaitTimesOutWithTheEdgeAndAFailedStageSurfaces() {
    try (KernelFixture f = new KernelFixture(NO_KSWAPD)) {
      Throwable timedOut = f.call("t", Set.of(), () -> {
        try {
          Task.current().await(GLOCK, new CompletableFuture<>(), Duration.ofMillis(1));
          return null;
        } catch (Task.WaitTimedOut e) {
          return e;
        }
      });
      assertThat(timedOut).hasMessageContaining("waits-glock(EX)").hasMessageContaining("without an answer");
      Throwable failed = f.call("t", Set.of(), () -> {
        try {
          return Task.current().await(GLOCK, CompletableFuture.failedFuture(new IllegalArgumentException("EINVAL")));
        } catch (CompletionException e) {
          return e.getCause();
        }
      });
      assertThat(failed).hasMessage("EINVAL");
      assertThat(f.kernel.tasks()).allSatisfy(t -> assertThat(t.state()).isNotEqualTo(TaskState.WAITING));
    }
  }

  @Test
  void flagScopesNestAndRestoreLikeMemallocNofsSave() {
    try (KernelFixture f = new KernelFixture(NO_KSWAPD)) {
      String seen = f.call("nfsd", Set.of(TaskFlag.KTHREAD), () -> {
        Task me = Task.current();
        StringBuilder b = new StringBuilder();
        try (Task.FlagScope outer = me.withFlags(TaskFlag.NOFS)) {
          b.append(me.flags().contains(TaskFlag.NOFS));
          try (Task.FlagScope inner = me.withFlags(TaskFlag.NOIO, TaskFlag.NOFS)) {
            b.append(me.flags().contains(TaskFlag.NOIO));
          }
          b.append(me.flags().contains(TaskFlag.NOIO)).append(me.flags().contains(TaskFlag.NOFS));
        }
        b.append(me.flags());
        return b.toString();
      });
      assertThat(seen).isEqualTo("truetruefalsetrue[KTHREAD]");
    }
  }

  @Test
  void closingTheKernelKillsWaitingTasksAndTheTaskBoundHolds() {
    KernelFixture f = new KernelFixture(NO_KSWAPD + "jdlm.kernel.tasks.max-tasks = 2\n");
    CompletableFuture<Object> stuck = f.onTask("stuck", Set.of(), () -> Task.current().await(GLOCK, new CompletableFuture<>()));
    until(() -> f.waiting("stuck"), "the task to wait");
    f.kernel.spawn("second", Set.of(), () -> Task.current().await(GLOCK, new CompletableFuture<>()));
    assertThatThrownBy(() -> f.kernel.spawn("third", Set.of(), () -> { }))
        .hasMessageContaining("max-tasks=2");
    f.close();
    assertThat(stuck).isCompletedExceptionally();
    assertThat(stuck.handle((v, e) -> e).join()).isInstanceOf(Task.TaskKilled.class);
    assertThat(f.kernel.tasks()).isEmpty();
    assertThatThrownBy(() -> f.kernel.spawn("late", Set.of(), () -> { })).hasMessageContaining("stopping");
  }
}
