package org.jdlm.fs.core;

/** The errno-like codes a file operation fails with (the expected failures; bugs are exceptions). */
public enum Errno {
  /** A path component does not exist. */
  ENOENT,
  /** The name to create exists already. */
  EEXIST,
  /** A path component used as a directory is not one. */
  ENOTDIR,
  /** A file operation on a directory. */
  EISDIR,
  /** The directory to remove has entries. */
  ENOTEMPTY,
  /** No free block left in any resource group. */
  ENOSPC,
  /** The file would need more blocks than a dinode points to. */
  EFBIG,
  /** A bad path or argument (empty name, rename into itself, negative offset). */
  EINVAL,
  /** The directory has no free slot left (its dinode's pointers are used up). */
  EMLINK,
  /** The device refused: this member was fenced off the disk, or the disk is corrupt. */
  EIO,
  /** A mapped page beyond the end of the file was touched ({@code SIGBUS}). */
  EFAULT,
  /** The handle was closed. */
  EBADF
}
