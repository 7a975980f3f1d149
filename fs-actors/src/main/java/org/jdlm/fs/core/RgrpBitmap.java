package org.jdlm.fs.core;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A resource group's header block: its allocation bitmap, one {@link BlockState} per data block.
 * Immutable: allocation and freeing return a new bitmap and the blocks, so the caller commits the
 * new header in the same metadata transaction as what points at the blocks. Read and changed only
 * under the rgrp glock ({@code 3/header}) in EX.
 */
public final class RgrpBitmap {
  private final Superblock.Rgrp rgrp;
  private final byte[] states;

  private RgrpBitmap(Superblock.Rgrp rgrp, byte[] states) {
    this.rgrp = rgrp;
    this.states = states;
  }

  /** A fresh resource group: every block free. */
  public static RgrpBitmap empty(Superblock.Rgrp rgrp) {
    return new RgrpBitmap(rgrp, new byte[rgrp.dataBlocks()]);
  }

  public Superblock.Rgrp rgrp() {
    return rgrp;
  }

  public byte[] encode(int blockSize) {
    ByteBuffer b = ByteBuffer.allocate(blockSize);
    b.putInt(Superblock.RGRP_MAGIC).putInt(rgrp.index()).putInt(rgrp.firstData()).putInt(rgrp.dataBlocks());
    b.put(states);
    return b.array();
  }

  /** Reads the header block of {@code rgrp}; a header that does not describe it is refused. */
  public static RgrpBitmap decode(Superblock.Rgrp rgrp, byte[] block) {
    ByteBuffer b = ByteBuffer.wrap(block);
    int magic = b.getInt();
    int index = b.getInt();
    int first = b.getInt();
    int count = b.getInt();
    if (magic != Superblock.RGRP_MAGIC || index != rgrp.index() || first != rgrp.firstData()
        || count != rgrp.dataBlocks()) {
      throw new IllegalArgumentException("corrupt resource group header at block " + rgrp.header()
          + ": magic 0x" + Integer.toHexString(magic) + " index " + index + " first " + first + " count " + count);
    }
    byte[] states = new byte[count];
    b.get(states);
    for (byte s : states) {
      BlockState.ofByte(s);
    }
    return new RgrpBitmap(rgrp, states);
  }

  public BlockState state(int block) {
    return BlockState.ofByte(states[offset(block)]);
  }

  public int free() {
    int n = 0;
    for (byte s : states) {
      n += s == 0 ? 1 : 0;
    }
    return n;
  }

  /** The result of an allocation: the new bitmap and the blocks it handed out, lowest first. */
  public record Allocated(RgrpBitmap bitmap, List<Integer> blocks) {}

  /**
   * Hands out up to {@code count} free blocks in state {@code as}, lowest address first (so a file
   * written in order is laid out in order); fewer when this group has fewer free.
   */
  public Allocated allocate(int count, BlockState as) {
    if (as == BlockState.FREE || count < 0) {
      throw new IllegalArgumentException("cannot allocate " + count + " blocks as " + as);
    }
    byte[] next = states.clone();
    List<Integer> blocks = new ArrayList<>();
    for (int i = 0; i < next.length && blocks.size() < count; i++) {
      if (next[i] == 0) {
        next[i] = (byte) as.ordinal();
        blocks.add(rgrp.firstData() + i);
      }
    }
    return new Allocated(new RgrpBitmap(rgrp, next), blocks);
  }

  /** Sets {@code blocks} to {@code to}; each must currently be in one of {@code from} (a double free is a bug). */
  public RgrpBitmap set(List<Integer> blocks, BlockState to, BlockState... from) {
    byte[] next = states.clone();
    for (int block : blocks) {
      BlockState now = BlockState.ofByte(next[offset(block)]);
      if (!Arrays.asList(from).contains(now)) {
        throw new IllegalStateException("block " + block + " is " + now + ", expected one of "
            + Arrays.toString(from) + " before becoming " + to);
      }
      next[offset(block)] = (byte) to.ordinal();
    }
    return new RgrpBitmap(rgrp, next);
  }

  private int offset(int block) {
    if (!rgrp.contains(block)) {
      throw new IllegalArgumentException("block " + block + " is not in resource group " + rgrp.index());
    }
    return block - rgrp.firstData();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RgrpBitmap r && r.rgrp.equals(rgrp) && Arrays.equals(r.states, states);
  }

  @Override
  public int hashCode() {
    return rgrp.hashCode() * 31 + Arrays.hashCode(states);
  }
}
