package org.jdlm.dlm.api;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * Who asks for a lock, as the wait-for-graph detector names it (issue 11 ★, docs/detector.md §4):
 * the vertex {@code member/task:NAME} that holds the lock's granted mode and waits for its queued
 * requests. A deadlock is a cycle of these names over several locks, so the name must be the same
 * for every call a task makes. Taken, in order, from:
 * <ol>
 *   <li>an explicit name around the call ({@link #as}): a service that hands one logical client's
 *       calls to several threads, or the scenario runner's {@code task=} names;</li>
 *   <li>the kernel task running the call ({@code name#id}, as the kernel's own wait-for registry
 *       names it, so DLM waits join the task's kernel waits);</li>
 *   <li>the calling thread ({@code thread-name#id}).</li>
 * </ol>
 * The deadlock priority is VMS's {@code PCB$L_DLCKPRI}: of a deadlock's requests the lowest
 * priority is denied first (docs/detector.md §6); 0 unless given.
 */
public final class LockRequester {

  /** A requester: its task name, deadlock priority, and whether it is a kernel task. */
  public record Identity(String task, int priority, boolean kernelTask) {
    public Identity {
      Objects.requireNonNull(task, "task");
      if (task.isBlank()) {
        throw new IllegalArgumentException("a requester's task name must not be blank");
      }
    }
  }

  private static final ThreadLocal<Identity> EXPLICIT = new ThreadLocal<>();

  private LockRequester() {}

  /** Runs {@code call} (a lock or convert call) as requester {@code task} with deadlock priority 0. */
  public static <T> T as(String task, Supplier<T> call) {
    return as(task, 0, call);
  }

  /** Runs {@code call} as requester {@code task} with a VMS deadlock priority (lower is denied first). */
  public static <T> T as(String task, int priority, Supplier<T> call) {
    Identity previous = EXPLICIT.get();
    EXPLICIT.set(new Identity(clean(task), priority, false));
    try {
      return call.get();
    } finally {
      if (previous == null) {
        EXPLICIT.remove();
      } else {
        EXPLICIT.set(previous);
      }
    }
  }

  /**
   * The implicit identity of this thread, made once: every lock and convert call asks (the hot path),
   * and a thread runs one kernel task for its life. A thread renamed later keeps its first name.
   */
  private static final ThreadLocal<Identity> IMPLICIT = ThreadLocal.withInitial(() -> {
    org.jdlm.kernel.Task task = org.jdlm.kernel.Task.currentOrNull();
    if (task != null) {
      return new Identity(task.name() + "#" + task.id(), 0, true);
    }
    Thread t = Thread.currentThread();
    return new Identity(clean(t.getName()) + "#" + t.getId(), 0, false);
  });

  /** The requester of a call made now on this thread. */
  public static Identity current() {
    Identity explicit = EXPLICIT.get();
    return explicit != null ? explicit : IMPLICIT.get();
  }

  /** Names are printed in reports and matched by scenario assertions: no blanks inside. */
  private static String clean(String name) {
    return name.strip().replaceAll("\\s+", "_");
  }
}
