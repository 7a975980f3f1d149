package org.jdlm.dlm;

import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jdlm.dlm.api.BlockingListener;
import org.jdlm.dlm.api.DlmException;
import org.jdlm.dlm.api.LockHandle;
import org.jdlm.dlm.api.LockResult;
import org.jdlm.dlm.core.CastStatus;
import org.jdlm.dlm.core.FencingToken;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.core.ModeTables;
import org.jdlm.dlm.core.NodeId;
import org.jdlm.dlm.core.SbFlags;
import org.jdlm.dlm.core.SyncStatus;
import org.jdlm.dlm.directory.ResourceName;
import org.jdlm.dlm.dump.LockspaceDump;

/**
 * The owner node's process copy of one lock (spec §5) and its synchronous validation (spec §2.8).
 *
 * <p>Threads: API calls run on the caller's thread; events run on the lockspace's callback thread
 * ({@link LockspaceLocal}). Both go through this object's monitor, which is the owner's
 * equivalent of the kernel's per-lock mutex. It is not actor state: the actors never touch it
 * except through {@link LockspaceLocal#deliver}.
 *
 * <h2>Owner-side status</h2>
 * <pre>
 *   REQUESTING --Queued--> WAITING --Completed(OK)--> GRANTED --convert--> CONVERTING --Queued--> CONVERT_QUEUED
 *       |                     |                          ^  |                  |                        |
 *       +--Completed(OK)------+--------------------------+  +<--Completed(OK/EAGAIN/EDEADLK/ECANCEL)----+
 *   any --Completed with no granted mode (EAGAIN/ECANCEL of a request, EUNLOCK)--> DESTROYED
 * </pre>
 * "In flight" (spec §2.8 EBUSY) means REQUESTING or CONVERTING: the master has not answered yet.
 */
final class LockHandleImpl implements LockHandle {

  /** Owner-side status of the lock; see the class diagram. */
  enum Status {
    REQUESTING, WAITING, GRANTED, CONVERTING, CONVERT_QUEUED, DESTROYED;

    boolean inFlight() {
      return this == REQUESTING || this == CONVERTING;
    }
  }

  private static final Set<LockFlag> UNLOCK_FLAGS =
      EnumSet.of(LockFlag.CANCEL, LockFlag.VALBLK, LockFlag.IVVALBLK, LockFlag.FORCEUNLOCK);

  private final long id;
  private final ResourceName name;
  private final LockspaceLocal lockspace;
  private final BlockingListener listener;
  private final CompletableFuture<LockResult> requestFuture = new CompletableFuture<>();

  // Guarded by this.
  private Status status = Status.REQUESTING;
  private LockMode granted;
  private LockMode requested;
  private EnumSet<LockFlag> exflags;
  private byte[] lvb;
  private FencingToken token;
  private SbFlags lastSbflags = SbFlags.NONE;
  private boolean unlockPending;
  private boolean cancelPending;
  private final ArrayDeque<CompletableFuture<LockResult>> pending = new ArrayDeque<>();
  private volatile NodeId master;

  // Callback-thread only: the delivery-layer BAST suppression of spec §3 (ast.c).
  private LockMode lastCastMode;
  private LockMode lastQueuedBast;

  private LockHandleImpl(long id, ResourceName name, LockspaceLocal lockspace, LockMode mode,
      EnumSet<LockFlag> flags, byte[] lvb, BlockingListener listener) {
    this.id = id;
    this.name = name;
    this.lockspace = lockspace;
    this.listener = listener;
    this.requested = mode;
    this.exflags = flags;
    this.lvb = lvb;
    pending.add(requestFuture);
  }

