package org.jdlm.fs.core;

import java.util.List;

/** What an {@link InodeCore} step asks its shell (the inode cache, later) to carry out, in order. */
public sealed interface InodeEffect {

  /** Why a lookup must wait. */
  enum WaitReason {
    /** Another task is reading the inode in ({@code I_NEW}). */
    NEW,
    /** The inode is being evicted ({@code I_FREEING}; {@code __wait_on_freeing_inode}): the lookup
     *  waits for the evictor, an edge the wait-for graph must keep (fs-cycles §2.1). */
    FREEING
  }

  /** One step of dropping an inode from the cache (case A of fs-cycles §2.3). */
  enum CacheDropStep { FLUSH_LOG_FOR_GLOCK, WRITE_METADATA, WRITE_INODE, EMPTY_AIL, REVOKE_TRANSACTION, TRUNCATE_PAGE_CACHE }

  /** One step of deallocating an unlinked inode (case B of fs-cycles §2.3). */
  enum DeallocStep {
    /** Inode glock EX with GL_SKIP: do not read the dinode before it is verified. */
    INODE_GLOCK_EX_SKIP,
    /** The inode glock LVB remembers the last deleted generation: already deleted? */
    CHECK_LVB_GENERATION,
    /** The bitmap must say "unlinked". */
    CHECK_BITMAP_UNLINKED,
    READ_DINODE,
    RECHECK_NLINK,
    FREE_DIR_HASH,
    FREE_XATTRS,
    /** Each touched rgrp glock EX with NODE_SCOPE, in transactions. */
    FREE_DATA_BLOCKS,
    FREE_DINODE
  }

  /** The inode became unused and stays cached: add it to the inode LRU (or mark it referenced). */
  record AddToLru(long ino) implements InodeEffect {}

  /** The inode is being evicted: it leaves the inode LRU. */
  record RemoveFromLru(long ino) implements InodeEffect {}

  /** The lookup must wait and retry ({@code I_NEW} / {@code I_FREEING}). */
  record WaitOnInode(long ino, WaitReason reason) implements InodeEffect {}

  /** Queue delete work on the iopen glock: a worker, not a reclaimer, deletes the inode later. */
  record QueueDeleteWork(long ino) implements InodeEffect {}

  /** Enqueue the iopen glock EX with TRY_1CB + NOCACHE; answer with {@link InodeCore#iopen}. */
  record TryIopenExclusive(long ino) implements InodeEffect {}

  /** Wait (async) for iopen EX up to {@code timeoutMillis}, giving up early if the inode glock
   *  gets a demote request; answer with {@link InodeCore#iopen}. */
  record WaitIopenExclusive(long ino, long timeoutMillis) implements InodeEffect {}

  /** Drop the cached inode (write back first); then {@link InodeCore#evictStepsDone}. */
  record CacheDrop(long ino, List<CacheDropStep> steps) implements InodeEffect {
    public CacheDrop {
      steps = List.copyOf(steps);
    }
  }

  /** Free the inode's blocks and dinode; then {@link InodeCore#evictStepsDone}. */
  record Deallocate(long ino, List<DeallocStep> steps) implements InodeEffect {
    public Deallocate {
      steps = List.copyOf(steps);
    }
  }

  /**
   * Let go of the inode's glocks: dequeue the iopen holder (with NOCACHE after a cache drop, so
   * its demote to NL runs on the glock workqueue) and put the inode glock reference — through the
   * workqueue ({@code gfs2_glock_put_async}) when {@code async}, because a reclaimer must never
   * end up in a DLM unlock (cycle (a), fs-cycles §5.1).
   */
  record ReleaseGlocks(long ino, boolean async, boolean iopenNocache) implements InodeEffect {}

  /** The inode is gone from the cache. */
  record Freed(long ino) implements InodeEffect {}
}
