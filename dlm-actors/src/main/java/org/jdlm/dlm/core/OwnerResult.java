package org.jdlm.dlm.core;

import java.util.List;

/** The synchronous answer of an {@link OwnerLocks} call (semantics §2.8). */
public sealed interface OwnerResult {

  /** The synchronous status: OK for {@link Accepted}, the error otherwise. */
  SyncStatus status();

  /**
   * The call returned 0. {@code send} lists the messages for the master, in order (empty when
   * the call was remembered as an overlap, found nothing to cancel, or adopted an orphan).
   */
  record Accepted(LockId lock, List<MasterOp> send) implements OwnerResult {
    public Accepted {
      send = List.copyOf(send);
    }

    @Override
    public SyncStatus status() {
      return SyncStatus.OK;
    }
  }

  /** The call failed synchronously; no callback will ever be delivered for it. */
  record Rejected(SyncStatus status, String reason) implements OwnerResult {
    public Rejected {
      if (status == SyncStatus.OK) {
        throw new IllegalArgumentException("a rejection needs an error status, got OK (" + reason + ")");
      }
    }
  }
}