  /**
   * Validates a new request (spec §2.8) and creates its process copy; the caller sends it.
   *
   * @throws DlmException EINVAL with the offending value and the reason
   */
  static LockHandleImpl validateNew(long id, byte[] name, LockMode mode, Set<LockFlag> flags, byte[] lvb,
      BlockingListener listener, LockspaceLocal lockspace) {
    if (name == null || name.length == 0 || name.length > 64) {
      throw new DlmException(SyncStatus.EINVAL, name == null ? null : name.length + " bytes",
          "a resource name is 1 to 64 bytes (spec §2.8)");
    }
    if (mode == null) {
      throw new DlmException(SyncStatus.EINVAL, null, "a lock request needs a mode (NL CR CW PR PW EX)");
    }
    EnumSet<LockFlag> f = copy(flags);
    if (f.contains(LockFlag.CANCEL)) {
      throw new DlmException(SyncStatus.EINVAL, f, "CANCEL is only valid for unlock (spec §2.7)");
    }
    if (f.contains(LockFlag.CONVERT)) {
      throw new DlmException(SyncStatus.EINVAL, f, "CONVERT is expressed by LockHandle.convert, not by a new lock");
    }
    if (f.contains(LockFlag.FORCEUNLOCK)) {
      throw new DlmException(SyncStatus.EINVAL, f, "FORCEUNLOCK is only valid for unlock (spec §2.7)");
    }
    if (f.contains(LockFlag.QUECVT) || f.contains(LockFlag.CONVDEADLK)) {
      throw new DlmException(SyncStatus.EINVAL, f, "QUECVT and CONVDEADLK need CONVERT (spec §2.8)");
    }
    if (f.contains(LockFlag.EXPEDITE) && (f.contains(LockFlag.NOQUEUE) || mode != LockMode.NL)) {
      throw new DlmException(SyncStatus.EINVAL, f + " " + mode,
          "EXPEDITE is only for new NL requests without NOQUEUE (spec §2.8)");
    }
    byte[] buffer = buffer(lvb, lockspace.lvbLength());
    if (f.contains(LockFlag.VALBLK) && buffer == null) {
      throw new DlmException(SyncStatus.EINVAL, f, "VALBLK needs a value block buffer (spec §2.8)");
    }
    return new LockHandleImpl(id, ResourceName.of(name), lockspace, mode, f, buffer, listener);
  }

  // ============================================================================ API

  @Override
  public long id() {
    return id;
  }

  @Override
  public byte[] name() {
    return name.bytes();
  }

  @Override
  public String displayName() {
    return name.display();
  }

  ResourceName resourceName() {
    return name;
  }

  @Override
  public CompletionStage<LockResult> completion() {
    return requestFuture;
  }

  @Override
  public synchronized LockMode grantedMode() {
    return granted;
  }

  /** The owner-side status (for scenario expectations and dumps). */
  synchronized Status status() {
    return status;
  }

  /** The request message for this new lock. */
  synchronized LockResource.Request requestMessage() {
    return new LockResource.Request(lockspace.self(), id, requested, copy(exflags), wireLvb(), listener != null);
  }

  @Override
  public CompletionStage<LockResult> convert(LockMode mode, Set<LockFlag> flags, byte[] newLvb) {
    LockResource.Convert message;
    CompletableFuture<LockResult> future = new CompletableFuture<>();
    lockspace.checkOpen();
    synchronized (this) {
      if (status == Status.DESTROYED) {
        throw new DlmException(SyncStatus.ENOENT, id, "lock " + Long.toHexString(id) + " no longer exists");
      }
      if (mode == null) {
        throw new DlmException(SyncStatus.EINVAL, null, "a conversion needs a mode (NL CR CW PR PW EX)");
      }
      EnumSet<LockFlag> f = copy(flags);
      f.remove(LockFlag.CONVERT); // implied by the call
      // spec §2.8: EBUSY is checked before the QUECVT matrix.
      if (status != Status.GRANTED || unlockPending || cancelPending) {
        throw new DlmException(SyncStatus.EBUSY, status,
            "lock " + Long.toHexString(id) + " is " + status.name().toLowerCase()
                + (unlockPending ? " with an unlock pending" : cancelPending ? " with a cancel pending" : "")
                + "; convert needs a granted lock with no operation in flight");
      }
      if (f.contains(LockFlag.CANCEL) || f.contains(LockFlag.FORCEUNLOCK)) {
        throw new DlmException(SyncStatus.EINVAL, f, "CANCEL and FORCEUNLOCK are only valid for unlock");
      }
      if (f.contains(LockFlag.EXPEDITE)) {
        throw new DlmException(SyncStatus.EINVAL, f, "EXPEDITE is not valid with a conversion (spec §2.8)");
      }
      if (f.contains(LockFlag.CONVDEADLK) && f.contains(LockFlag.NOQUEUE)) {
        throw new DlmException(SyncStatus.EINVAL, f, "CONVDEADLK cannot be combined with NOQUEUE (spec §2.8)");
      }
      if (f.contains(LockFlag.QUECVT) && !ModeTables.quecvtAllowed(granted, mode)) {
        throw new DlmException(SyncStatus.EINVAL, granted + "->" + mode,
            "QUECVT is not allowed for this conversion (spec §1.2)");
      }
      byte[] buffer = newLvb == null ? lvb : buffer(newLvb, lockspace.lvbLength());
      if (f.contains(LockFlag.VALBLK) && buffer == null) {
        throw new DlmException(SyncStatus.EINVAL, f, "VALBLK needs a value block buffer (spec §2.8)");
      }
      lvb = buffer;
      exflags = f;
      requested = mode;
      status = Status.CONVERTING;
      pending.add(future);
      message = new LockResource.Convert(lockspace.self(), id, mode, copy(f), wireLvb());
    }
    lockspace.send(name, message, this);
    return future;
  }

