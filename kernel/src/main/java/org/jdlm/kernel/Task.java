package org.jdlm.kernel;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.TaskFlag;
import org.jdlm.kernel.core.TaskSnapshot;
import org.jdlm.kernel.core.TaskState;
import org.jdlm.kernel.core.WaitEdge;

/**
 * A logical thread of one member (kswapd, quotad, a fence agent, a workqueue worker, a user task),
 * backed by a JVM platform thread that the {@link Kernel} owns and never shares with an actor
 * dispatcher. Kernel and filesystem code therefore reads sequentially, like the kernel's own.
 *
 * <p>Every blocking call goes through {@link #await} or {@link #awaitCondition}: they register one
 * typed {@link WaitEdge} (fs-cycles §5.0), block only this task's thread, with a bound, and remove
 * the edge when they return. A task has at most one current wait: a second wait from inside a wait
 * is impossible by construction (the waiting thread is parked), and asking anyway is a bug that
 * throws. What the task is <em>executing</em> (reclaim through a shrinker, a work item) is its
 * activity, recorded separately, so a shrinker that blocks shows both {@code reclaims-via(x)} and
 * the wait that blocks it.
 *
 * <p>The task's status is one immutable {@link TaskSnapshot} in a volatile field, written only by
 * the task's own thread and read by anyone: the wait-for registry snapshot never needs the blocked
 * thread's cooperation.
 */
public final class Task {
  private static final ThreadLocal<Task> CURRENT = new ThreadLocal<>();

  private final Kernel kernel;
  private final long id;
  private final String name;
  private final Deque<String> activities = new ArrayDeque<>();
  private final CompletableFuture<Void> exit = new CompletableFuture<>();
  private volatile TaskSnapshot status;
  private volatile Thread thread;

  Task(Kernel kernel, long id, String name, Set<TaskFlag> flags) {
    this.kernel = kernel;
    this.id = id;
    this.name = Objects.requireNonNull(name, "name");
    this.status = new TaskSnapshot(id, name, TaskState.RUNNING, flags, "", null, kernel.clock().nanos());
  }

  /** The task running on this thread; a bug (IllegalStateException) on a thread that is no task. */
  public static Task current() {
    Task t = CURRENT.get();
    if (t == null) {
      throw new IllegalStateException("not on a kernel task thread: " + Thread.currentThread().getName());
    }
    return t;
  }

  /** The task running on this thread, or null (an actor, a test thread: interrupt-like context). */
  public static Task currentOrNull() {
    return CURRENT.get();
  }

  public long id() {
    return id;
  }

  public String name() {
    return name;
  }

  /** {@code task:name#id}, the detector's endpoint. */
  public String endpoint() {
    return "task:" + name + "#" + id;
  }

  public Kernel kernel() {
    return kernel;
  }

  public Set<TaskFlag> flags() {
    return status.flags();
  }

  public TaskSnapshot snapshot() {
    return status;
  }

  /** Completes when the task's body has returned or thrown. */
  public CompletionStage<Void> exited() {
    return exit;
  }

  /**
   * Adds flags for a scope and restores the previous set on close, like
   * {@code memalloc_nofs_save()}/{@code memalloc_nofs_restore()}: nested scopes restore correctly
   * because each remembers what it replaced.
   */
  public FlagScope withFlags(TaskFlag... added) {
    requireOwnThread("change flags");
    Set<TaskFlag> before = status.flags();
    EnumSet<TaskFlag> after = before.isEmpty() ? EnumSet.noneOf(TaskFlag.class) : EnumSet.copyOf(before);
    after.addAll(java.util.List.of(added));
    setFlags(after);
    return () -> setFlags(before);
  }

  /** A flag scope: closing it restores the flags it replaced. */
  @FunctionalInterface
  public interface FlagScope extends AutoCloseable {
    @Override
    void close();
  }

  /** Runs {@code body} with {@code activity} recorded (e.g. {@code reclaims-via(inode_cache)}). */
  public <T> T withActivity(String activity, Supplier<T> body) {
    requireOwnThread("record an activity");
    activities.push(activity);
    publish(status.state(), status.waitEdge(), status.sinceNanos());
    try {
      return body.get();
    } finally {
      activities.pop();
      publish(status.state(), status.waitEdge(), status.sinceNanos());
    }
  }

  /** Waits for {@code stage} with the kernel's bound ({@code jdlm.kernel.tasks.max-wait}). */
  public <T> T await(WaitEdge edge, CompletionStage<T> stage) {
    return await(edge, stage, kernel.settings().maxWait());
  }

