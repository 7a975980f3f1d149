package org.jdlm.fs.core;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Block 0 of a jdlm filesystem: where everything else is. The layout, in block order:
 *
 * <pre>
 *   0                      superblock
 *   1 .. J*jblocks         journal regions, one per member slot (jid 0..J-1), each jblocks long
 *   then R resource groups, each: 1 header block (magic, index, first data block, count, then one
 *                          state byte per data block: the allocation bitmap) + its data blocks
 * </pre>
 *
 * A block's number is its address; an inode's number is the address of its dinode block (as in
 * GFS2, so glock {@code 2/N} and {@code 5/N} name the inode whose dinode is block N). The root
 * directory's dinode is the first block of resource group 0. Every field is big-endian.
 */
public record Superblock(int blockSize, int blockCount, long rootIno, List<Region> journals, List<Rgrp> rgrps) {

  /** "JDSB". */
  public static final int MAGIC = 0x4a445342;
  public static final int VERSION = 1;
  /** Bytes of an rgrp header before its bitmap. */
  public static final int RGRP_HEADER_BYTES = 16;
  /** "JRGP". */
  public static final int RGRP_MAGIC = 0x4a524750;
  /** Smallest block that still holds a dinode with a few pointers and a useful superblock. */
  public static final int MIN_BLOCK_SIZE = 128;

  /** A journal region as the journal layer takes it: first block and length. */
  public record Region(int first, int blocks) {}

  /** A resource group: its header (bitmap) block, and the data blocks the bitmap describes. */
  public record Rgrp(int index, int header, int firstData, int dataBlocks) {
    public boolean contains(int block) {
      return block >= firstData && block < firstData + dataBlocks;
    }
  }

  public Superblock {
    journals = List.copyOf(journals);
    rgrps = List.copyOf(rgrps);
  }

  /**
   * The layout mkfs writes on a device of {@code blockCount} blocks of {@code blockSize} bytes:
   * {@code journalCount} regions of {@code journalBlocks}, then resource groups of at most
   * {@code rgrpDataBlocks} data blocks (bounded by what one header block's bitmap holds).
   */
  public static Superblock layout(int blockSize, int blockCount, int journalCount, int journalBlocks,
                                  int rgrpDataBlocks) {
    if (blockSize < MIN_BLOCK_SIZE) {
      throw new IllegalArgumentException("block size " + blockSize + " is below the minimum " + MIN_BLOCK_SIZE);
    }
    if (journalCount < 1 || journalBlocks < 1) {
      throw new IllegalArgumentException("need at least one journal of one block, got " + journalCount
          + " of " + journalBlocks);
    }
    // The superblock lists every journal and rgrp; it must fit in block 0.
    int perRgrp = Math.min(rgrpDataBlocks, blockSize - RGRP_HEADER_BYTES);
    if (perRgrp < 2) {
      throw new IllegalArgumentException("resource groups of " + rgrpDataBlocks + " data blocks are too small");
    }
    List<Region> journals = new ArrayList<>();
    int next = 1;
    for (int j = 0; j < journalCount; j++) {
      journals.add(new Region(next, journalBlocks));
      next += journalBlocks;
    }
    List<Rgrp> rgrps = new ArrayList<>();
    while (blockCount - next >= 3) {
      int data = Math.min(perRgrp, blockCount - next - 1);
      rgrps.add(new Rgrp(rgrps.size(), next, next + 1, data));
      next += 1 + data;
    }
    if (rgrps.isEmpty()) {
      throw new IllegalArgumentException(blockCount + " blocks leave no room for a resource group after "
          + journalCount + " journals of " + journalBlocks + " blocks");
    }
    Superblock sb = new Superblock(blockSize, blockCount, rgrps.get(0).firstData(), journals, rgrps);
    if (sb.encodedBytes() > blockSize) {
      throw new IllegalArgumentException(journals.size() + " journals and " + rgrps.size()
          + " resource groups do not fit in a " + blockSize + "-byte superblock; use larger resource groups");
    }
    return sb;
  }

  private int encodedBytes() {
    return 4 * 7 + 8 + journals.size() * 8 + rgrps.size() * 12;
  }

  public byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(blockSize);
    b.putInt(MAGIC).putInt(VERSION).putInt(blockSize).putInt(blockCount).putLong(rootIno);
    b.putInt(journals.size()).putInt(rgrps.size());
    for (Region r : journals) {
      b.putInt(r.first()).putInt(r.blocks());
    }
    for (Rgrp r : rgrps) {
      b.putInt(r.header()).putInt(r.firstData()).putInt(r.dataBlocks());
    }
    b.putInt(0); // reserved
    return b.array();
  }

  /** Reads block 0; a block that is not a jdlm superblock is refused with the reason. */
  public static Superblock decode(byte[] block) {
    ByteBuffer b = ByteBuffer.wrap(block);
    int magic = b.getInt();
    if (magic != MAGIC) {
      throw new IllegalArgumentException("not a jdlm filesystem: superblock magic is 0x" + Integer.toHexString(magic));
    }
    int version = b.getInt();
    if (version != VERSION) {
      throw new IllegalArgumentException("unsupported filesystem version " + version + " (this is " + VERSION + ")");
    }
    int blockSize = b.getInt();
    int blockCount = b.getInt();
    long root = b.getLong();
    int nj = b.getInt();
    int nr = b.getInt();
    if (nj < 0 || nr < 0 || 36 + nj * 8L + nr * 12L > block.length) {
      throw new IllegalArgumentException("corrupt superblock: " + nj + " journals, " + nr + " resource groups");
    }
    List<Region> journals = new ArrayList<>();
    for (int j = 0; j < nj; j++) {
      journals.add(new Region(b.getInt(), b.getInt()));
    }
    List<Rgrp> rgrps = new ArrayList<>();
    for (int r = 0; r < nr; r++) {
      rgrps.add(new Rgrp(r, b.getInt(), b.getInt(), b.getInt()));
    }
    return new Superblock(blockSize, blockCount, root, journals, rgrps);
  }

  /** The resource group whose data blocks include {@code block}. */
  public Rgrp rgrpOf(long block) {
    for (Rgrp r : rgrps) {
      if (block >= r.firstData() && block < r.firstData() + r.dataBlocks()) {
        return r;
      }
    }
    throw new IllegalArgumentException("block " + block + " is in no resource group");
  }
}
