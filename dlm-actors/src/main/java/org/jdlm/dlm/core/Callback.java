package org.jdlm.dlm.core;

/**
 * A callback as the owner delivers it to the user of a lock (after {@link CallbackQueue}
 * suppression): a completion (CAST) or a blocking callback (BAST).
 */
public sealed interface Callback {

  /**
   * A completion callback: the {@code lksb} contents at delivery.
   *
   * @param status      {@code sb_status}
   * @param grantedMode the granted mode when queued, {@code null} once the lock holds none
   * @param sbflags     DEMOTED / VALNOTVALID / ALTMODE
   * @param lvb         the value block after the grant (VALBLK and OK only), else {@code null}
   * @param token       the fencing token while a mode is held, else {@code null}
   */
  record Completion(CastStatus status, LockMode grantedMode, SbFlags sbflags, ValueBlock lvb, FencingToken token)
      implements Callback {}

  /** A blocking callback: some request of {@code mode} waits for this lock. */
  record Blocking(LockMode mode) implements Callback {}
}
