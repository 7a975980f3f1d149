package org.jdlm.fs.core;

/**
 * The state of one data block in its resource group's bitmap (GFS2's four bitmap states, one byte
 * each here instead of two bits). UNLINKED is a dinode whose last name went while some member may
 * still have it open: it stays allocated until the last close cluster-wide deallocates it.
 */
public enum BlockState {
  FREE, DATA, DINODE, UNLINKED;

  static BlockState ofByte(byte b) {
    if (b < 0 || b >= values().length) {
      throw new IllegalArgumentException("corrupt bitmap: block state byte " + b);
    }
    return values()[b];
  }
}
