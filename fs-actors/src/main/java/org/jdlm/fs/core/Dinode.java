package org.jdlm.fs.core;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * An inode on disk: one block (its address is the inode number). Layout (big-endian):
 * {@code magic "JDIN" | mode u8 | 3 pad | nlink u32 | generation u64 | size u64 | 4 pad |
 * block pointers u32...} filling the block. A pointer of 0 is a hole (reads as zeros); there are no
 * indirect blocks, so a file holds at most {@link #pointers(int)} blocks (a deliberate limit of
 * this model, refused with EFBIG). Immutable; a change returns a new dinode.
 */
public record Dinode(Mode mode, int nlink, long generation, long size, int[] blocks) {

  /** "JDIN". */
  public static final int MAGIC = 0x4a44494e;
  static final int HEADER_BYTES = 32;

  /** What the inode is. */
  public enum Mode { FILE, DIRECTORY }

  public Dinode {
    if (nlink < 0 || size < 0) {
      throw new IllegalArgumentException("dinode with nlink " + nlink + " and size " + size);
    }
    blocks = blocks.clone();
  }

  /** Block pointers a dinode of a {@code blockSize}-byte block holds. */
  public static int pointers(int blockSize) {
    return (blockSize - HEADER_BYTES) / 4;
  }

  /** A new, empty inode of {@code mode} with one link. */
  public static Dinode fresh(Mode mode, long generation, int blockSize) {
    return new Dinode(mode, 1, generation, 0, new int[pointers(blockSize)]);
  }

  @Override
  public int[] blocks() {
    return blocks.clone();
  }

  /** The block holding file block {@code index}, or 0 for a hole. */
  public int block(int index) {
    return index < blocks.length ? blocks[index] : 0;
  }

  public Dinode withBlock(int index, int block) {
    int[] next = blocks.clone();
    next[index] = block;
    return new Dinode(mode, nlink, generation, size, next);
  }

  public Dinode withSize(long newSize) {
    return new Dinode(mode, nlink, generation, newSize, blocks);
  }

  public Dinode withNlink(int newNlink) {
    return new Dinode(mode, newNlink, generation, size, blocks);
  }

  public boolean isDirectory() {
    return mode == Mode.DIRECTORY;
  }

  /** Every allocated data block, in file order. */
  public java.util.List<Integer> dataBlocks() {
    return Arrays.stream(blocks).filter(b -> b != 0).boxed().toList();
  }

  public byte[] encode(int blockSize) {
    if (blocks.length != pointers(blockSize)) {
      throw new IllegalArgumentException("dinode has " + blocks.length + " pointers, a " + blockSize
          + "-byte block holds " + pointers(blockSize));
    }
    ByteBuffer b = ByteBuffer.allocate(blockSize);
    b.putInt(MAGIC).put((byte) (mode.ordinal() + 1)).put(new byte[3]).putInt(nlink).putLong(generation)
        .putLong(size).putInt(0);
    for (int p : blocks) {
      b.putInt(p);
    }
    return b.array();
  }

  /** Reads dinode block {@code ino}; anything else there is refused with what was found. */
  public static Dinode decode(long ino, byte[] block) {
    ByteBuffer b = ByteBuffer.wrap(block);
    int magic = b.getInt();
    if (magic != MAGIC) {
      throw new IllegalArgumentException("block " + ino + " is not a dinode (magic 0x" + Integer.toHexString(magic) + ")");
    }
    int m = b.get();
    if (m < 1 || m > Mode.values().length) {
      throw new IllegalArgumentException("dinode " + ino + " has unknown mode " + m);
    }
    b.position(b.position() + 3);
    int nlink = b.getInt();
    long generation = b.getLong();
    long size = b.getLong();
    b.getInt();
    int[] blocks = new int[pointers(block.length)];
    for (int i = 0; i < blocks.length; i++) {
      blocks[i] = b.getInt();
    }
    return new Dinode(Mode.values()[m - 1], nlink, generation, size, blocks);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Dinode d && d.mode == mode && d.nlink == nlink && d.generation == generation
        && d.size == size && Arrays.equals(d.blocks, blocks);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(mode, nlink, generation, size) * 31 + Arrays.hashCode(blocks);
  }

  @Override
  public String toString() {
    return "Dinode[" + mode + " nlink=" + nlink + " gen=" + generation + " size=" + size + " blocks="
        + dataBlocks() + "]";
  }
}
