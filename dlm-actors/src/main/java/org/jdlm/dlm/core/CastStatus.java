package org.jdlm.dlm.core;

/**
 * The status of a completion callback ({@code lksb.sb_status}, semantics §2.9). {@code -EINPROGRESS}
 * is internal ("queued", {@link Effect.Queued}) and never delivered; {@code -ETIMEDOUT} belongs to
 * the removed TIMEOUT feature and is not produced.
 */
public enum CastStatus {
  /** Request or conversion granted (possibly in an alternate mode, or after demotion). */
  OK(0),
  /** NOQUEUE request or conversion could not be granted. */
  EAGAIN(-11),
  /** Conversion deadlock: the conversion is refused and the lock keeps its old mode. */
  EDEADLK(-35),
  /** Cancel completed: the conversion was reverted or the waiting request removed. */
  ECANCEL(-0x10001),
  /** Unlock completed. */
  EUNLOCK(-0x10002),
  /**
   * An ORPHAN adoption found no orphan of the name on its master. In fs/dlm adoption is local
   * and answers -ENOENT synchronously; here the orphans of a dead node live on the resource's
   * master, so a node without a local orphan asks the master and the answer is this CAST
   * (docs/recovery.md "Orphans"). Kept last: the wire encodes enum constants by position.
   */
  ENOENT(-2);

  private final int value;

  CastStatus(int value) {
    this.value = value;
  }

  /** The kernel's (negative) value, e.g. -65538 for EUNLOCK. */
  public int value() {
    return value;
  }
}
