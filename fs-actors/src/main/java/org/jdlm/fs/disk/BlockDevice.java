package org.jdlm.fs.disk;

/**
 * The shared disk as one member's filesystem sees it: numbered blocks of a fixed size, read and
 * written whole by the calling kernel task (a read or write blocks that task until the device
 * answers, as {@code submit_bio} + wait does). Every member mounts the same device; what one
 * member wrote and the device acknowledged, another reads. A member whose registration was
 * pre-empted (storage fencing) has every later write refused with {@link DiskError.Kind#FENCED}:
 * this is what makes a fenced member's late writes harmless, so no implementation may drop the
 * check.
 */
public interface BlockDevice {

  /** The device's name, as in {@code disk:<name>} wait-for vertices and error messages. */
  String name();

  /** Bytes per block; a write carries at most this many. */
  int blockSize();

  /** Number of blocks; valid block numbers are {@code 0 .. blockCount()-1}. */
  int blockCount();

  /** The block as last written (a fresh block reads as zeros), always {@link #blockSize()} bytes. */
  byte[] read(int block) throws DiskError;

  /** Writes one whole block; shorter data is padded with zeros. Returns once the device has it. */
  void write(int block, byte[] data) throws DiskError;
}
