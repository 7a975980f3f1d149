package org.jdlm.kernel.core.waits;

import java.util.Objects;

/**
 * A waiting DLM request of an application task (issue 11 ★): task {@code task} on its member asked
 * lockspace {@code lockspace} for {@code mode} on {@code resource}; its lkb is {@code lkbId}. What the
 * victim choice needs: the VMS deadlock priority (lower is chosen first), when the request was queued
 * (kernel clock of the requesting member, merged onto the detector's), and whether it is excluded
 * from the search as a waiter ({@code NODLCKWT}, VMS {@code LCK$M_NODLCKWT}).
 */
public record DlmRequest(Vertex task, String lockspace, String resource, String lkbId, String mode, int priority,
                         long queuedAtNanos, boolean noDeadlockWait) {
  public DlmRequest {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(lockspace, "lockspace");
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(lkbId, "lkbId");
    Objects.requireNonNull(mode, "mode");
    if (!task.isTask()) {
      throw new IllegalArgumentException("a DLM request belongs to a task, got " + task);
    }
  }

  /** {@code n1/task:T lkb 00010001 (EX on R2)}. */
  public String describe() {
    return task + " lkb " + lkbId + " (" + mode + " on " + resource + ")";
  }
}
