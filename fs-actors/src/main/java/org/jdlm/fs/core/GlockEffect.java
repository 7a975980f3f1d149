package org.jdlm.fs.core;

import java.util.Set;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockMode;

/**
 * What a {@link GlockCore} step asks its shell (the Glock actor, later) to carry out, in order.
 * The core never waits: a DLM request's answer comes back as {@link GlockCore#dlmReply}, a glops
 * run's end as {@link GlockCore#glopsDone}, a work timer as {@link GlockCore#runWork}.
 */
public sealed interface GlockEffect {

  /** Why a holder was not granted. Expected outcomes, so replies, not exceptions (style rule 7). */
  enum HolderError {
    /** A TRY/TRY_1CB request could not be granted without waiting ({@code GLR_TRYFAILED}). */
    TRYAGAIN,
    /** The holder was dequeued before it was granted. */
    CANCELED,
    /** The glock already has {@code jdlm.fs.glock.max-holders} holders. */
    TOO_MANY_HOLDERS
  }

  /** First DLM request for this glock ({@code dlm_lock} without CONVERT): no lock exists yet. */
  record RequestDlm(LockMode mode, Set<LockFlag> flags) implements GlockEffect {
    public RequestDlm {
      flags = Set.copyOf(flags);
    }
  }

  /** Convert the glock's existing DLM lock ({@code dlm_lock} with CONVERT). */
  record ConvertDlm(LockMode mode, Set<LockFlag> flags) implements GlockEffect {
    public ConvertDlm {
      flags = Set.copyOf(flags);
    }
  }

  /** The final put: release the DLM lock ({@code dlm_unlock}); EUNLOCK comes back as {@link DlmReply.UnlockDone}. */
  record UnlockDlm(Set<LockFlag> flags) implements GlockEffect {
    public UnlockDlm {
      flags = Set.copyOf(flags);
    }
  }

  /** Wake the holder: it now holds the glock in {@code state}; {@code instantiate} is what it must read first. */
  record GrantHolder(HolderId holder, GlockState state, Set<CacheWork> instantiate) implements GlockEffect {
    public GrantHolder {
      instantiate = Set.copyOf(instantiate);
    }
  }

  /** Wake the holder with an error; it is no longer queued. */
  record FailHolder(HolderId holder, HolderError error) implements GlockEffect {}

  /**
   * Run {@code go_sync} then {@code go_inval} for the move {@code from → target} (GLF_LOCK is
   * held; page locks may be taken), then call {@link GlockCore#glopsDone}.
   */
  record RunGlops(GlockState from, GlockState target, Set<CacheWork> sync, Set<CacheWork> invalidate)
      implements GlockEffect {
    public RunGlops {
      sync = Set.copyOf(sync);
      invalidate = Set.copyOf(invalidate);
    }
  }

  /**
   * (Re)arm the glock's single work timer on the glock workqueue to fire in {@code delayMillis},
   * then call {@link GlockCore#runWork}. Emitted only when no work is queued or this is earlier.
   */
  record QueueWork(long delayMillis) implements GlockEffect {}

  /** The glock became unused and cached: append it to the glock LRU. */
  record AddToLru(GlockName name) implements GlockEffect {}

  /** The glock is in use again (or being reclaimed or freed): take it off the LRU. */
  record RemoveFromLru(GlockName name) implements GlockEffect {}

  /** iopen: queue "try to evict" delete work for the inode (fs-cycles §2.2); then {@link GlockCore#deleteWorkDone}. */
  record QueueDeleteWork(GlockName name) implements GlockEffect {}

  /** The glock is gone (its DLM lock unlocked, or it never had one): drop it from the registry. */
  record Freed(GlockName name) implements GlockEffect {}
}
