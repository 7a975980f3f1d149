package org.jdlm.dlm.api;

import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.core.OwnerLockState;

/**
 * One lock held or requested by this node (the process copy of semantics §5).
 *
 * <p>At most one operation is outstanding per lock; a second one is refused with
 * {@link DlmException} code {@code EBUSY}, except {@link #cancel()} and an unlock with
 * {@code FORCEUNLOCK} (semantics §2.6). Every returned stage completes on the lockspace's callback
 * thread, after the lock's earlier callbacks and before its later ones.
 */
public interface LockHandle {

  /** The lock id, unique on this node; cluster-wide the lock is (owner node, id). */
  long id();

  /** The resource name's bytes (a copy). */
  byte[] name();

  /** The resource name as text, or {@code 0x}-hex when not printable. */
  String displayName();

  /** The outcome of the request that created this lock (OK, EAGAIN, ECANCEL, …). */
  CompletionStage<LockResult> completion();

  /**
   * Converts the lock to {@code mode} (semantics §2.4). {@code lvb} is the lock's value-block buffer
   * from now on (may be {@code null}: the previous buffer stays).
   *
   * @throws DlmException synchronously for the §2.8 errors
   */
  CompletionStage<LockResult> convert(LockMode mode, Set<LockFlag> flags, byte[] lvb);

  /**
   * Unlocks (semantics §2.6): completes with EUNLOCK. {@code flags} ⊆ {VALBLK, IVVALBLK, FORCEUNLOCK};
   * {@code lvb} (may be {@code null}) replaces the buffer written back from PW/EX.
   *
   * @throws DlmException synchronously for the §2.8 errors
   */
  CompletionStage<LockResult> unlock(Set<LockFlag> flags, byte[] lvb);

  /**
   * Cancels a queued request or conversion: completes with ECANCEL, or with the lock's current
   * state and status OK when there was nothing to cancel (semantics §2.6: no callback in that case).
   *
   * @throws DlmException synchronously for the §2.8 errors
   */
  CompletionStage<LockResult> cancel();

  /** The current granted mode as this node knows it, or {@code null}. */
  LockMode grantedMode();

  /** The mode of the request or conversion in progress, or {@code null}. */
  LockMode requestedMode();

  /**
   * The owner-side status (semantics §5 process copy): REQUESTING, WAITING, GRANTED, CONVERTING,
   * CONVERT_QUEUED, UNLOCKING, CANCELLING, or DESTROYED once the lock is gone (its id then answers
   * ENOENT).
   */
  OwnerLockState state();
}
