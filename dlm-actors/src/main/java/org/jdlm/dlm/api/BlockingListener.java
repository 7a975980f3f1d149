package org.jdlm.dlm.api;

import org.jdlm.dlm.core.LockMode;

/**
 * A lock's blocking callback (BAST, semantics §3): another request for {@code mode} waits behind this
 * lock; release it or convert below {@code mode}.
 *
 * <p>Runs on the lockspace's callback thread, in per-lock order with the lock's completions. It
 * must not block waiting for another lock operation of the same lockspace to complete (that
 * completion runs on the same thread): issue the convert/unlock and return.
 */
@FunctionalInterface
public interface BlockingListener {

  /** Called once per delivered BAST (after the de-duplication of semantics §3). */
  void blocking(LockHandle lock, LockMode mode);
}
