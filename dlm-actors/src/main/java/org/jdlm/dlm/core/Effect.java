package org.jdlm.dlm.core;

/**
 * What a {@link ResourceState} operation asks its actor to do, in order (style rule 2). The
 * order of the list returned by an operation is the order the kernel queues callbacks under the
 * resource lock, so delivering each lock's callbacks in list order gives the per-lock ordering
 * of semantics §3 (e.g. TV-03: a grant's CAST before the BAST caused by a later event on the same
 * lock). Callbacks of different locks carry no ordering promise.
 *
 * <p>Every effect names the lock it concerns; {@link #owner()} is the node its callbacks go to.
 */
public sealed interface Effect {

  /** The lock this effect concerns. */
  LockId lock();

  /** The node that owns the lock (where its callbacks are delivered). */
  default NodeId owner() {
    return lock().owner();
  }

  /**
   * A completion callback (CAST) for the lock's owner: a local callback or, for a remote owner,
   * the reply/GRANT message that carries it.
   *
   * @param status      the {@code sb_status}
   * @param grantedMode the lock's granted mode when the CAST was queued; {@code null} (IV) once
   *                    the lock no longer holds a mode (unlocked, cancelled from the wait queue,
   *                    failed new request)
   * @param sbflags     DEMOTED / VALNOTVALID / ALTMODE
   * @param lvb         the lock's value block after the grant when the operation carried VALBLK
   *                    and the status is OK; {@code null} otherwise
   * @param token       the lock's fencing token while it holds a mode; {@code null} otherwise
   * @param lvbSeq      the lvbseq the lock last read or wrote (the owner resends it in recovery)
   */
  record Completion(LockId lock, CastStatus status, LockMode grantedMode, SbFlags sbflags,
                    ValueBlock lvb, FencingToken token, long lvbSeq) implements Effect {}

  /**
   * A blocking callback (BAST) for a granted (or, by rules C and D, converting) lock: "release or
   * convert below {@code mode}". Already filtered by {@code highbast} (semantics §3); the owner's
   * {@link CallbackQueue} applies the delivery-layer suppression.
   */
  record Blocking(LockId lock, LockMode mode) implements Effect {}

  /**
   * The request or conversion was queued (the kernel's internal -EINPROGRESS): a remote
   * requester gets a "queued" reply; a local one learns nothing until the CAST.
   *
   * @param conversion  true when the lock joined the convert queue, false for the wait queue
   * @param grantedMode the granted mode it keeps while queued: NL if CONVDEADLK demoted it
   *                    ({@code munge_demoted}), {@code null} for a new request
   * @param sbflags     DEMOTED when it was demoted on the way
   */
  record Queued(LockId lock, boolean conversion, LockMode grantedMode, SbFlags sbflags) implements Effect {}

  /** The master copy is gone (unlocked, cancelled while waiting, failed NOQUEUE request,
   *  purged): the actor may drop anything it keeps for the lock. */
  record Destroyed(LockId lock) implements Effect {}

  /** A cancel found nothing to cancel (the lock was granted with nothing queued): the reply is
   *  0 and, per semantics §2.6, no callback follows. */
  record CancelIgnored(LockId lock) implements Effect {}

  /**
   * The master refused an operation it cannot apply (a stale or duplicated message: unknown lock,
   * convert of a lock that is not granted, duplicate request). A reply to the requester, never a
   * callback.
   */
  record Rejected(LockId lock, SyncStatus status, String reason) implements Effect {}

  /**
   * A queue pass found a conversion deadlock it will not break (no CONVDEADLK, no NODLCKWT): the
   * kernel only logs this with a resource dump ({@code grant_pending_convert}). The actor logs it.
   */
  record DeadlockWarning(LockId lock, String resourceDump) implements Effect {}

  /** Recovery purged the master copy of a lock whose owner left the lockspace (semantics §6.3 step
   *  9). No callback goes anywhere for it. */
  record Purged(LockId lock) implements Effect {}

  /**
   * Recovery kept a departed owner's PERSISTENT lock as an orphan: it stays granted (a queued
   * conversion was cancelled) under the new id {@code orphan}, whose owner is an orphan owner
   * ({@link NodeId#orphanOf}). No callback goes anywhere for it (docs/recovery.md "Orphans").
   */
  record Orphaned(LockId lock, LockId orphan) implements Effect {}
}
