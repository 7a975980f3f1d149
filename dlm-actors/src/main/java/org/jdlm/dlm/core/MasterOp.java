package org.jdlm.dlm.core;

import java.util.List;
import java.util.Set;

/**
 * An operation the owner sends to the master of the lock's resource (REQUEST, CONVERT, UNLOCK,
 * CANCEL). Produced by {@link OwnerLocks} after synchronous validation; for a locally mastered
 * resource the actor may apply it directly with {@link #applyTo(ResourceState)}.
 */
public sealed interface MasterOp {

  /** The lock concerned. */
  LockId lock();

  /** The resource the lock is on (selects the master). */
  String resource();

  /** Runs the operation on the master's state and returns its effects. */
  List<Effect> applyTo(ResourceState master);

  /** A new lock. */
  record Request(LockId lock, String resource, LockMode mode, Set<LockFlag> flags, ValueBlock lvb,
                 boolean blockingCallback) implements MasterOp {
    public Request {
      flags = Set.copyOf(flags);
    }

    @Override
    public List<Effect> applyTo(ResourceState master) {
      return master.request(lock, mode, flags, lvb, blockingCallback);
    }
  }

  /** A conversion; {@code lvb} is the caller's buffer for this call, or null. */
  record Convert(LockId lock, String resource, LockMode mode, Set<LockFlag> flags, ValueBlock lvb)
      implements MasterOp {
    public Convert {
      flags = Set.copyOf(flags);
    }

    @Override
    public List<Effect> applyTo(ResourceState master) {
      return master.convert(lock, mode, flags, lvb);
    }
  }

  /** An unlock; {@code lvb} is the lock's buffer (from its last lock call) at unlock time. */
  record Unlock(LockId lock, String resource, Set<LockFlag> flags, ValueBlock lvb) implements MasterOp {
    public Unlock {
      flags = Set.copyOf(flags);
    }

    @Override
    public List<Effect> applyTo(ResourceState master) {
      return master.unlock(lock, flags, lvb);
    }
  }

  /** A cancel of a queued request or conversion. */
  record Cancel(LockId lock, String resource, Set<LockFlag> flags) implements MasterOp {
    public Cancel {
      flags = Set.copyOf(flags);
    }

    @Override
    public List<Effect> applyTo(ResourceState master) {
      return master.cancel(lock, flags);
    }
  }

  /**
   * An ORPHAN request the owner could not answer from its own orphans: adopt an orphan of a dead
   * node on the master (docs/recovery.md "Orphans"). {@code lock} is the adopter's new lock id.
   */
  record Adopt(LockId lock, String resource, LockMode mode, Set<LockFlag> flags, boolean blockingCallback)
      implements MasterOp {
    public Adopt {
      flags = Set.copyOf(flags);
    }

    @Override
    public List<Effect> applyTo(ResourceState master) {
      return master.adoptOrphan(lock, mode, flags, blockingCallback);
    }
  }
}
