package org.jdlm.dlm.core;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The process copies of the locks one node owns in one lockspace: synchronous validation of
 * lock/convert/unlock/cancel (semantics §2.8), each lock's status as an explicit state machine
 * ({@link OwnerLockState}) driven by the master's effects, the per-lock callback queues
 * ({@link CallbackQueue}), process exit with PERSISTENT orphans (TV-61), and the owner's part of
 * recovery (semantics §6.3 steps 8, 11 and 17).
 *
 * <p>Flow for the actor layer: call {@link #lock}/{@link #convert}/{@link #unlock}/{@link #cancel};
 * on {@link OwnerResult.Accepted} send its {@link MasterOp}s to the resource's master (or apply
 * them locally); feed every {@link Effect} addressed to this node back through {@link #onEffect}
 * (which may return further ops: an overlapped cancel or force-unlock); deliver
 * {@link #drainCallbacks()} to the users. Mutable, owned by one actor (see {@link ResourceState}
 * for why the core mutates in place).
 */
public final class OwnerLocks {

  /** Longest resource name in bytes ({@code DLM_RESNAME_MAXLEN}). */
  public static final int MAX_NAME_LENGTH = 64;

  /** Flags {@code dlm_unlock} accepts ({@code set_unlock_args}). */
  private static final Set<LockFlag> UNLOCK_FLAGS =
      EnumSet.of(LockFlag.CANCEL, LockFlag.VALBLK, LockFlag.IVVALBLK, LockFlag.FORCEUNLOCK);

  /** A callback ready for delivery to the user of {@code lock}. */
  public record Delivery(LockId lock, Callback callback) {}

  private static final class OwnerLock {
    final LockId id;
    final String resource;
    final boolean blockingCallback;
    final CallbackQueue callbacks;
    long process;
    OwnerLockState state;
    LockMode grmode;
    LockMode rqmode;
    int exflags;
    ValueBlock lvb;
    long lvbSeq;
    FencingToken token;
    /** OVERLAP_CANCEL: a cancel arrived while a reply was outstanding. */
    boolean overlapCancel;
    /** OVERLAP_UNLOCK: a force-unlock arrived while a reply was outstanding. */
    boolean overlapUnlock;
    int overlapUnlockFlags;
    /** PERSISTENT lock whose process exited (TV-61): kept, callbacks dropped. */
    boolean orphan;
    /** Non-persistent lock whose process exited: force-unlocked, callbacks dropped. */
    boolean processGone;
    /** RESEND: its request/conversion went to a master that died (step 8). */
    boolean resend;
    /** Listed in {@code ready}: it has callbacks to deliver or was destroyed since the last drain. */
    boolean ready;

    OwnerLock(LockId id, String resource, boolean blockingCallback, int callbackCapacity) {
      this.id = id;
      this.resource = resource;
      this.blockingCallback = blockingCallback;
      this.callbacks = new CallbackQueue(blockingCallback, callbackCapacity);
    }

    boolean muted() {
      return orphan || processGone;
    }

    void moveTo(OwnerLockState next) {
      state = state.transitionTo(next);
    }

    OwnerLockView view() {
      return new OwnerLockView(id, resource, process, state, grmode, rqmode, LockFlag.fromBits(exflags), lvb,
          token, orphan);
    }
  }

  private final NodeId node;
  private final int lvblen;
  private final int maxLocks;
  private final int callbackCapacity;
  private final LinkedHashMap<LockId, OwnerLock> locks = new LinkedHashMap<>();
  /**
   * The locks {@link #drainCallbacks()} must visit, in the order they became ready: those with a
   * queued callback and those destroyed since the last drain. Draining only these keeps an event's
   * cost independent of how many locks the node holds (walking every lock made each event O(locks)).
   */
  private final ArrayDeque<OwnerLock> ready = new ArrayDeque<>();
  /**
   * The same locks by resource name, each in creation order (so a per-resource walk sees them in
   * the order a filtered walk of {@link #locks} would). Recovery asks per resource for every
   * resource of a dead master: walking all locks each time made remastering N resources O(N²)
   * (10,000 locks: seconds; 100,000: minutes).
   */
  private final HashMap<String, LinkedHashMap<LockId, OwnerLock>> byResource = new HashMap<>();
  private long nextLocal = 1;
  private int liveLocks;
  private boolean callbacksSuspended;

  /**
   * @param node             this node
   * @param lvblen           the lockspace's value-block length
   * @param maxLocks         bound on live locks ({@code jdlm.dlm-actors.max-locks-per-node})
   * @param callbackCapacity bound on undelivered callbacks per lock
   *                         ({@code jdlm.dlm-actors.callback-queue-capacity})
   */
  public OwnerLocks(NodeId node, int lvblen, int maxLocks, int callbackCapacity) {
    if (lvblen <= 0 || maxLocks <= 0) {
      throw new IllegalArgumentException("lvblen " + lvblen + " and max locks " + maxLocks + " must be positive");
    }
    this.node = node;
    this.lvblen = lvblen;
    this.maxLocks = maxLocks;
    this.callbackCapacity = callbackCapacity;
  }

  // ---------------------------------------------------------------------------------------
  // API calls (semantics §2.8)
  // ---------------------------------------------------------------------------------------

  /**
   * {@code dlm_lock} without CONVERT: a new lock on {@code resource}, or with ORPHAN the adoption
   * of an orphan of the same name and mode.
   *
   * @param lvb              the caller's value-block buffer (at most lvblen bytes), or null
   * @param blockingCallback whether BASTs should be delivered for this lock
   * @param process          the calling process/session, for PERSISTENT/ORPHAN
   */
  public OwnerResult lock(String resource, LockMode mode, Set<LockFlag> flags, byte[] lvb,
                          boolean blockingCallback, long process) {
    OwnerResult.Rejected bad = validateLockArgs(mode, flags, lvb, false);
    if (bad != null) {
      return bad;
    }
    if (resource == null || resource.isEmpty()) {
      return reject(SyncStatus.EINVAL, "resource name is empty: it must be 1.." + MAX_NAME_LENGTH + " bytes");
    }
    int nameLength = resource.getBytes(StandardCharsets.UTF_8).length;
    if (nameLength > MAX_NAME_LENGTH) {
      return reject(SyncStatus.EINVAL, "resource name '" + resource + "' is " + nameLength
          + " bytes, more than " + MAX_NAME_LENGTH);
    }
    if (flags.contains(LockFlag.ORPHAN)) {
      OwnerResult local = adoptLocalOrphan(resource, mode, process);
      if (local != null) {
        return local;
      }
    }
    if (liveLocks >= maxLocks) {
      return reject(SyncStatus.ENOMEM, "node " + node + " already holds " + liveLocks
          + " locks, the configured maximum (jdlm.dlm-actors.max-locks-per-node)");
    }
    LockId id = new LockId(node, nextLocal++);
    OwnerLock lk = new OwnerLock(id, resource, blockingCallback, callbackCapacity);
    lk.process = process;
    lk.state = OwnerLockState.REQUESTING;
    lk.rqmode = mode;
    lk.exflags = LockFlag.bits(flags);
    lk.lvb = lvb == null ? null : ValueBlock.of(lvb, lvblen);
    locks.put(id, lk);
    byResource.computeIfAbsent(resource, r -> new LinkedHashMap<>()).put(id, lk);
    liveLocks++;
    return new OwnerResult.Accepted(id, List.of(requestOp(lk)));
  }

  /** The operation that (re)sends a new lock's request: an adoption for an ORPHAN request. */
  private MasterOp requestOp(OwnerLock lk) {
    Set<LockFlag> flags = LockFlag.fromBits(lk.exflags);
    return flags.contains(LockFlag.ORPHAN)
        ? new MasterOp.Adopt(lk.id, lk.resource, lk.rqmode, flags, lk.blockingCallback)
        : new MasterOp.Request(lk.id, lk.resource, lk.rqmode, flags, lk.lvb, lk.blockingCallback);
  }

  /**
   * {@code dlm_lock} with CONVERT: convert lock {@code id} to {@code mode}.
   *
   * @param lvb the buffer for this call, or null to keep the lock's buffer
   */
  public OwnerResult convert(LockId id, LockMode mode, Set<LockFlag> flags, byte[] lvb) {
    EnumSet<LockFlag> withConvert = LockFlag.copyOf(flags);
    withConvert.add(LockFlag.CONVERT);
    OwnerLock existing = id == null ? null : locks.get(id);
    // VALBLK needs a buffer: this call's, or the one the lock already has (the same lksb).
    byte[] buffer = lvb != null ? lvb : existing != null && existing.lvb != null ? new byte[0] : null;
    OwnerResult.Rejected bad = validateLockArgs(mode, withConvert, buffer, true);
    if (bad != null) {
      return bad;
    }
    if (id == null) {
      return reject(SyncStatus.EINVAL, "a conversion needs a lock id (sb_lkid = 0)");
    }
    OwnerLock lk = live(id);
    if (lk == null) {
      return reject(SyncStatus.ENOENT, "no lock " + id + " on node " + node + " (unknown or already destroyed)");
    }
    // semantics §2.8: EBUSY is checked before the QUECVT matrix.
    if (lk.state != OwnerLockState.GRANTED || lk.overlapCancel || lk.overlapUnlock) {
      return reject(SyncStatus.EBUSY, "lock " + id + " is " + lk.state
          + (lk.overlapCancel || lk.overlapUnlock ? " with an overlapping cancel/unlock" : "")
          + ": only a granted lock with nothing in flight can convert");
    }
    if (flags.contains(LockFlag.QUECVT) && !ModeTables.quecvtAllowed(lk.grmode, mode)) {
      return reject(SyncStatus.EINVAL, "QUECVT is not allowed for the conversion " + lk.grmode + " -> " + mode
          + " (only up-conversions and PR -> CW, semantics §1.2)");
    }
    lk.moveTo(OwnerLockState.CONVERTING);
    lk.rqmode = mode;
    lk.exflags = LockFlag.bits(flags); // each lock call replaces exflags (semantics §4)
    if (lvb != null) {
      lk.lvb = ValueBlock.of(lvb, lvblen);
    }
    return new OwnerResult.Accepted(id, List.of(new MasterOp.Convert(id, lk.resource, mode, flags, lvb == null ? null : lk.lvb)));
  }

  /**
   * {@code dlm_unlock}: unlock (FORCEUNLOCK: even with a request in flight), or with CANCEL the
   * same as {@link #cancel}.
   *
   * @param lvb new content for the lock's buffer before unlocking (the buffer of the last lock
   *            call is what gets written, semantics §11.2), or null
   */
  public OwnerResult unlock(LockId id, Set<LockFlag> flags, byte[] lvb) {
    for (LockFlag f : flags) {
      if (!UNLOCK_FLAGS.contains(f)) {
        return reject(SyncStatus.EINVAL, "flag " + f + " is not valid for unlock (allowed: " + UNLOCK_FLAGS + ")");
      }
    }
    if (flags.contains(LockFlag.CANCEL) && flags.contains(LockFlag.FORCEUNLOCK)) {
      return reject(SyncStatus.EINVAL, "CANCEL and FORCEUNLOCK cannot be combined");
    }
    if (lvb != null && lvb.length > lvblen) {
      return reject(SyncStatus.EINVAL, "value block of " + lvb.length + " bytes exceeds the lockspace lvblen " + lvblen);
    }
    if (flags.contains(LockFlag.CANCEL)) {
      return cancel(id);
    }
    OwnerLock lk = id == null ? null : live(id);
    if (lk == null) {
      return reject(SyncStatus.ENOENT, "no lock " + id + " on node " + node + " (unknown or already destroyed)");
    }
    boolean force = flags.contains(LockFlag.FORCEUNLOCK);
    if (!force && lk.state.inFlight()) {
      return reject(SyncStatus.EBUSY, "lock " + id + " is " + lk.state
          + ": a normal unlock must wait for the reply (use FORCEUNLOCK to overlap it)");
    }
    if (force && (lk.state == OwnerLockState.UNLOCKING || lk.overlapUnlock)) {
      return reject(SyncStatus.EINVAL, "lock " + id + " already has an unlock in progress");
    }
    if (lvb != null) {
      lk.lvb = ValueBlock.of(lvb, lvblen);
    }
    int bits = LockFlag.bits(flags);
    if (lk.state.inFlight()) {
      // semantics §2.6 FORCEUNLOCK: remembered, sent once the outstanding reply arrives.
      lk.overlapUnlock = true;
      lk.overlapUnlockFlags = bits;
      return new OwnerResult.Accepted(id, List.of());
    }
    return new OwnerResult.Accepted(id, List.of(sendUnlock(lk, bits)));
  }

  /** {@code dlm_unlock} with CANCEL: cancel a queued request or conversion (semantics §2.6). */
  public OwnerResult cancel(LockId id) {
    OwnerLock lk = id == null ? null : live(id);
    if (lk == null) {
      return reject(SyncStatus.ENOENT, "no lock " + id + " on node " + node + " (unknown or already destroyed)");
    }
    if (lk.state == OwnerLockState.UNLOCKING || lk.state == OwnerLockState.CANCELLING
        || lk.overlapCancel || lk.overlapUnlock) {
      return reject(SyncStatus.EINVAL, "lock " + id + " already has a cancel or unlock in progress");
    }
    switch (lk.state) {
      case REQUESTING, CONVERTING -> {
        lk.overlapCancel = true; // OVERLAP_CANCEL: acted on when the reply says "queued"
        return new OwnerResult.Accepted(id, List.of());
      }
      case WAITING, CONVERT_QUEUED -> {
        lk.moveTo(OwnerLockState.CANCELLING);
        return new OwnerResult.Accepted(id, List.of(new MasterOp.Cancel(id, lk.resource, Set.of(LockFlag.CANCEL))));
      }
      default -> {
        return new OwnerResult.Accepted(id, List.of()); // granted: nothing to cancel, 0, no AST ever
      }
    }
  }

  /** {@code set_lock_args} (semantics §2.8 EINVAL rows). */
  private OwnerResult.Rejected validateLockArgs(LockMode mode, Set<LockFlag> flags, byte[] lvb, boolean convert) {
    if (mode == null) {
      return reject(SyncStatus.EINVAL, "a mode is required (NL, CR, CW, PR, PW or EX)");
    }
    if (flags.contains(LockFlag.CANCEL)) {
      return reject(SyncStatus.EINVAL, "CANCEL is only valid for unlock");
    }
    if (flags.contains(LockFlag.CONVERT) && !convert) {
      return reject(SyncStatus.EINVAL, "CONVERT on a new request: use convert with the lock id");
    }
    if (flags.contains(LockFlag.QUECVT) && !convert) {
      return reject(SyncStatus.EINVAL, "QUECVT is only valid on a conversion");
    }
    if (flags.contains(LockFlag.CONVDEADLK) && !convert) {
      return reject(SyncStatus.EINVAL, "CONVDEADLK is only valid on a conversion");
    }
    if (flags.contains(LockFlag.CONVDEADLK) && flags.contains(LockFlag.NOQUEUE)) {
      return reject(SyncStatus.EINVAL, "CONVDEADLK cannot be combined with NOQUEUE");
    }
    if (flags.contains(LockFlag.EXPEDITE)) {
      if (convert || flags.contains(LockFlag.QUECVT) || flags.contains(LockFlag.NOQUEUE)) {
        return reject(SyncStatus.EINVAL, "EXPEDITE cannot be combined with CONVERT, QUECVT or NOQUEUE");
      }
      if (mode != LockMode.NL) {
        return reject(SyncStatus.EINVAL, "EXPEDITE is only valid for NL requests, not " + mode);
      }
    }
    if (flags.contains(LockFlag.VALBLK) && lvb == null) {
      return reject(SyncStatus.EINVAL, "VALBLK needs a value-block buffer");
    }
    if (lvb != null && lvb.length > lvblen) {
      return reject(SyncStatus.EINVAL, "value block of " + lvb.length + " bytes exceeds the lockspace lvblen " + lvblen);
    }
    return null;
  }

  /**
   * TV-61: adopt an orphan of this node's exited processes, same lock id, synchronously; -EAGAIN
   * if this node's orphans of the name are all in another mode. {@code null} when this node has
   * no orphan of the name at all: the orphan, if any, is a dead node's and lives on the master,
   * so the caller sends a {@link MasterOp.Adopt} (docs/recovery.md "Orphans").
   */
  private OwnerResult adoptLocalOrphan(String resource, LockMode mode, long process) {
    boolean otherMode = false;
    for (OwnerLock lk : onResource(resource)) {
      if (!lk.orphan || lk.state == OwnerLockState.DESTROYED) {
        continue;
      }
      if (lk.grmode != mode || lk.state != OwnerLockState.GRANTED) {
        otherMode = true;
        continue;
      }
      lk.orphan = false;
      lk.process = process;
      return new OwnerResult.Accepted(lk.id, List.of());
    }
    return otherMode
        ? reject(SyncStatus.EAGAIN, "orphans of '" + resource + "' exist only in another mode than " + mode)
        : null;
  }

  // ---------------------------------------------------------------------------------------
  // Master effects → owner state and callbacks
  // ---------------------------------------------------------------------------------------

  /**
   * Applies one effect the master produced for a lock of this node. Effects for other nodes'
   * locks, and for locks this node no longer knows, are ignored.
   *
   * @return further operations to send to the master (an overlapped cancel or unlock)
   */
  public List<MasterOp> onEffect(Effect effect) {
    OwnerLock lk = locks.get(effect.lock());
    if (lk == null || !effect.owner().equals(node)) {
      return List.of();
    }
    ArrayList<MasterOp> out = new ArrayList<>(1);
    if (effect instanceof Effect.Completion c) {
      onCompletion(lk, c, out);
    } else if (effect instanceof Effect.Blocking b) {
      if (!lk.muted() && lk.state != OwnerLockState.DESTROYED) {
        if (lk.callbacks.offerBlocking(b.mode())) {
          markReady(lk);
        }
      }
    } else if (effect instanceof Effect.Queued q) {
      lk.moveTo(q.conversion() ? OwnerLockState.CONVERT_QUEUED : OwnerLockState.WAITING);
      if (q.conversion() && q.sbflags().demoted()) {
        lk.grmode = LockMode.NL; // munge_demoted: CONVDEADLK demoted us before queueing
      }
      afterReply(lk, out);
    } else if (effect instanceof Effect.CancelIgnored) {
      lk.moveTo(OwnerLockState.GRANTED); // the cancel found the lock granted: no AST
      afterReply(lk, out);
    } else if (effect instanceof Effect.Rejected r) {
      onRejected(lk, r);
    }
    // Destroyed, DeadlockWarning and Purged carry nothing for the owner.
    return out;
  }

  private void onCompletion(OwnerLock lk, Effect.Completion c, List<MasterOp> out) {
    LockMode before = lk.grmode;
    lk.grmode = c.grantedMode();
    lk.token = c.token();
    if (c.lvb() != null) {
      lk.lvb = c.lvb();
      lk.lvbSeq = c.lvbSeq();
    }
    switch (c.status()) {
      case OK -> {
        if (before == null && (lk.exflags & LockFlag.ORPHAN.value()) != 0) {
          lk.exflags |= LockFlag.PERSISTENT.value(); // an adopted orphan stays PERSISTENT, as its master copy
        }
        lk.rqmode = null;
        lk.resend = false;
        if (lk.state != OwnerLockState.CANCELLING && lk.state != OwnerLockState.UNLOCKING) {
          lk.moveTo(OwnerLockState.GRANTED);
          lk.overlapCancel = false; // granted: the cancel is moot (receive_request_reply)
          afterReply(lk, out);
        } // else the grant raced our cancel/unlock, whose reply follows
      }
      case EAGAIN, EDEADLK, ENOENT -> {
        lk.rqmode = null;
        lk.resend = false;
        if (before == null && (lk.state == OwnerLockState.REQUESTING || lk.state == OwnerLockState.WAITING
            || lk.state == OwnerLockState.CANCELLING)) {
          // A failed new request is gone: EAGAIN/ENOENT at once, or EDEADLK for a deadlock victim
          // denied while waiting (DeadlockBreak), possibly racing a cancel whose reply is moot.
          destroy(lk);
        } else {
          lk.moveTo(OwnerLockState.GRANTED); // a refused conversion keeps its mode
          lk.overlapCancel = false;
          afterReply(lk, out);
        }
      }
      case ECANCEL -> {
        lk.rqmode = null;
        if (lk.grmode == null) {
          destroy(lk);
        } else {
          lk.moveTo(OwnerLockState.GRANTED);
          afterReply(lk, out);
        }
      }
      case EUNLOCK -> {
        lk.token = null;
        destroy(lk);
      }
    }
    if (!lk.muted()) {
      lk.callbacks.offerCompletion(new Callback.Completion(c.status(), c.grantedMode(), c.sbflags(), c.lvb(), c.token()));
      markReady(lk);
    }
  }

  /** The reply to the outstanding operation arrived: act on an overlapped unlock or cancel. */
  private void afterReply(OwnerLock lk, List<MasterOp> out) {
    OwnerLockState s = lk.state;
    boolean queuedOrGranted = s == OwnerLockState.GRANTED || s == OwnerLockState.WAITING || s == OwnerLockState.CONVERT_QUEUED;
    if (lk.overlapUnlock && queuedOrGranted) {
      // Unlock wins over cancel (receive_request_reply).
      lk.overlapUnlock = false;
      lk.overlapCancel = false;
      out.add(sendUnlock(lk, lk.overlapUnlockFlags));
    } else if (lk.overlapCancel && (s == OwnerLockState.WAITING || s == OwnerLockState.CONVERT_QUEUED)) {
      lk.overlapCancel = false;
      lk.moveTo(OwnerLockState.CANCELLING);
      out.add(new MasterOp.Cancel(lk.id, lk.resource, Set.of(LockFlag.CANCEL)));
    } else if (s == OwnerLockState.GRANTED) {
      lk.overlapCancel = false;
    }
  }

  private void onRejected(OwnerLock lk, Effect.Rejected r) {
    // The master refused a stale or duplicated message; undo our in-flight status so the lock
    // is usable again. A duplicate request (EEXIST) means the first copy is being handled.
    switch (lk.state) {
      case CONVERTING -> {
        lk.rqmode = null;
        lk.moveTo(OwnerLockState.GRANTED);
      }
      case UNLOCKING, CANCELLING -> {
        if (r.status() == SyncStatus.ENOENT) {
          destroy(lk);
        }
      }
      default -> { }
    }
  }

  private MasterOp.Unlock sendUnlock(OwnerLock lk, int flags) {
    lk.exflags |= flags; // semantics §11.2
    lk.moveTo(OwnerLockState.UNLOCKING);
    return new MasterOp.Unlock(lk.id, lk.resource, LockFlag.fromBits(flags), lk.lvb);
  }

  private void destroy(OwnerLock lk) {
    if (lk.state != OwnerLockState.DESTROYED) {
      lk.state = lk.state.transitionTo(OwnerLockState.DESTROYED);
      liveLocks--;
    }
    markReady(lk); // forgotten at the next drain, after its last callbacks
    lk.grmode = null;
    lk.rqmode = null;
    lk.token = null;
    lk.overlapCancel = false;
    lk.overlapUnlock = false;
    lk.resend = false;
  }

  // ---------------------------------------------------------------------------------------
  // Callback delivery
  // ---------------------------------------------------------------------------------------

  /** Holds callbacks back (recovery step 1, {@code dlm_callback_suspend}). */
  public void suspendCallbacks() {
    callbacksSuspended = true;
  }

  /** Releases held callbacks (step 15, {@code dlm_callback_resume}). */
  public void resumeCallbacks() {
    callbacksSuspended = false;
  }

  /**
   * Everything ready for delivery, per lock in queue order (nothing while suspended). Destroyed
   * locks whose queue is empty are forgotten; their ids keep answering ENOENT because ids are
   * never reused.
   */
  public List<Delivery> drainCallbacks() {
    if (callbacksSuspended || ready.isEmpty()) {
      return List.of();
    }
    ArrayList<Delivery> out = new ArrayList<>(2);
    for (OwnerLock lk = ready.poll(); lk != null; lk = ready.poll()) {
      lk.ready = false;
      for (Callback cb = lk.callbacks.poll(); cb != null; cb = lk.callbacks.poll()) {
        out.add(new Delivery(lk.id, cb));
      }
      if (lk.state == OwnerLockState.DESTROYED) {
        locks.remove(lk.id);
        forgetByResource(lk);
      }
    }
    return out;
  }

  private void markReady(OwnerLock lk) {
    if (!lk.ready) {
      lk.ready = true;
      ready.add(lk);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Process exit and orphans (TV-61)
  // ---------------------------------------------------------------------------------------

  /**
   * The process (client session) {@code process} went away ({@code dlm_clear_proc_locks}): its
   * PERSISTENT locks become orphans (a queued request or conversion is cancelled first, so an
   * orphan holds only its granted mode); every other lock is force-unlocked with IVVALBLK. No
   * callback is delivered for any of them any more.
   *
   * @return the operations to send to the masters
   */
  public List<MasterOp> closeProcess(long process) {
    ArrayList<MasterOp> out = new ArrayList<>();
    for (OwnerLock lk : locks.values()) {
      if (lk.process != process || lk.state == OwnerLockState.DESTROYED || lk.muted()) {
        continue;
      }
      drop(lk.callbacks);
      if ((lk.exflags & LockFlag.PERSISTENT.value()) != 0) {
        lk.orphan = true;
        OwnerResult r = cancel(lk.id);
        if (r instanceof OwnerResult.Accepted a) {
          out.addAll(a.send());
        }
      } else {
        lk.processGone = true;
        OwnerResult r = unlock(lk.id, EnumSet.of(LockFlag.FORCEUNLOCK, LockFlag.IVVALBLK), null);
        if (r instanceof OwnerResult.Accepted a) {
          out.addAll(a.send());
        }
      }
    }
    return out;
  }

  private static void drop(CallbackQueue queue) {
    while (queue.poll() != null) {
      // undelivered callbacks for a process that is gone
    }
  }

  // ---------------------------------------------------------------------------------------
  // Recovery (owner side)
  // ---------------------------------------------------------------------------------------

  /**
   * Step 8 ({@code dlm_recover_waiters_pre}) for a resource whose master was removed: an
   * outstanding unlock completes with EUNLOCK and a cancel with ECANCEL (faked replies; the LVB
   * write-back of that unlock is lost, TV-59); a PR↔CW conversion is treated as queued with
   * granted mode IV; any other outstanding request or conversion is marked for resending.
   */
  public void masterLost(String resource) {
    for (OwnerLock lk : onResource(resource)) {
      switch (lk.state) {
        case UNLOCKING -> onCompletion(lk, fake(lk, CastStatus.EUNLOCK, null), new ArrayList<>());
        case CANCELLING -> onCompletion(lk, fake(lk, CastStatus.ECANCEL, lk.grmode), new ArrayList<>());
        case REQUESTING -> lk.resend = true;
        case CONVERTING -> {
          if (ModeTables.isMiddleConversion(lk.grmode, lk.rqmode)) {
            lk.moveTo(OwnerLockState.CONVERT_QUEUED);
            lk.grmode = null; // nobody knows whether the dead master granted it (recover_conversion)
          } else {
            lk.resend = true;
          }
        }
        default -> { }
      }
    }
  }

  private Effect.Completion fake(OwnerLock lk, CastStatus status, LockMode mode) {
    return new Effect.Completion(lk.id, status, mode, SbFlags.NONE, null, mode == null ? null : lk.token, lk.lvbSeq);
  }

  /**
   * Step 11: this node's locks on {@code resource} as the new master must rebuild them, grant
   * queue first, then convert, then wait. Locks with an outstanding new request are not sent
   * (step 17 resends them); a lock with an outstanding up-conversion is sent as granted.
   */
  public List<RecoveredLock> locksToResend(String resource) {
    ArrayList<RecoveredLock> granted = new ArrayList<>();
    ArrayList<RecoveredLock> converting = new ArrayList<>();
    ArrayList<RecoveredLock> waiting = new ArrayList<>();
    for (OwnerLock lk : onResource(resource)) {
      Set<LockFlag> flags = LockFlag.fromBits(lk.exflags);
      switch (lk.state) {
        case GRANTED, CONVERTING -> granted.add(new RecoveredLock(lk.id, ResourceState.Queue.GRANTED, lk.grmode, null,
            flags, lk.blockingCallback, lk.lvb, lk.lvbSeq, lk.token));
        case CONVERT_QUEUED -> converting.add(new RecoveredLock(lk.id, ResourceState.Queue.CONVERTING, lk.grmode,
            lk.rqmode, flags, lk.blockingCallback, lk.lvb, lk.lvbSeq, lk.token));
        case WAITING -> waiting.add(new RecoveredLock(lk.id, ResourceState.Queue.WAITING, null, lk.rqmode, flags,
            lk.blockingCallback, lk.lvb, lk.lvbSeq, null));
        default -> { }
      }
    }
    granted.addAll(converting);
    granted.addAll(waiting);
    return granted;
  }

  /**
   * Step 17 ({@code dlm_recover_waiters_post}): redo the requests and conversions marked for
   * resending, to the new master. If a cancel or force-unlock was asked meanwhile, that is done
   * instead: a request then completes with ECANCEL/EUNLOCK at once; a conversion is cancelled
   * (ECANCEL, old mode kept) or force-unlocked.
   */
  public List<MasterOp> resendAfterRecovery(String resource) {
    ArrayList<MasterOp> out = new ArrayList<>();
    for (OwnerLock lk : onResource(resource)) {
      if (!lk.resend) {
        continue;
      }
      lk.resend = false;
      boolean request = lk.state == OwnerLockState.REQUESTING;
      if (lk.overlapUnlock || lk.overlapCancel) {
        if (request) {
          lk.moveTo(OwnerLockState.UNLOCKING); // a request that never reached a master just ends
          onCompletion(lk, fake(lk, lk.overlapUnlock ? CastStatus.EUNLOCK : CastStatus.ECANCEL, null), out);
        } else if (lk.overlapCancel && !lk.overlapUnlock) {
          lk.overlapCancel = false;
          lk.moveTo(OwnerLockState.CANCELLING);
          onCompletion(lk, fake(lk, CastStatus.ECANCEL, lk.grmode), out);
        } else {
          lk.overlapUnlock = false;
          lk.overlapCancel = false;
          lk.moveTo(OwnerLockState.GRANTED); // the conversion is abandoned for the force-unlock
          lk.rqmode = null;
          out.add(sendUnlock(lk, lk.overlapUnlockFlags | LockFlag.FORCEUNLOCK.value()));
        }
        continue;
      }
      out.add(request
          ? requestOp(lk)
          : new MasterOp.Convert(lk.id, lk.resource, lk.rqmode, LockFlag.fromBits(lk.exflags), lk.lvb));
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------
  // Views and invariants
  // ---------------------------------------------------------------------------------------

  /** This node. */
  public NodeId node() {
    return node;
  }

  /** A snapshot of a lock this node still remembers. */
  public Optional<OwnerLockView> view(LockId id) {
    OwnerLock lk = locks.get(id);
    return lk == null ? Optional.empty() : Optional.of(lk.view());
  }

  /**
   * The status of {@code id} as this node sees it: {@link OwnerLockState#DESTROYED} also for ids
   * it issued and has since forgotten; empty for ids it never issued.
   */
  public Optional<OwnerLockState> state(LockId id) {
    OwnerLock lk = locks.get(id);
    if (lk != null) {
      return Optional.of(lk.state);
    }
    if (id.owner().equals(node) && id.local() < nextLocal) {
      return Optional.of(OwnerLockState.DESTROYED);
    }
    return Optional.empty();
  }

  /** Snapshots of every remembered lock, in creation order. */
  public List<OwnerLockView> views() {
    ArrayList<OwnerLockView> out = new ArrayList<>(locks.size());
    for (OwnerLock lk : locks.values()) {
      out.add(lk.view());
    }
    return out;
  }

  /** Number of locks that are not destroyed. */
  public int liveLockCount() {
    return liveLocks;
  }

  /**
   * Checks the owner-side invariants and throws {@link IllegalStateException} with every lock
   * printed on a violation: the status matches the modes (granted locks hold a mode and request
   * none; requests hold none; conversions request one), overlaps only exist while a reply is
   * outstanding, and the live-lock count is right.
   */
  public void checkInvariants() {
    int live = 0;
    for (OwnerLock lk : locks.values()) {
      String problem = null;
      switch (lk.state) {
        case GRANTED -> {
          if (lk.grmode == null || lk.rqmode != null) {
            problem = "granted without a mode or with a request";
          }
        }
        case REQUESTING, WAITING -> {
          if (lk.grmode != null || lk.rqmode == null) {
            problem = "a new request must request a mode and hold none";
          }
        }
        case CONVERTING, CONVERT_QUEUED -> {
          if (lk.rqmode == null || (lk.grmode == null && !ModeTables.isMiddleConversion(LockMode.PR, lk.rqmode)
              && !ModeTables.isMiddleConversion(LockMode.CW, lk.rqmode))) {
            problem = "a conversion must request a mode and hold one (IV only for PR<->CW in recovery)";
          }
        }
        case DESTROYED -> {
          if (lk.grmode != null || lk.token != null) {
            problem = "destroyed but still holds a mode or token";
          }
        }
        default -> { }
      }
      if (problem == null && (lk.overlapCancel || lk.overlapUnlock) && !lk.state.inFlight()) {
        problem = "an overlapping cancel/unlock is pending but no reply is outstanding";
      }
      if (problem == null && lk.grmode != null && lk.token == null) {
        problem = "holds " + lk.grmode + " without a fencing token";
      }
      if (problem != null) {
        throw new IllegalStateException("owner invariant violated for " + lk.id + ": " + problem + "\n" + dump());
      }
      if (lk.state != OwnerLockState.DESTROYED) {
        live++;
      }
    }
    if (live != liveLocks) {
      throw new IllegalStateException("owner invariant violated: " + live + " live locks but counted " + liveLocks
          + "\n" + dump());
    }
    for (OwnerLock lk : locks.values()) {
      if ((!lk.callbacks.isEmpty() || lk.state == OwnerLockState.DESTROYED) && !lk.ready) {
        throw new IllegalStateException("owner invariant violated: " + lk.id + " has callbacks to deliver or is"
            + " destroyed but the drain would not see it\n" + dump());
      }
    }
    int indexed = 0;
    for (Map.Entry<String, LinkedHashMap<LockId, OwnerLock>> e : byResource.entrySet()) {
      for (OwnerLock lk : e.getValue().values()) {
        if (!lk.resource.equals(e.getKey()) || locks.get(lk.id) != lk) {
          throw new IllegalStateException("owner invariant violated: " + lk.id + " indexed under " + e.getKey()
              + " but not remembered there\n" + dump());
        }
        indexed++;
      }
    }
    if (indexed != locks.size()) {
      throw new IllegalStateException("owner invariant violated: " + indexed + " locks indexed by resource, "
          + locks.size() + " remembered\n" + dump());
    }
  }

  /** Every remembered lock, one per line. */
  public String dump() {
    StringBuilder sb = new StringBuilder("owner ").append(node).append(" locks:\n");
    for (OwnerLock lk : locks.values()) {
      sb.append("  ").append(lk.id).append(' ').append(lk.resource).append(' ').append(lk.state)
          .append(" gr ").append(LockMode.nameOf(lk.grmode)).append(" rq ").append(LockMode.nameOf(lk.rqmode))
          .append(" flags ").append(LockFlag.fromBits(lk.exflags))
          .append(lk.overlapCancel ? " OVERLAP_CANCEL" : "").append(lk.overlapUnlock ? " OVERLAP_UNLOCK" : "")
          .append(lk.orphan ? " ORPHAN" : "").append(lk.resend ? " RESEND" : "")
          .append(" pid ").append(lk.process).append(" pending ").append(lk.callbacks.size()).append('\n');
    }
    return sb.toString();
  }

  private void forgetByResource(OwnerLock lk) {
    LinkedHashMap<LockId, OwnerLock> same = byResource.get(lk.resource);
    if (same != null) {
      same.remove(lk.id);
      if (same.isEmpty()) {
        byResource.remove(lk.resource);
      }
    }
  }

  /**
   * The remembered locks on {@code resource}, in creation order: a live view, like the walks of
   * {@link #locks} it replaces (states may change during the walk; locks are only forgotten by
   * {@link #drainCallbacks}).
   */
  private java.util.Collection<OwnerLock> onResource(String resource) {
    LinkedHashMap<LockId, OwnerLock> same = byResource.get(resource);
    return same == null ? List.of() : same.values();
  }

  private static OwnerResult.Rejected reject(SyncStatus status, String reason) {
    return new OwnerResult.Rejected(status, reason);
  }

  private OwnerLock live(LockId id) {
    OwnerLock lk = locks.get(id);
    return lk == null || lk.state == OwnerLockState.DESTROYED ? null : lk;
  }

  /** For tests and dumps: the locks map is insertion-ordered. */
  Map<LockId, OwnerLockState> states() {
    LinkedHashMap<LockId, OwnerLockState> out = new LinkedHashMap<>();
    locks.forEach((id, lk) -> out.put(id, lk.state));
    return out;
  }
}