  /**
   * Blocks this task until {@code stage} completes, at most {@code bound}, with {@code edge}
   * registered for the whole wait. Throws {@link WaitTimedOut} after the bound, {@link TaskKilled}
   * when the kernel stops, and the stage's own failure as a {@link CompletionException}.
   */
  public <T> T await(WaitEdge edge, CompletionStage<T> stage, Duration bound) {
    beginWait(edge, TaskState.WAITING);
    try {
      return stage.toCompletableFuture().get(bound.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new WaitTimedOut(this, edge, bound);
    } catch (ExecutionException e) {
      throw new CompletionException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TaskKilled(this, edge);
    } finally {
      endWait();
    }
  }

  /**
   * Blocks on a kernel object's condition until {@code ready} holds or {@code bound} passes, with
   * {@code edge} registered. The caller holds {@code lock} (the object's monitor); it is released
   * while parked, as {@link Condition#awaitNanos} does. Returns whether {@code ready} holds (false
   * means the bound passed: the caller decides whether that is a retry or a failure).
   */
  public boolean awaitCondition(WaitEdge edge, ReentrantLock lock, Condition condition, BooleanSupplier ready,
                                Duration bound) {
    return park(edge, TaskState.WAITING, lock, condition, ready, bound);
  }

  /**
   * Sleeps with nothing to do (kswapd, an idle worker): no edge, state IDLE, never reported as
   * hung. Same contract as {@link #awaitCondition}.
   */
  public boolean idle(ReentrantLock lock, Condition condition, BooleanSupplier ready, Duration bound) {
    return park(null, TaskState.IDLE, lock, condition, ready, bound);
  }

  private boolean park(WaitEdge edge, TaskState state, ReentrantLock lock, Condition condition,
                       BooleanSupplier ready, Duration bound) {
    if (!lock.isHeldByCurrentThread()) {
      throw new IllegalStateException(endpoint() + " must hold the object's lock to wait on it");
    }
    if (ready.getAsBoolean()) {
      return true;
    }
    beginWait(edge, state);
    try {
      long nanos = bound.toNanos();
      while (!ready.getAsBoolean()) {
        if (nanos <= 0) {
          return false;
        }
        nanos = condition.awaitNanos(nanos);
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TaskKilled(this, edge);
    } finally {
      endWait();
    }
  }

  private void beginWait(WaitEdge edge, TaskState state) {
    requireOwnThread("wait");
    if (status.state() == TaskState.WAITING || status.state() == TaskState.IDLE) {
      throw new IllegalStateException(endpoint() + " is already waiting (" + status.waitEdge()
          + "); a task has at most one current wait");
    }
    if (edge != null && edge.kind() == EdgeKind.WAITS_MEMORY && !edge.join().equals(edge.kind().defaultJoin())) {
      throw new IllegalArgumentException("waits-memory is an OR edge (fs-cycles §5.0), got " + edge);
    }
    publish(state, edge, kernel.clock().nanos());
  }

  private void endWait() {
    publish(TaskState.RUNNING, null, kernel.clock().nanos());
  }

  private void setFlags(Set<TaskFlag> flags) {
    TaskSnapshot s = status;
    status = new TaskSnapshot(id, name, s.state(), flags, s.activity(), s.waitEdge(), s.sinceNanos());
  }

  private void publish(TaskState state, WaitEdge wait, long since) {
    TaskSnapshot s = status;
    status = new TaskSnapshot(id, name, state, s.flags(), activities.isEmpty() ? "" : activities.peek(), wait, since);
  }

  private void requireOwnThread(String what) {
    if (CURRENT.get() != this) {
      throw new IllegalStateException("only " + endpoint() + " itself may " + what + "; caller is "
          + Thread.currentThread().getName());
    }
  }

  void start(Runnable body) {
    Thread t = new Thread(() -> run(body), name + "#" + id);
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  private void run(Runnable body) {
    CURRENT.set(this);
    try {
      body.run();
      exit.complete(null);
    } catch (Throwable failure) {
      exit.completeExceptionally(failure);
      if (!(failure instanceof TaskKilled)) {
        kernel.taskFailed(this, failure);
      }
    } finally {
      TaskSnapshot s = status;
      status = new TaskSnapshot(id, name, TaskState.EXITED, s.flags(), "", null, kernel.clock().nanos());
      kernel.taskExited(this);
      CURRENT.remove();
    }
  }

  void kill() {
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
  }

  boolean join(Duration bound) throws InterruptedException {
    Thread t = thread;
    if (t == null) {
      return true;
    }
    t.join(Math.max(1, bound.toMillis()));
    return !t.isAlive();
  }

  @Override
  public String toString() {
    return endpoint();
  }

  /** A wait outlived its bound. */
  public static final class WaitTimedOut extends RuntimeException {
    public WaitTimedOut(Task task, WaitEdge edge, Duration bound) {
      super(task.endpoint() + " waited " + bound + " on " + edge + " without an answer");
    }
  }

  /** The kernel stopped (or the task was killed) while it waited. */
  public static final class TaskKilled extends RuntimeException {
    public TaskKilled(Task task, WaitEdge edge) {
      super(task.endpoint() + " killed while " + (edge == null ? "idle" : "waiting on " + edge));
    }
  }
}
