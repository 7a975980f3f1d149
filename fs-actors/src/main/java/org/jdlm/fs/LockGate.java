package org.jdlm.fs;

import org.jdlm.fs.core.GlockName;

/**
 * GFS2's {@code DFL_BLOCK_LOCKS} as the glock layer sees it: while a journal of this filesystem is
 * being recovered (or the lockspace is recovering and journal recovery has not yet looked), no
 * holder gets a glock it could use to read metadata the dead member's journal may still change.
 * {@link Glocks#nq} consults the gate twice for every holder without
 * {@link org.jdlm.fs.core.HolderFlag#NOEXP}: before it queues the holder (a new request waits) and
 * after the grant (a DLM reply that arrives during recovery is held back, GFS2's frozen reply,
 * {@code GLF_FROZEN}). NOEXP holders — the journal glocks recovery takes — pass at once.
 *
 * <p>{@link #await} runs in the calling kernel task and waits there with a typed edge
 * ({@code waits-reply(journal recovery)} on {@code journal:<fs>/<jid>}); it must return at once
 * when nothing is blocked (the hot path of every {@code nq}).
 */
public interface LockGate {

  /** Waits while locks on this filesystem are blocked for journal recovery; {@code caller} is for logs. */
  void await(GlockName name, String caller);

  /** No journal recovery: nothing is ever blocked (single-member and lock-only mounts). */
  LockGate OPEN = (name, caller) -> { };
}
