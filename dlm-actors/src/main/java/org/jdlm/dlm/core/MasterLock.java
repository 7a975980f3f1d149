package org.jdlm.dlm.core;

/**
 * The master copy of one lock on its resource (the kernel's lkb as the master sees it). Mutable,
 * package-private and only ever touched by {@link ResourceState}; the outside world sees
 * {@link LockView} snapshots.
 */
final class MasterLock {

  final LockId id;
  /** Whether the owner registered a blocking callback; locks without one never get a BAST
   *  (semantics §3, including rule D where the kernel does not check). */
  final boolean blockingCallback;

  /** Granted mode, {@code null} = IV (not granted yet). */
  LockMode grmode;
  /** Requested mode of the pending request/conversion, {@code null} = IV (none). */
  LockMode rqmode;
  /** {@code exflags}: the flags of the last lock call, OR-ed with later unlock/cancel flags. */
  int exflags;
  /** DLM_SBF_* bits reported with the next CAST; reset at the start of every operation. */
  int sbflags;
  /** Highest BAST mode sent since the lock was last granted; NL after every grant. */
  LockMode highbast = LockMode.NL;
  /** The lock's value-block buffer (the last lock call's lksb buffer); {@code null} = none. */
  ValueBlock lvb;
  /** Resource lvbseq when this lock last read or wrote the LVB (used by LVB recovery). */
  long lvbseq;
  /** The fencing token of the current grant; {@code null} until first granted. */
  FencingToken token;

  /** Which queue the lock is on; {@code null} once removed. */
  ResourceState.Queue queue;
  /** Position key within the convert or wait queue: queues stay sorted by it, so FIFO order
   *  (with HEADQUE entries at the head) is checkable as an invariant. */
  long queueKey;

  MasterLock(LockId id, boolean blockingCallback) {
    this.id = id;
    this.blockingCallback = blockingCallback;
  }

  boolean has(LockFlag flag) {
    return (exflags & flag.value()) != 0;
  }

  MasterLock copy() {
    MasterLock c = new MasterLock(id, blockingCallback);
    c.grmode = grmode;
    c.rqmode = rqmode;
    c.exflags = exflags;
    c.sbflags = sbflags;
    c.highbast = highbast;
    c.lvb = lvb;
    c.lvbseq = lvbseq;
    c.token = token;
    c.queue = queue;
    c.queueKey = queueKey;
    return c;
  }

  LockView view() {
    return new LockView(id, queue, grmode, rqmode, LockFlag.fromBits(exflags), SbFlags.of(sbflags),
        highbast, blockingCallback, lvb, lvbseq, token);
  }

  /** One line in the style of {@code dlm_print_lkb}. */
  String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append(id).append(" gr ").append(LockMode.nameOf(grmode)).append(" rq ").append(LockMode.nameOf(rqmode));
    sb.append(" flags ").append(exflags == 0 ? "-" : LockFlag.fromBits(exflags).toString());
    sb.append(" sb ").append(SbFlags.of(sbflags));
    sb.append(" highbast ").append(highbast).append(blockingCallback ? "" : " nobast");
    sb.append(" token ").append(token == null ? "-" : token.toString());
    sb.append(" lvbseq ").append(lvbseq).append(" lvb ").append(lvb == null ? "-" : lvb.toString());
    return sb.toString();
  }
}
