package org.jdlm.fs.journal;

import org.jdlm.fs.disk.BlockDevice;
import org.jdlm.fs.disk.DiskError;

/**
 * A member's view of a disk that takes {@code writesLeft} more block writes and then none: the
 * member crashed (or was fenced) between two block writes. Each accepted write is whole, as the
 * in-JVM disk's are.
 */
final class CrashingDevice extends ForwardingDevice {
  private long writesLeft;

  CrashingDevice(BlockDevice inner, long writesLeft) {
    super(inner);
    this.writesLeft = writesLeft;
  }

  /** From now on, accept {@code n} more writes. */
  synchronized void crashAfter(long n) {
    writesLeft = n;
  }

  @Override
  public synchronized void write(int block, byte[] data) throws DiskError {
    if (writesLeft <= 0) {
      throw new DiskError(DiskError.Kind.IO, inner.name(), block, "the member crashed before this write");
    }
    writesLeft--;
    inner.write(block, data);
  }
}
