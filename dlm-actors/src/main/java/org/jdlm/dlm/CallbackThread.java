package org.jdlm.dlm;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lockspace's callback thread, like libdlm's per-lockspace AST thread: completions, blocking
 * callbacks and the lockspace's futures run here, one at a time, in the order they were queued, so
 * a lock's completion is delivered before a later blocking callback for it (semantics §3) and user code
 * never runs on an actor thread.
 *
 * <p>The queue is bounded (style rule 11, {@code jdlm.dlm-actors.callback-thread-queue-capacity}).
 * When it is full, the producer (an actor or an API thread) waits for one slot, up to
 * {@code callback-thread-full-wait}: the thread drains continuously, so a long wait means a user
 * listener is stuck, and then the producer fails loudly instead of growing memory without bound or
 * dropping an event. After {@link #shutdown()} tasks are refused silently (the lockspace is gone;
 * its callers were already told).
 */
final class CallbackThread {

  private static final Logger LOG = LoggerFactory.getLogger(CallbackThread.class);

  private final String lockspace;
  private final int capacity;
  private final Duration fullWait;
  private final ThreadPoolExecutor executor;
  private final AtomicLong queued = new AtomicLong();
  private final AtomicLong run = new AtomicLong();

  CallbackThread(String lockspace, int capacity, Duration fullWait) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("jdlm.dlm-actors.callback-thread-queue-capacity must be positive, got "
          + capacity);
    }
    this.lockspace = lockspace;
    this.capacity = capacity;
    this.fullWait = fullWait;
    RejectedExecutionHandler waitForSlot = (task, pool) -> {
      if (pool.isShutdown()) {
        throw new RejectedExecutionException("lockspace " + lockspace + " closed");
      }
      try {
        if (!pool.getQueue().offer(task, fullWait.toNanos(), TimeUnit.NANOSECONDS)) {
          throw new IllegalStateException("lockspace " + lockspace + ": the callback thread has not taken a task for "
              + fullWait + " with " + capacity + " queued (jdlm.dlm-actors.callback-thread-queue-capacity);"
              + " a completion or blocking listener is stuck");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RejectedExecutionException("interrupted while waiting for the callback queue of " + lockspace, e);
      }
    };
    BlockingQueue<Runnable> queue = new ArrayBlockingQueue<>(capacity);
    this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, queue, r -> {
      Thread t = new Thread(r, "jdlm-ast-" + lockspace);
      t.setDaemon(true);
      return t;
    }, waitForSlot);
  }

  /** Queues {@code task} behind everything queued so far. */
  void execute(Runnable task) {
    queued.incrementAndGet();
    try {
      executor.execute(() -> {
        try {
          task.run();
        } finally {
          run.incrementAndGet();
        }
      });
    } catch (RejectedExecutionException e) {
      run.incrementAndGet();
      LOG.debug("lockspace {} closed; dropping callback", lockspace);
    } catch (IllegalStateException e) {
      run.incrementAndGet();
      throw e;
    }
  }

  /** Whether every task queued so far has run. */
  boolean idle() {
    return queued.get() == run.get();
  }

  /** Stops taking tasks; those queued still run. */
  void shutdown() {
    executor.shutdown();
  }

  @Override
  public String toString() {
    return "CallbackThread[" + lockspace + ", capacity " + capacity + ", full wait " + fullWait + "]";
  }
}
