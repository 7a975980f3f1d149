package org.jdlm.kernel.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The hung-task watchdog's decision (khungtaskd's {@code check_hung_uninterruptible_tasks}): which
 * waiting tasks have waited longer than the bound. A wait is reported once (Linux reports a task
 * again only after it ran in between); idle kernel threads are never reported; at most
 * {@code maxReportsPerCheck} per check so one stuck member does not flood the log.
 *
 * <p>State: the waits already reported, keyed by task id and wait start, pruned when the wait ends.
 * Not thread-safe; the watchdog task owns it.
 */
public final class HungTaskCheck {

  /** One report: the task, the edge it waits on, and for how long. */
  public record HungTask(TaskSnapshot task, long waitedNanos) {
    public String line() {
      return "INFO: task " + task.endpoint() + " blocked for more than " + (waitedNanos / 1_000_000_000L)
          + " seconds: " + task.waitEdge();
    }
  }

  private record Key(long taskId, long since) {}

  private final long timeoutNanos;
  private final int maxReportsPerCheck;
  private final Set<Key> reported = new HashSet<>();

  public HungTaskCheck(long timeoutNanos, int maxReportsPerCheck) {
    if (timeoutNanos <= 0) {
      throw new IllegalArgumentException("hung-task timeout must be positive, got " + timeoutNanos + " ns");
    }
    if (maxReportsPerCheck <= 0) {
      throw new IllegalArgumentException("max-reports must be positive, got " + maxReportsPerCheck);
    }
    this.timeoutNanos = timeoutNanos;
    this.maxReportsPerCheck = maxReportsPerCheck;
  }

  /** New reports at {@code nowNanos}, longest wait first. */
  public List<HungTask> check(List<TaskSnapshot> tasks, long nowNanos) {
    Set<Key> live = new HashSet<>();
    List<HungTask> due = new ArrayList<>();
    for (TaskSnapshot t : tasks) {
      if (t.state() != TaskState.WAITING) {
        continue;
      }
      Key key = new Key(t.id(), t.sinceNanos());
      live.add(key);
      long waited = t.forNanos(nowNanos);
      if (waited > timeoutNanos && !reported.contains(key)) {
        due.add(new HungTask(t, waited));
      }
    }
    reported.retainAll(live);
    due.sort((a, b) -> Long.compare(b.waitedNanos(), a.waitedNanos()));
    List<HungTask> out = due.subList(0, Math.min(due.size(), maxReportsPerCheck));
    for (HungTask h : out) {
      reported.add(new Key(h.task().id(), h.task().sinceNanos()));
    }
    return List.copyOf(out);
  }

  public void checkInvariants() {
    if (reported.stream().anyMatch(k -> k.taskId() < 0)) {
      throw new IllegalStateException("reported set holds an invalid task id: " + reported);
    }
  }
}
