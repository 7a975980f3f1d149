package org.jdlm.fs.core;

/**
 * The cache work a glock operation asks for ({@code glops.c}); the page cache and journal carry it
 * out in later issues. Listing the work as data keeps the per-type operations pure decisions
 * (style rule 12) and lets tests check exactly what a demote writes back and drops.
 */
public enum CacheWork {
  /** Unmap shared writable mmaps of a regular file (they may dirty pages behind the glock's back). */
  UNMAP_SHARED_MMAPS,
  /** Wait for direct I/O in flight. */
  WAIT_DIRECT_IO,
  /** Flush the journal for this glock. */
  FLUSH_LOG,
  /** Write back and wait for the metadata pages. */
  WRITE_METADATA,
  /** Write back and wait for the data pages. */
  WRITE_DATA,
  /** Empty the active items list (AIL) for this glock. */
  EMPTY_AIL,
  /** Freeze the local filesystem (freeze glock). */
  FREEZE_FS,
  /** Truncate the metadata page cache. */
  TRUNCATE_METADATA,
  /** Truncate the data page cache. */
  TRUNCATE_DATA,
  /** Forget cached ACLs and the directory hash table. */
  FORGET_ACLS_AND_DIR_HASH,
  /** Release the rgrp's bitmap buffers. */
  RELEASE_BITMAPS,
  /** Read the dinode from disk (instantiate). */
  READ_DINODE,
  /** Read the rgrp header and its LVB (instantiate). */
  READ_RGRP
}
