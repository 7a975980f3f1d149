package org.jdlm.dlm.core;

/**
 * The synchronous result of a lock/convert/unlock/cancel call (semantics §2.8); no callback is ever
 * delivered for a call that does not return {@link #OK}.
 */
public enum SyncStatus {
  /** Accepted; the outcome arrives as a completion callback (or, for "nothing to cancel", never). */
  OK(0),
  /** Invalid arguments or flag combination. */
  EINVAL(-22),
  /** Unknown (or already destroyed) lock id, or no orphan to adopt. */
  ENOENT(-2),
  /** The lock is busy: not granted, or an operation on it is in flight. */
  EBUSY(-16),
  /** ORPHAN adoption found orphans of that name only in another mode (semantics §2.7). */
  EAGAIN(-11),
  /** The node holds as many locks as {@code jdlm.dlm-actors.max-locks-per-node} allows. */
  ENOMEM(-12),
  /** A master received a new request for a lock id it already holds (a duplicate message). */
  EEXIST(-17);

  private final int value;

  SyncStatus(int value) {
    this.value = value;
  }

  /** The kernel's (negative) errno value. */
  public int value() {
    return value;
  }
}