  @Override
  public CompletionStage<LockResult> unlock(Set<LockFlag> flags, byte[] newLvb) {
    EnumSet<LockFlag> f = copy(flags);
    if (f.contains(LockFlag.CANCEL)) {
      if (f.contains(LockFlag.FORCEUNLOCK)) {
        throw new DlmException(SyncStatus.EINVAL, f, "CANCEL cannot be combined with FORCEUNLOCK (spec §2.8)");
      }
      return cancel(f);
    }
    if (!UNLOCK_FLAGS.containsAll(f)) {
      EnumSet<LockFlag> bad = copy(f);
      bad.removeAll(UNLOCK_FLAGS);
      throw new DlmException(SyncStatus.EINVAL, bad, "unlock accepts only CANCEL, VALBLK, IVVALBLK, FORCEUNLOCK");
    }
    lockspace.checkOpen();
    LockResource.Unlock message;
    CompletableFuture<LockResult> future = new CompletableFuture<>();
    synchronized (this) {
      if (status == Status.DESTROYED) {
        throw new DlmException(SyncStatus.ENOENT, id, "lock " + Long.toHexString(id) + " no longer exists");
      }
      boolean force = f.contains(LockFlag.FORCEUNLOCK);
      if (unlockPending) {
        throw new DlmException(SyncStatus.EBUSY, id, "an unlock of this lock is already in progress");
      }
      if (!force && (status.inFlight() || cancelPending)) {
        // spec §2.8: a normal unlock while a remote operation is in flight; FORCEUNLOCK overlaps.
        throw new DlmException(SyncStatus.EBUSY, status,
            "an operation on this lock is in flight; wait for it or use FORCEUNLOCK");
      }
      if (newLvb != null) {
        lvb = buffer(newLvb, lockspace.lvbLength());
      }
      unlockPending = true;
      pending.add(future);
      message = new LockResource.Unlock(lockspace.self(), id, f, wireLvb());
    }
    lockspace.send(name, message, this);
    return future;
  }

  @Override
  public CompletionStage<LockResult> cancel() {
    return cancel(EnumSet.of(LockFlag.CANCEL));
  }

  private CompletionStage<LockResult> cancel(EnumSet<LockFlag> flags) {
    lockspace.checkOpen();
    LockResource.Cancel message;
    CompletableFuture<LockResult> future = new CompletableFuture<>();
    synchronized (this) {
      if (status == Status.DESTROYED) {
        throw new DlmException(SyncStatus.ENOENT, id, "lock " + Long.toHexString(id) + " no longer exists");
      }
      if (cancelPending || unlockPending) {
        throw new DlmException(SyncStatus.EINVAL, id, "a cancel or unlock of this lock is already in progress (spec §2.8)");
      }
      if (status == Status.GRANTED) {
        // spec §2.6: nothing to cancel -> returns 0 and no callback is ever delivered.
        return CompletableFuture.completedFuture(currentResult(CastStatus.OK));
      }
      cancelPending = true;
      pending.add(future);
      message = new LockResource.Cancel(lockspace.self(), id, flags);
    }
    lockspace.send(name, message, this);
    return future;
  }

  // ============================================================================ events (callback thread)

  /** Applies one master event; runs on the lockspace's callback thread, in master order. */
  void onEvent(LockEvent event) {
    if (event instanceof LockEvent.Completed c) {
      onCompleted(c);
    } else if (event instanceof LockEvent.Blocking b) {
      onBlocking(b.mode());
    } else if (event instanceof LockEvent.Queued q) {
      synchronized (this) {
        if (status == Status.REQUESTING) {
          status = Status.WAITING;
        } else if (status == Status.CONVERTING) {
          status = Status.CONVERT_QUEUED;
        }
      }
    } else if (event instanceof LockEvent.CancelIgnored) {
      CompletableFuture<LockResult> f;
      LockResult result;
      synchronized (this) {
        cancelPending = false;
        f = pending.pollFirst();
        result = currentResult(CastStatus.OK);
      }
      if (f != null) {
        f.complete(result);
      }
    } else if (event instanceof LockEvent.Rejected r) {
      CompletableFuture<LockResult> f;
      synchronized (this) {
        f = pending.pollFirst();
      }
      if (f != null) {
        f.completeExceptionally(new DlmException(r.status(), Long.toHexString(id), r.reason()));
      }
    }
  }

