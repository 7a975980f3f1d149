package org.jdlm.dlm.api;

/**
 * A lock's completion callback (the libdlm {@code astfn}, semantics §3 and §10): called once for every
 * completion callback the DLM delivers for the lock — a grant, EAGAIN, EDEADLK, ECANCEL or EUNLOCK —
 * in per-lock order with its blocking callbacks, on the lockspace's callback thread, before the
 * {@link java.util.concurrent.CompletionStage}s that the result ends are completed.
 *
 * <p>Why a listener as well as the stages: stages answer calls, callbacks report DLM events, and the
 * two are not one-to-one. An unlock or cancel that ends a queued request completes both calls'
 * stages with the one ECANCEL/EUNLOCK callback, and a cancel with nothing to cancel completes its
 * stage with no callback at all (semantics §2.6). Code that must see exactly the DLM's callbacks (the
 * scenario runner, tracing) listens here.
 */
@FunctionalInterface
public interface CompletionListener {

  /** Called once per delivered completion callback. Must not block on this lockspace's operations. */
  void completed(LockHandle lock, LockResult result);
}
