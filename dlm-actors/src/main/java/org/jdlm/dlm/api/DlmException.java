package org.jdlm.dlm.api;

import org.jdlm.dlm.core.SyncStatus;

/**
 * A call was refused synchronously (semantics §2.8): nothing was sent and no callback will follow.
 *
 * <p>{@link #code()} is the DLM's synchronous code ({@code EINVAL} for invalid arguments or flag
 * combinations, {@code ENOENT} for an unknown or destroyed lock, {@code EBUSY} for an operation
 * while another is outstanding on the lock, {@code EEXIST}/{@code EINVAL} for lockspace misuse);
 * {@link #value()} is the offending value and {@link #reason()} says why in one sentence.
 * Outcomes that arrive later (EAGAIN, EDEADLK, ECANCEL, …) are never thrown: they are the
 * {@link LockResult} of the operation's {@code CompletionStage}.
 */
public final class DlmException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final SyncStatus code;
  private final transient Object value;
  private final String reason;

  /** A refusal with its code, the offending value and the reason. */
  public DlmException(SyncStatus code, Object value, String reason) {
    super(code + ": " + reason + " (value: " + value + ")", null, false, false);
    this.code = code;
    this.value = value;
    this.reason = reason;
  }

  /** The synchronous code (never {@code OK}). */
  public SyncStatus code() {
    return code;
  }

  /** The value that was refused (a mode, a flag set, a name, a lock id, …). */
  public Object value() {
    return value;
  }

  /** Why the value was refused. */
  public String reason() {
    return reason;
  }
}
