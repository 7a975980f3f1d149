package org.jdlm.dlm;

import org.jdlm.common.wire.WireMessage;
import org.jdlm.dlm.core.CastStatus;
import org.jdlm.dlm.core.FencingToken;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.core.SyncStatus;

/**
 * What a master tells a lock's owner node, in master order (semantics §3: one FIFO per lock). Built by
 * {@link LockResource} from the core's effects; carried in {@link Lockspace.Deliver} for remote
 * owners or handed straight to {@link LockspaceLocal} for local ones.
 */
public sealed interface LockEvent extends WireMessage {

  /** A completion callback (CAST): the {@code core.Effect.Completion} as data on the wire. */
  record Completed(CastStatus status, LockMode grantedMode, int sbflags, byte[] lvb, FencingToken token,
      long lvbSeq)
      implements LockEvent {}

  /** A blocking callback (BAST) with the blocked mode. */
  record Blocking(LockMode mode) implements LockEvent {}

  /**
   * The request or conversion was queued on the master (the kernel's -EINPROGRESS reply), with
   * the lock's granted mode and sbflags then (CONVDEADLK may have demoted it to NL first).
   */
  record Queued(boolean conversion, LockMode grantedMode, int sbflags) implements LockEvent {}

  /** A cancel found nothing to cancel: the operation is over and no callback follows (semantics §2.6). */
  record CancelIgnored() implements LockEvent {}

  /** The master refused the operation (stale or duplicate): ends the operation with this code. */
  record Rejected(SyncStatus status, String reason) implements LockEvent {}
}
