package org.jdlm.kernel.core;

import java.util.Objects;
import java.util.Set;

/**
 * One task as the member's wait-for registry reports it: plain data, read without the task's
 * cooperation. {@code activity} is what the task is executing that matters to the detector (e.g.
 * {@code reclaims-via(inode_cache)}), or empty; {@code wait} is its one current wait ({@code waitEdge}), or null;
 * {@code sinceNanos} is when the current state (the wait, for WAITING) began on the kernel clock.
 */
public record TaskSnapshot(long id, String name, TaskState state, Set<TaskFlag> flags, String activity,
                           WaitEdge waitEdge, long sinceNanos) {
  public TaskSnapshot {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(state, "state");
    flags = Set.copyOf(flags);
    activity = activity == null ? "" : activity;
    if ((state == TaskState.WAITING) != (waitEdge != null)) {
      throw new IllegalArgumentException("task " + name + "#" + id + ": state " + state + " with wait " + waitEdge);
    }
  }

  /** The detector's endpoint name, {@code task:name#id}. */
  public String endpoint() {
    return "task:" + name + "#" + id;
  }

  /** How long the current state has lasted at {@code nowNanos}. */
  public long forNanos(long nowNanos) {
    return Math.max(0, nowNanos - sinceNanos);
  }
}
