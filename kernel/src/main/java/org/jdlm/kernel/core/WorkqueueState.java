package org.jdlm.kernel.core;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;

/**
 * The decisions of one bounded workqueue ({@code kernel/workqueue.c}): queue work, hand it to an
 * idle worker, create a worker (up to {@code maxActive}), and when creating one fails under memory
 * pressure summon the rescuer if the queue has one ({@code WQ_MEM_RECLAIM}'s mayday). Items are
 * kept here in FIFO order; the {@code Workqueue} shell runs them on worker tasks.
 *
 * <pre>
 *   on queue:          pending full -> REJECT
 *                      an idle worker -> WAKE_IDLE
 *                      workers + creating < maxActive -> CREATE_WORKER
 *                      otherwise -> QUEUED (a busy worker takes it next)
 *   creation failed:   rescuer present and work pending -> SUMMON_RESCUER, else work waits
 * </pre>
 *
 * <p>Invariants: {@code 0 <= idle <= workers <= maxActive}, {@code workers + creating <=
 * maxActive}, pending within its bound, the rescuer busy only when the queue has one.
 */
public final class WorkqueueState<W> {

  /** What the shell does after a work item is queued. */
  public enum OnQueue { REJECT, WAKE_IDLE, CREATE_WORKER, QUEUED }

  private final String name;
  private final int maxActive;
  private final int maxPending;
  private final boolean hasRescuer;
  private final Deque<W> pending = new ArrayDeque<>();
  private int workers;
  private int idle;
  private int creating;
  /** Memory was freed while a creation was in flight: if that creation fails, retry at once. */
  private boolean freedDuringCreation;
  private boolean rescuerBusy;
  private long rescued;

  public WorkqueueState(String name, int maxActive, int maxPending, boolean hasRescuer) {
    this.name = Objects.requireNonNull(name, "name");
    if (maxActive <= 0) {
      throw new IllegalArgumentException("workqueue " + name + ": max-active must be positive, got " + maxActive);
    }
    if (maxPending <= 0) {
      throw new IllegalArgumentException("workqueue " + name + ": max-pending must be positive, got " + maxPending);
    }
    this.maxActive = maxActive;
    this.maxPending = maxPending;
    this.hasRescuer = hasRescuer;
  }

  public OnQueue queue(W work) {
    Objects.requireNonNull(work, "work");
    if (pending.size() >= maxPending) {
      return OnQueue.REJECT;
    }
    pending.addLast(work);
    OnQueue out;
    if (idle > 0) {
      out = OnQueue.WAKE_IDLE;
    } else if (workers + creating < maxActive) {
      creating++;
      out = OnQueue.CREATE_WORKER;
    } else {
      out = OnQueue.QUEUED;
    }
    checkInvariants();
    return out;
  }

  /** A worker was created; it starts busy and takes pending work. */
  public void workerCreated() {
    requireCreating();
    creating--;
    workers++;
    checkInvariants();
  }

  /**
   * Creating a worker failed (no memory without reclaim). Returns whether to summon the rescuer:
   * there is one, it is not already running, and work is still pending.
   */
  public boolean creationFailed() {
    requireCreating();
    creating--;
    boolean summon = hasRescuer && !rescuerBusy && !pending.isEmpty();
    if (summon) {
      rescuerBusy = true;
    }
    checkInvariants();
    return summon;
  }

  /**
   * Memory was freed. Returns whether a creation retry is due now (the caller then reserves it with
   * {@link #beginCreationRetry()}). When a creation is already in flight, its allocation may have
   * been refused just before this free: remember the free, so that a failure of that creation
   * retries at once instead of waiting for the next free (a lost wakeup otherwise).
   */
  public boolean memoryFreed() {
    if (creating > 0) {
      freedDuringCreation = true;
    }
    return creationRetryDue();
  }

  /**
   * After {@link #creationFailed()}: whether memory was freed while that creation was in flight and
   * a retry is due, so the caller retries at once. Clears the remembered free.
   */
  public boolean retryAfterFailedCreation() {
    boolean freed = freedDuringCreation && creating == 0;
    if (creating == 0) {
      freedDuringCreation = false;
    }
    return freed && creationRetryDue();
  }

  /** Whether a retry of worker creation is due (work pending, nobody to run it, room for a worker). */
  public boolean creationRetryDue() {
    return !pending.isEmpty() && idle == 0 && workers + creating < maxActive && !rescuerBusy;
  }

  /** Reserves a creation slot for a retry; call only when {@link #creationRetryDue()}. */
  public void beginCreationRetry() {
    if (!creationRetryDue()) {
      throw new IllegalStateException("workqueue " + name + ": no creation retry due " + this);
    }
    creating++;
  }

  /** A busy worker asks for its next item; null means it goes idle. */
  public W workerNext() {
    W next = pending.pollFirst();
    if (next == null) {
      idle++;
    }
    checkInvariants();
    return next;
  }

  /** An idle worker was woken and asks again; null means it stays idle. */
  public W idleWorkerNext() {
    if (idle <= 0) {
      throw new IllegalStateException("workqueue " + name + ": no idle worker to wake " + this);
    }
    W next = pending.pollFirst();
    if (next != null) {
      idle--;
    }
    checkInvariants();
    return next;
  }

  /** The rescuer asks for its next item; null means it goes back to sleep. */
  public W rescuerNext() {
    if (!rescuerBusy) {
      throw new IllegalStateException("workqueue " + name + ": rescuer not summoned " + this);
    }
    W next = pending.pollFirst();
    if (next == null) {
      rescuerBusy = false;
    } else {
      rescued++;
    }
    checkInvariants();
    return next;
  }

  public int pending() {
    return pending.size();
  }

  public int workers() {
    return workers;
  }

  public int idle() {
    return idle;
  }

  public boolean rescuerBusy() {
    return rescuerBusy;
  }

  public long rescued() {
    return rescued;
  }

  public void checkInvariants() {
    if (idle < 0 || idle > workers || workers + creating > maxActive || creating < 0
        || pending.size() > maxPending || (rescuerBusy && !hasRescuer)) {
      throw new IllegalStateException("workqueue " + name + " inconsistent: " + this);
    }
  }

  private void requireCreating() {
    if (creating <= 0) {
      throw new IllegalStateException("workqueue " + name + ": no worker creation in flight " + this);
    }
  }

  @Override
  public String toString() {
    return "workqueue " + name + " workers=" + workers + " idle=" + idle + " creating=" + creating
        + "/" + maxActive + " pending=" + pending.size() + "/" + maxPending + " rescuer="
        + (hasRescuer ? (rescuerBusy ? "busy" : "idle") : "none");
  }
}
