package org.jdlm.dlm;

import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jdlm.dlm.api.BlockingListener;
import org.jdlm.dlm.api.CompletionListener;
import org.jdlm.dlm.api.LockHandle;
import org.jdlm.dlm.api.LockResult;
import org.jdlm.dlm.core.Callback;
import org.jdlm.dlm.core.CastStatus;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockId;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.core.OwnerLockState;
import org.jdlm.dlm.core.OwnerLockView;
import org.jdlm.dlm.core.SbFlags;
import org.jdlm.dlm.directory.ResourceName;

/**
 * The user's handle on one lock. The lock's state (the process copy, validation, the callback
 * de-dup queue) lives in the core's {@code OwnerLocks}, owned by {@link LockspaceLocal}; this
 * object only keeps the futures of the operations the user started and the blocking listener.
 *
 * <p>Futures complete on the lockspace's callback thread when the lock's completion callbacks are
 * delivered: a request or conversion at its CAST (OK, EAGAIN, EDEADLK), every pending operation
 * at an ECANCEL or EUNLOCK (they end the request, conversion or lock), and a cancel that turned
 * out to be moot (the grant won, semantics §2.6) once the lock is settled without it.
 */
final class LockHandleImpl implements LockHandle {

  private enum Kind { REQUEST, CONVERT, UNLOCK, CANCEL }

  private record Pending(Kind kind, CompletableFuture<LockResult> future) {}

  private final LockId id;
  private final ResourceName name;
  private final LockspaceLocal lockspace;
  private final BlockingListener listener;
  private final CompletionListener completionListener;
  private final CompletableFuture<LockResult> requestFuture = new CompletableFuture<>();
  // Touched under the lockspace monitor (when an operation is accepted) and on the callback thread.
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();

  /** Who made the last lock or convert call, and when (System.nanoTime): the detector's task and wait start. */
  private volatile org.jdlm.dlm.api.LockRequester.Identity requester;
  private volatile long requestedAtNanos;

  void requestedBy(org.jdlm.dlm.api.LockRequester.Identity who, long atNanos) {
    this.requestedAtNanos = atNanos;
    this.requester = who;
  }

  org.jdlm.dlm.api.LockRequester.Identity requester() {
    return requester;
  }

  long requestedAtNanos() {
    return requestedAtNanos;
  }

  LockHandleImpl(LockId id, ResourceName name, LockspaceLocal lockspace, BlockingListener listener,
      CompletionListener completionListener) {
    this.id = id;
    this.name = name;
    this.lockspace = lockspace;
    this.listener = listener;
    this.completionListener = completionListener;
    pending.add(new Pending(Kind.REQUEST, requestFuture));
  }

  @Override
  public long id() {
    return id.local();
  }

  LockId lockId() {
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
  public LockMode grantedMode() {
    return lockspace.view(id).map(OwnerLockView::granted).orElse(null);
  }

  @Override
  public LockMode requestedMode() {
    return lockspace.view(id).map(OwnerLockView::requested).orElse(null);
  }

  @Override
  public OwnerLockState state() {
    return lockspace.view(id).map(OwnerLockView::state).orElse(OwnerLockState.DESTROYED);
  }

  @Override
  public CompletionStage<LockResult> convert(LockMode mode, Set<LockFlag> flags, byte[] lvb) {
    return lockspace.convert(this, mode, flags, lvb);
  }

  @Override
  public CompletionStage<LockResult> unlock(Set<LockFlag> flags, byte[] lvb) {
    return lockspace.unlock(this, flags, lvb);
  }

  @Override
  public CompletionStage<LockResult> cancel() {
    return lockspace.cancel(this);
  }

  // ---- called by LockspaceLocal --------------------------------------------------------------

  CompletableFuture<LockResult> started(String kind) {
    CompletableFuture<LockResult> f = new CompletableFuture<>();
    synchronized (pending) {
      pending.add(new Pending(Kind.valueOf(kind), f));
    }
    return f;
  }

  /** Whether a cancel is waiting for its outcome (then {@link #settle} may end it). */
  boolean hasPendingCancel() {
    synchronized (pending) {
      for (Pending p : pending) {
        if (p.kind() == Kind.CANCEL) {
          return true;
        }
      }
      return false;
    }
  }

  /** Delivers one callback of this lock (callback thread, in the core's queue order). */
  void deliver(Callback callback) {
    if (callback instanceof Callback.Completion c) {
      LockResult result = new LockResult(c.status(), c.grantedMode(), c.lvb() == null ? null : c.lvb().toByteArray(),
          c.sbflags(), c.token());
      if (completionListener != null) {
        try {
          completionListener.completed(this, result);
        } catch (RuntimeException e) {
          lockspace.reportListenerFailure(this, e);
        }
      }
      for (CompletableFuture<LockResult> f : answered(c.status())) {
        f.complete(result);
      }
    } else if (callback instanceof Callback.Blocking b && listener != null) {
      try {
        listener.blocking(this, b.mode());
      } catch (RuntimeException e) {
        lockspace.reportListenerFailure(this, e);
      }
    }
  }

  private java.util.List<CompletableFuture<LockResult>> answered(CastStatus status) {
    java.util.List<CompletableFuture<LockResult>> out = new java.util.ArrayList<>();
    synchronized (pending) {
      if (status == CastStatus.EUNLOCK || status == CastStatus.ECANCEL) {
        // An unlock or cancel ends everything started before it (a waiting request, a queued
        // conversion) with the same status, as the kernel's single CAST does.
        pending.forEach(p -> out.add(p.future()));
        pending.clear();
        return out;
      }
      for (var it = pending.iterator(); it.hasNext(); ) {
        Pending p = it.next();
        if (p.kind() == Kind.REQUEST || p.kind() == Kind.CONVERT) {
          it.remove();
          out.add(p.future());
          break;
        }
      }
    }
    return out;
  }

  /** The master refused the latest operation (stale or duplicate): it ends with that error. */
  void failLatest(RuntimeException error) {
    Pending latest;
    synchronized (pending) {
      latest = pending.pollLast();
    }
    if (latest != null) {
      latest.future().completeExceptionally(error);
    }
  }

  /**
   * After the core applied an event: a cancel still pending while the lock is granted (or gone)
   * with nothing queued was moot; it ends with the lock's current state and status OK.
   */
  void settle(OwnerLockState state, LockMode granted, Object token) {
    if (state != OwnerLockState.GRANTED && state != OwnerLockState.DESTROYED) {
      return;
    }
    java.util.List<CompletableFuture<LockResult>> moot = new java.util.ArrayList<>();
    synchronized (pending) {
      for (var it = pending.iterator(); it.hasNext(); ) {
        Pending p = it.next();
        if (p.kind() == Kind.CANCEL) {
          it.remove();
          moot.add(p.future());
        }
      }
    }
    LockResult current = new LockResult(CastStatus.OK, granted, null, SbFlags.NONE,
        token instanceof org.jdlm.dlm.core.FencingToken t ? t : null);
    moot.forEach(f -> f.complete(current));
  }

  @Override
  public String toString() {
    return "LockHandle[" + id + " " + name + " " + state() + "]";
  }
}
