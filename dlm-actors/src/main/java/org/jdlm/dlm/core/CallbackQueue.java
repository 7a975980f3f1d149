package org.jdlm.dlm.core;

import java.util.ArrayDeque;

/**
 * The per-lock FIFO of callbacks waiting for delivery, with the delivery-layer BAST suppression
 * of {@code fs/dlm/ast.c: dlm_enqueue_lkb_callback} (semantics §3 "Dedup and reset rules"). CASTs and
 * BASTs of one lock are delivered in the order they were queued; a lock without a BAST callback
 * never queues a BAST.
 *
 * <p>The "most recent" callbacks are the most recently <em>queued</em> ones, whether or not they
 * have been delivered since: the kernel keeps them in the lkb, not in the list.
 */
public final class CallbackQueue {

  private final boolean blockingCallback;
  private final int capacity;
  private final ArrayDeque<Callback> pending = new ArrayDeque<>();

  /** Mode of the most recent CAST, {@code null} = none yet or IV (no suppression by it). */
  private LockMode lastCastMode;
  /** Mode of the most recent callback if it was a BAST, else {@code null}. */
  private LockMode lastBastModeIfLast;

  /**
   * @param blockingCallback whether the lock's owner registered a BAST callback
   * @param capacity         bound on undelivered callbacks ({@code jdlm.dlm-actors.callback-queue-capacity})
   */
  public CallbackQueue(boolean blockingCallback, int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("callback queue capacity " + capacity + " must be positive");
    }
    this.blockingCallback = blockingCallback;
    this.capacity = capacity;
  }

  /** Queues a CAST; it is never suppressed. */
  public void offerCompletion(Callback.Completion cast) {
    push(cast);
    lastCastMode = cast.grantedMode();
    lastBastModeIfLast = null;
  }

  /**
   * Queues a BAST unless the delivery layer suppresses it.
   *
   * @return true if queued, false if dropped
   */
  public boolean offerBlocking(LockMode mode) {
    if (!blockingCallback) {
      return false; // semantics §3: skip locks without a BAST callback
    }
    if (lastCastMode != null && ModeTables.compatible(mode, lastCastMode)) {
      return false; // the holder's latest granted mode does not block this request
    }
    LockMode prev = lastBastModeIfLast;
    if (prev != null && (prev == mode || (prev.ordinal() > mode.ordinal() && prev.ordinal() > LockMode.PR.ordinal()))) {
      // The previous callback already asked for at least this much (the > PR test keeps the
      // PR/CW inversion: a BAST(CW) after BAST(PR) is still news).
      return false;
    }
    push(new Callback.Blocking(mode));
    lastBastModeIfLast = mode;
    return true;
  }

  private void push(Callback cb) {
    if (pending.size() >= capacity) {
      throw new IllegalStateException("callback queue over its capacity " + capacity
          + ": the owner stopped delivering callbacks (pending: " + pending + ")");
    }
    pending.add(cb);
  }

  /** The next callback to deliver, or {@code null}. */
  public Callback poll() {
    return pending.poll();
  }

  public boolean isEmpty() {
    return pending.isEmpty();
  }

  public int size() {
    return pending.size();
  }
}
