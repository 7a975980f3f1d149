package org.jdlm.dlm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.core.CastStatus;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.testkit.InprocCluster;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Informal measurement of the local fast path (the lead benchmarks properly with JMH): uncontended
 * lock+unlock pairs on locally mastered resources, pipelined by several independent chains.
 * Tagged slow; run with {@code -Dtest=LocalThroughputTest -Dtest.excludedGroups=}.
 */
@Tag("slow")
class LocalThroughputTest {

  @Test
  void uncontendedLocalLockUnlockPairsPerSecond() throws Exception {
    try (InprocCluster cluster = InprocCluster.start(1, "tp")) {
      LockspaceHandle ls = cluster.lockspace(0);
      int chains = Integer.getInteger("chains", 64);
      AtomicLong pairs = new AtomicLong();
      AtomicBoolean running = new AtomicBoolean(true);
      CompletableFuture<?>[] done = new CompletableFuture<?>[chains];
      for (int c = 0; c < chains; c++) {
        done[c] = new CompletableFuture<>();
        loop(ls, "T" + c, pairs, running, done[c]);
      }
      Thread.sleep(2000); // warm-up
      long start = System.nanoTime();
      long before = pairs.get();
      Thread.sleep(5000);
      long count = pairs.get() - before;
      double seconds = (System.nanoTime() - start) / 1e9;
      running.set(false);
      CompletableFuture.allOf(done).get(30, TimeUnit.SECONDS);
      System.out.printf("local lock+unlock pairs per second: %.0f (%d chains)%n", count / seconds, chains);
      assertThat(count).isPositive();
    }
  }

  private static void loop(LockspaceHandle ls, String name, AtomicLong pairs, AtomicBoolean running,
      CompletableFuture<?> done) {
    if (!running.get()) {
      done.complete(null);
      return;
    }
    var lock = ls.lock(name, LockMode.EX, Set.of(), null, null);
    lock.completion()
        .thenCompose(r -> {
          if (r.status() != CastStatus.OK) {
            throw new IllegalStateException("unexpected " + r);
          }
          return lock.unlock(Set.of(), null);
        })
        .whenComplete((r, e) -> {
          if (e != null) {
            done.completeExceptionally(e);
            return;
          }
          pairs.incrementAndGet();
          loop(ls, name, pairs, running, done);
        });
  }
}
