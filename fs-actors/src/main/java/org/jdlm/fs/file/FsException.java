package org.jdlm.fs.file;

import org.jdlm.fs.core.Errno;

/** A file operation failed as expected (no such file, no space, fenced): the code and a message naming the path. */
public final class FsException extends Exception {
  private static final long serialVersionUID = 1L;
  private final Errno errno;

  public FsException(Errno errno, String message) {
    super(errno + ": " + message, null, false, false);
    this.errno = errno;
  }

  public Errno errno() {
    return errno;
  }
}
