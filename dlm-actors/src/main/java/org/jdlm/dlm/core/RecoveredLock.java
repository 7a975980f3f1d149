package org.jdlm.dlm.core;

import java.util.Set;

/**
 * A lock as a survivor resends it to a new master during recovery (semantics §6.3 step 11, the RCOM
 * LOCK message): modes, queue, flags, lvbseq, value block and fencing token. Built on the owner
 * by {@link OwnerLocks#resendForRecovery}; consumed by {@link ResourceState#addRecoveredLock}.
 *
 * @param lock             the lock
 * @param queue            the queue it was on
 * @param grantedMode      granted mode; {@code null} (IV) on W, and on C only for a PR↔CW
 *                         conversion whose outcome the dead master took with it (step 8)
 * @param requestedMode    requested mode on C and W; {@code null} on G
 * @param flags            exflags of the last lock call
 * @param blockingCallback whether the owner registered a BAST callback
 * @param lvb              the owner's value-block buffer at resend time, {@code null} if none
 * @param lvbSeq           the lvbseq the lock last saw
 * @param token            the lock's fencing token, {@code null} if never granted
 */
public record RecoveredLock(LockId lock, ResourceState.Queue queue, LockMode grantedMode, LockMode requestedMode,
                            Set<LockFlag> flags, boolean blockingCallback, ValueBlock lvb, long lvbSeq,
                            FencingToken token) {

  public RecoveredLock {
    if (lock == null || queue == null || flags == null) {
      throw new IllegalArgumentException("a recovered lock needs an id, a queue and flags (got "
          + lock + ", " + queue + ", " + flags + ")");
    }
    String shape = switch (queue) {
      case GRANTED -> grantedMode != null && requestedMode == null ? null
          : "a granted lock has a granted mode and no requested mode";
      case CONVERTING -> requestedMode != null
          && (grantedMode != null || requestedMode == LockMode.PR || requestedMode == LockMode.CW) ? null
          : "a converting lock has a requested mode, and a granted mode unless it is a PR<->CW conversion";
      case WAITING -> grantedMode == null && requestedMode != null ? null
          : "a waiting lock has a requested mode and no granted mode";
    };
    if (shape != null) {
      throw new IllegalArgumentException("recovered lock " + lock + " on " + queue + " with granted "
          + LockMode.nameOf(grantedMode) + ", requested " + LockMode.nameOf(requestedMode) + ": " + shape);
    }
    flags = Set.copyOf(flags);
  }
}
