package org.jdlm.kernel;

import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.GfpMask;
import org.jdlm.kernel.core.TaskFlag;
import org.jdlm.kernel.core.WaitEdge;
import org.jdlm.kernel.core.WorkqueueState;

/**
 * A bounded workqueue ({@code alloc_workqueue(name, flags, max_active)}): work items run on worker
 * tasks, created on demand up to {@code maxActive}. Creating a worker needs memory
 * ({@code workqueue.worker-bytes}, tried without reclaim or waiting so that queueing never
 * blocks); when that fails, a {@code WQ_MEM_RECLAIM} queue's rescuer task (created with the queue,
 * so it exists whatever memory does later) runs the pending work, and a queue without one waits
 * until a worker frees up or memory is freed. That difference is what lets reclaim depend on work
 * (a glock put handed to the glock workqueue, fs-cycles §5.1 F-a2) without deadlocking.
 *
 * <p>Decisions are in {@link WorkqueueState}; this class runs them. A task waiting for a work item
 * uses {@link #flush}, which registers a {@code waits-reply(work name)} edge on {@code wq:name}.
 */
public final class Workqueue {
  private final Kernel kernel;
  private final String name;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition workAvailable = lock.newCondition();
  private final Condition rescuerWake = lock.newCondition();
  private final WorkqueueState<Work> state;
  private final List<Allocation> workerMemory = new CopyOnWriteArrayList<>();
  private final AtomicInteger workerSeq = new AtomicInteger();
  private final Task rescuer;
  private final ThreadLocal<Boolean> retrying = ThreadLocal.withInitial(() -> false);
  private boolean stopped;

  /** One queued item: its name (for dumps and edges), body, and completion. */
  private record Work(String name, Runnable body, CompletableFuture<Void> done) {}

  Workqueue(Kernel kernel, String name, int maxActive, int maxPending, boolean memReclaim) {
    this.kernel = kernel;
    this.name = Objects.requireNonNull(name, "name");
    this.state = new WorkqueueState<>(name, maxActive, maxPending, memReclaim);
    this.rescuer = memReclaim
        ? kernel.spawn(name + "/rescuer", EnumSet.of(TaskFlag.KTHREAD), this::rescuerLoop) : null;
    kernel.memory().onFree(this::retryCreation);
  }

  public String name() {
    return name;
  }

  /** {@code wq:name}, the endpoint a task waiting for this queue's work waits on. */
  public String endpoint() {
    return "wq:" + name;
  }

  /** The rescuer task, or null without {@code WQ_MEM_RECLAIM}. */
  public Task rescuer() {
    return rescuer;
  }

  /**
   * Queues {@code body} ({@code queue_work}); never blocks. The stage completes when the body has
   * run (exceptionally with its failure), or at once with {@link RejectedExecutionException} when
   * {@code max-pending} items already wait.
   */
  public CompletionStage<Void> queue(String workName, Runnable body) {
    Work work = new Work(workName, body, new CompletableFuture<>());
    WorkqueueState.OnQueue decision;
    lock.lock();
    try {
      if (stopped) {
        work.done().completeExceptionally(new RejectedExecutionException("workqueue " + name + " is stopped"));
        return work.done();
      }
      decision = state.queue(work);
      switch (decision) {
        case REJECT -> work.done().completeExceptionally(new RejectedExecutionException(
            "workqueue " + name + " is full (" + state.pending() + " pending; jdlm.kernel.workqueue.max-pending)"));
        case WAKE_IDLE -> workAvailable.signal();
        case CREATE_WORKER, QUEUED -> { }
        default -> throw new IllegalStateException("unknown decision " + decision);
      }
    } finally {
      lock.unlock();
    }
    if (decision == WorkqueueState.OnQueue.CREATE_WORKER) {
      createWorker();
    }
    return work.done();
  }

  /** Waits in the current task until the work behind {@code stage} ran ({@code flush_work}). */
  public void flush(String workName, CompletionStage<Void> stage) {
    Task.current().await(WaitEdge.of(EdgeKind.WAITS_REPLY, "work " + workName, endpoint()), stage);
  }

  public int pending() {
    lock.lock();
    try {
      return state.pending();
    } finally {
      lock.unlock();
    }
  }