  private void onCompleted(LockEvent.Completed c) {
    LockResult result = new LockResult(c.status(), c.grantedMode(), c.lvb(), SbFlags.of(c.sbflags()), c.token());
    CompletableFuture<?>[] done;
    synchronized (this) {
      granted = c.grantedMode();
      token = c.grantedMode() == null ? null : c.token();
      lastSbflags = SbFlags.of(c.sbflags());
      if (c.lvb() != null) {
        lvb = c.lvb().clone();
      }
      requested = null;
      status = granted == null ? Status.DESTROYED : Status.GRANTED;
      boolean ends = c.status() == CastStatus.EUNLOCK || c.status() == CastStatus.ECANCEL;
      if (c.status() == CastStatus.EUNLOCK) {
        unlockPending = false;
      }
      if (c.status() == CastStatus.ECANCEL) {
        cancelPending = false;
      }
      // An unlock or cancel answers every operation queued before it (e.g. a waiting request's
      // future completes with ECANCEL/EUNLOCK); any other CAST answers the oldest operation.
      done = ends || status == Status.DESTROYED ? pending.toArray(new CompletableFuture<?>[0])
          : new CompletableFuture<?>[] {pending.peekFirst()};
      if (ends || status == Status.DESTROYED) {
        pending.clear();
      } else {
        pending.pollFirst();
      }
    }
    lastCastMode = c.grantedMode();
    lastQueuedBast = null;
    if (status() == Status.DESTROYED) {
      lockspace.forget(id);
    }
    for (CompletableFuture<?> f : done) {
      if (f != null) {
        @SuppressWarnings("unchecked")
        CompletableFuture<LockResult> r = (CompletableFuture<LockResult>) f;
        r.complete(result);
      }
    }
  }

  private void onBlocking(LockMode mode) {
    // spec §3, delivery layer (ast.c dlm_may_skip_callback): drop a BAST compatible with the mode
    // of the last CAST, or repeating the last queued BAST (same mode, or a higher one above PR).
    if (lastCastMode != null && ModeTables.compatible(lastCastMode, mode)) {
      return;
    }
    if (lastQueuedBast != null && (lastQueuedBast == mode
        || (lastQueuedBast.compareTo(mode) > 0 && lastQueuedBast.compareTo(LockMode.PR) > 0))) {
      return;
    }
    lastQueuedBast = mode;
    if (listener == null) {
      return; // spec §3: no BAST to a lock without a callback
    }
    try {
      listener.blocking(this, mode);
    } catch (RuntimeException e) {
      lockspace.reportListenerFailure(this, e);
    }
  }

  // ============================================================================ helpers

  void masterIs(NodeId node) {
    master = node;
  }

  private LockResult currentResult(CastStatus s) {
    return new LockResult(s, granted, null, SbFlags.NONE, token);
  }

  private byte[] wireLvb() {
    return lvb == null ? null : lvb.clone();
  }

  /** The process copy as a dump line (recovery will resend the same fields). */
  synchronized LockspaceDump.OwnedLock snapshot() {
    NodeId m = master;
    return new LockspaceDump.OwnedLock(id, name.display(), m == null ? "?" : m.name(), status.name(),
        granted == null ? "IV" : granted.name(), requested == null ? "IV" : requested.name(),
        exflags.stream().map(Enum::name).sorted().toList(),
        lvb == null ? "" : HexFormat.of().formatHex(lvb), token == null ? "-" : token.toString());
  }

  private static EnumSet<LockFlag> copy(Set<LockFlag> flags) {
    EnumSet<LockFlag> copy = EnumSet.noneOf(LockFlag.class);
    if (flags != null) {
      copy.addAll(flags);
    }
    return copy;
  }

  /** The caller's value block padded to lvblen (spec §4: a never-written block reads as zeros). */
  private static byte[] buffer(byte[] lvb, int lvbLength) {
    if (lvb == null) {
      return null;
    }
    if (lvb.length > lvbLength) {
      throw new DlmException(SyncStatus.EINVAL, lvb.length + " bytes",
          "the value block is longer than the lockspace's lvblen " + lvbLength);
    }
    return java.util.Arrays.copyOf(lvb, lvbLength);
  }

  @Override
  public String toString() {
    return "LockHandle[" + Long.toHexString(id) + " " + name + " " + status() + "]";
  }
}
