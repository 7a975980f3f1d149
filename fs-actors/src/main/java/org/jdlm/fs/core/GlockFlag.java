package org.jdlm.fs.core;

/**
 * The glock flags GFS2 prints in the {@code f:} field of a {@code G:} line ({@code gflags2str},
 * fs-cycles §1.4), in the order it prints them. Style §10: a flag that describes the core's state
 * is not stored as a bit; {@link GlockCore#flags()} derives it (for example {@code l} from the
 * in-flight phase, {@code q} from the holder queue). The letter table is tested cell by cell.
 */
public enum GlockFlag {
  /** {@code GLF_LOCK}: the state machine is running / talking to the DLM (single flight). */
  LOCK('l'),
  /** {@code GLF_DEMOTE}: a demote is due now. */
  DEMOTE('D'),
  /** {@code GLF_PENDING_DEMOTE}: a demote is requested but held back by the minimum hold time. */
  PENDING_DEMOTE('d'),
  /** {@code GLF_DEMOTE_IN_PROGRESS}: a demote is under way. */
  DEMOTE_IN_PROGRESS('p'),
  /** {@code GLF_DIRTY}: dirty data/metadata must be synced before the state is dropped. */
  DIRTY('y'),
  /** {@code GLF_LFLUSH}: a log flush is needed before release. */
  LFLUSH('f'),
  /** {@code GLF_INVALIDATE_IN_PROGRESS}: {@code go_inval} running; try-locks fail meanwhile. */
  INVALIDATE_IN_PROGRESS('i'),
  /** {@code GLF_HAVE_REPLY}: a DLM reply waits for the work function. */
  HAVE_REPLY('r'),
  /** {@code GLF_INITIAL}: a DLM lock exists for this glock. */
  INITIAL('a'),
  /** {@code GLF_HAVE_FROZEN_REPLY}: a reply held back during recovery (not modelled yet). */
  HAVE_FROZEN_REPLY('F'),
  /** Holder queue non-empty. */
  QUEUED('q'),
  /** {@code GLF_LRU}: on the glock LRU. */
  LRU('L'),
  /** An object (the inode, the rgrp) is attached. */
  OBJECT('o'),
  /** {@code GLF_BLOCKING}: the DLM request in flight may queue behind other nodes. */
  BLOCKING('b'),
  /** {@code GLF_UNLOCKED}: a dequeue-and-wait unlock finished (not modelled yet). */
  UNLOCKED('x'),
  /** {@code GLF_INSTANTIATE_NEEDED}: the object must be read again on the next grant. */
  INSTANTIATE_NEEDED('n'),
  /** {@code GLF_INSTANTIATE_IN_PROG} (not modelled: instantiation is the grantee's job). */
  INSTANTIATE_IN_PROG('N'),
  /** {@code GLF_TRY_TO_EVICT} (iopen): delete work is trying to drop our cached inode. */
  TRY_TO_EVICT('e'),
  /** {@code GLF_VERIFY_DELETE} (iopen): delete work will verify the remote delete happened. */
  VERIFY_DELETE('E'),
  /** {@code GLF_DEFER_DELETE} (iopen): eviction must not delete now. */
  DEFER_DELETE('s');

  private final char letter;

  GlockFlag(char letter) {
    this.letter = letter;
  }

  public char letter() {
    return letter;
  }
}
