package org.jdlm.dlm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import org.jdlm.dlm.api.DlmLock;
import org.jdlm.dlm.api.DlmReadWriteLock;
import org.jdlm.dlm.testkit.InprocCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** java.util.concurrent.locks adapters across two members. */
class AdaptersTest {

  private static InprocCluster cluster;

  @BeforeAll
  static void start() {
    cluster = InprocCluster.start(2, "ad");
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void exclusiveLockExcludesTheOtherNodeUntilUnlocked() throws Exception {
    Lock a = new DlmLock(cluster.lockspace(0), "A-ex");
    Lock b = new DlmLock(cluster.lockspace(1), "A-ex");
    a.lock();
    assertThat(b.tryLock()).isFalse();
    assertThat(b.tryLock(200, TimeUnit.MILLISECONDS)).isFalse(); // cancelled on timeout
    CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
      try {
        return b.tryLock(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    a.unlock();
    assertThat(waiting.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(a.tryLock()).isFalse(); // b, held by the pool thread, now excludes a
    // The holder is that pool thread, not this one.
    assertThatThrownBy(b::unlock).isInstanceOf(IllegalMonitorStateException.class);
  }

  @Test
  void lockInterruptiblyGivesUpWhenInterrupted() throws Exception {
    Lock a = new DlmLock(cluster.lockspace(0), "A-int");
    Lock b = new DlmLock(cluster.lockspace(1), "A-int");
    a.lock();
    CountDownLatch started = new CountDownLatch(1);
    CompletableFuture<String> outcome = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      started.countDown();
      try {
        b.lockInterruptibly();
        outcome.complete("locked");
      } catch (InterruptedException e) {
        outcome.complete("interrupted");
      }
    });
    t.start();
    started.await(10, TimeUnit.SECONDS);
    t.interrupt();
    assertThat(outcome.get(10, TimeUnit.SECONDS)).isEqualTo("interrupted");
    a.unlock();
    assertThat(b.tryLock(10, TimeUnit.SECONDS)).isTrue(); // the cancelled request left nothing behind
    b.unlock();
  }

  @Test
  void readLocksAreSharedAcrossNodesAndTheWriteLockExcludesThem() throws Exception {
    DlmReadWriteLock rw1 = new DlmReadWriteLock(cluster.lockspace(0), "A-rw");
    DlmReadWriteLock rw2 = new DlmReadWriteLock(cluster.lockspace(1), "A-rw");
    rw1.readLock().lock();
    assertThat(rw2.readLock().tryLock()).isTrue();
    assertThat(rw2.writeLock().tryLock(100, TimeUnit.MILLISECONDS)).isFalse();
    rw2.readLock().unlock();
    rw1.readLock().unlock();
    assertThat(rw2.writeLock().tryLock(10, TimeUnit.SECONDS)).isTrue();
    assertThat(rw1.readLock().tryLock()).isFalse();
    rw2.writeLock().unlock();
  }

  @Test
  void lockIsNotReentrantAndHasNoConditions() throws Exception {
    Lock a = new DlmLock(cluster.lockspace(0), "A-re");
    a.lock();
    assertThatThrownBy(a::lock).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(a::newCondition).isInstanceOf(UnsupportedOperationException.class);
    a.unlock();
  }
}
