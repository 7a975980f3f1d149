package org.jdlm.fs.journal;

import org.jdlm.fs.disk.BlockDevice;
import org.jdlm.fs.disk.DiskError;

/** A test disk that passes everything to {@code inner}; subclasses change what a write does. */
abstract class ForwardingDevice implements BlockDevice {
  protected final BlockDevice inner;

  ForwardingDevice(BlockDevice inner) {
    this.inner = inner;
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public int blockSize() {
    return inner.blockSize();
  }

  @Override
  public int blockCount() {
    return inner.blockCount();
  }

  @Override
  public byte[] read(int block) throws DiskError {
    return inner.read(block);
  }

  @Override
  public void write(int block, byte[] data) throws DiskError {
    inner.write(block, data);
  }
}
