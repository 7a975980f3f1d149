package org.jdlm.fs.disk;

import java.util.Arrays;

/** One whole-block write of a metadata transaction: the block number and its new contents. */
public record BlockWrite(int block, byte[] data) {
  public BlockWrite {
    if (block < 0) {
      throw new IllegalArgumentException("block must not be negative, got " + block);
    }
    data = data.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BlockWrite w && w.block == block && Arrays.equals(w.data, data);
  }

  @Override
  public int hashCode() {
    return 31 * block + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "BlockWrite[block=" + block + ", " + data.length + " bytes]";
  }
}