  public int workers() {
    lock.lock();
    try {
      return state.workers();
    } finally {
      lock.unlock();
    }
  }

  /** Work items the rescuer ran because no worker could be created. */
  public long rescued() {
    lock.lock();
    try {
      return state.rescued();
    } finally {
      lock.unlock();
    }
  }

  private void createWorker() {
    boolean again;
    do {
      again = tryCreateWorker();
    } while (again);
  }

  /** One creation attempt; true when it failed but memory was freed meanwhile and a retry is reserved. */
  private boolean tryCreateWorker() {
    AllocationResult mem = kernel.memory().allocate(kernel.settings().workerBytes(), GfpMask.NOWAIT);
    Allocation unused = null;
    boolean again = false;
    lock.lock();
    try {
      if (mem instanceof Allocation a) {
        if (!stopped && spawnWorker()) {
          state.workerCreated();
          workerMemory.add(a);
          return false;
        }
        unused = a;
      }
      if (state.creationFailed()) {
        rescuerWake.signal();
      }
      if (!stopped && unused == null && state.retryAfterFailedCreation()) {
        state.beginCreationRetry();
        again = true;
      }
    } finally {
      lock.unlock();
    }
    if (unused != null) {
      // Outside the queue's lock: the free runs the retry listener, which takes it again.
      retrying.set(true);
      try {
        unused.close();
      } finally {
        retrying.set(false);
      }
    }
    return again;
  }

  /** Starts a worker task; false if the kernel refuses (stopping, or max-tasks reached). */
  private boolean spawnWorker() {
    try {
      kernel.spawn("kworker/" + name + ":" + workerSeq.getAndIncrement(), EnumSet.of(TaskFlag.KTHREAD),
          this::workerLoop);
      return true;
    } catch (IllegalStateException refused) {
      return false;
    }
  }

  /** After a free: a queue whose work is stuck for want of a worker tries to create one again. */
  private void retryCreation() {
    if (retrying.get()) {
      return; // this thread is returning the memory of a creation that just failed: no loop
    }
    lock.lock();
    try {
      if (stopped || !state.memoryFreed()) {
        return;
      }
      state.beginCreationRetry();
    } finally {
      lock.unlock();
    }
    createWorker();
  }

  private void workerLoop() {
    Task me = Task.current();
    Work next;
    lock.lock();
    try {
      next = state.workerNext();
    } finally {
      lock.unlock();
    }
    while (true) {
      while (next == null) {
        lock.lock();
        try {
          if (stopped) {
            return;
          }
          me.idle(lock, workAvailable, () -> state.pending() > 0 || stopped, kernel.settings().maxWait());
          if (stopped) {
            return;
          }
          next = state.idleWorkerNext();
        } finally {
          lock.unlock();
        }
      }
      run(me, next);
      lock.lock();
      try {
        next = state.workerNext();
      } finally {
        lock.unlock();
      }
    }
  }

  private void rescuerLoop() {
    Task me = Task.current();
    while (true) {
      Work next;
      lock.lock();
      try {
        while (!state.rescuerBusy() && !stopped) {
          me.idle(lock, rescuerWake, () -> state.rescuerBusy() || stopped, kernel.settings().maxWait());
        }
        if (stopped) {
          return;
        }
        next = state.rescuerNext();
      } finally {
        lock.unlock();
      }
      if (next != null) {
        run(me, next);
      }
    }
  }

  private void run(Task me, Work work) {
    try {
      me.withActivity("work(" + name + ":" + work.name() + ")", () -> {
        work.body().run();
        return null;
      });
      work.done().complete(null);
    } catch (Task.TaskKilled killed) {
      work.done().completeExceptionally(killed);
      throw killed;
    } catch (RuntimeException | Error failure) {
      work.done().completeExceptionally(failure);
    }
  }

  /**
   * {@code destroy_workqueue} (an unmount): the workers and the rescuer end once idle (a worker
   * finishes the work it runs and what is still queued), and the memory of the workers goes back to
   * the member at once. Queueing afterwards is refused.
   */
  public void destroy() {
    stop();
    List<Allocation> memory = List.copyOf(workerMemory);
    workerMemory.clear();
    memory.forEach(Allocation::close);
  }

  void stop() {
    lock.lock();
    try {
      stopped = true;
      workAvailable.signalAll();
      rescuerWake.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
