package org.jdlm.fs.core;

/**
 * What a glock protects, as far as its dump and its {@code go_demote_ok} need to know
 * ({@code gl_object}; the {@code o} flag). The inode and rgrp objects themselves come later.
 */
public sealed interface GlockObject {

  /**
   * An inode attached to an inode or iopen glock; prints the {@code I:} line.
   *
   * @param formalIno  formal inode number
   * @param diskAddr   dinode block address
   * @param fileType   dirent type number (8 = regular file, 4 = directory)
   * @param inodeFlags in-core inode flags
   * @param diskFlags  on-disk dinode flags
   * @param size       file size in bytes
   * @param dataPages  cached data pages
   * @param system     a system inode (jindex, rindex) that must never be demoted by the LRU
   */
  record Inode(long formalIno, long diskAddr, int fileType, long inodeFlags, long diskFlags, long size,
               long dataPages, boolean system) implements GlockObject {}

  /**
   * A resource group attached to an rgrp glock; prints an {@code R:} line (the leading fields of
   * {@code gfs2_rgrp_dump}).
   */
  record Rgrp(long addr, int flags, long freeBlocks, long freeClone, long freeDinodes) implements GlockObject {}
}
