package org.jdlm.fs.journal.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * Block 0 of a journal region (GFS2's log header and the "clean unmount" flag in one block): which
 * journal it is, whether it is {@link State#LIVE live} (mounted by {@code owner}: the log may hold
 * transactions not yet checkpointed) or {@link State#CLEAN clean}, and where the log's tail is —
 * the position and sequence number of the oldest transaction replay must consider. Everything
 * before the tail is known to be in place.
 *
 * <p>Layout (big-endian): magic {@code JHDR}, version, jid, state, log blocks, tail position, tail
 * sequence, owner length + UTF-8 owner, then a CRC32C over all of it, so a header block that was
 * never written (zeros) or is garbage reads as absent, never as a wrong header.
 *
 * @param jid       the journal id this region belongs to (the journal glock's number)
 * @param state     clean or live
 * @param owner     the DLM node id ({@code host:port}) of the member that mounted it last; empty when never mounted
 * @param logBlocks blocks of the circular log after the header (region size - 1)
 * @param tailPos   log position (0-based, after the header) of the oldest transaction to replay
 * @param tailSeq   the sequence number replay expects at {@code tailPos}
 */
public record JournalHeader(int jid, State state, String owner, int logBlocks, int tailPos, long tailSeq) {

  /** Clean: nothing to replay. Live: mounted, the log from the tail may hold transactions to replay. */
  public enum State { CLEAN, LIVE }

  static final int MAGIC = 0x4a484452; // "JHDR"
  static final int VERSION = 1;
  /** Fixed part: magic, version, jid, state, logBlocks, tailPos, tailSeq, owner length; then the CRC. */
  static final int FIXED = 4 + 4 + 4 + 1 + 4 + 4 + 8 + 2;

  public JournalHeader {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(owner, "owner");
    if (jid < 0 || logBlocks < 1 || tailPos < 0 || tailPos >= logBlocks || tailSeq < 1) {
      throw new IllegalArgumentException("journal header out of range: jid " + jid + ", log blocks " + logBlocks
          + ", tail " + tailPos + "/" + tailSeq + " (jid >= 0, 0 <= tail < log blocks, sequence >= 1)");
    }
  }

  /** A journal nobody mounted yet: clean, empty log starting at position 0 with sequence 1. */
  public static JournalHeader fresh(int jid, int logBlocks) {
    return new JournalHeader(jid, State.CLEAN, "", logBlocks, 0, 1);
  }

  public boolean dirty() {
    return state == State.LIVE;
  }

  public JournalHeader mountedBy(String node) {
    return new JournalHeader(jid, State.LIVE, node, logBlocks, tailPos, tailSeq);
  }

  /** Everything up to {@code pos}/{@code seq} is in place; the log starts there. */
  public JournalHeader withTail(int pos, long seq) {
    return new JournalHeader(jid, state, owner, logBlocks, pos, seq);
  }

  public JournalHeader clean() {
    return new JournalHeader(jid, State.CLEAN, owner, logBlocks, tailPos, tailSeq);
  }

  /** The header as one block of {@code blockSize} bytes. */
  public byte[] encode(int blockSize) {
    byte[] name = owner.getBytes(StandardCharsets.UTF_8);
    if (FIXED + name.length + 4 > blockSize || name.length > Short.MAX_VALUE) {
      throw new IllegalArgumentException("journal header of jid " + jid + " with owner '" + owner
          + "' does not fit a block of " + blockSize + " bytes");
    }
    ByteBuffer b = ByteBuffer.allocate(blockSize);
    b.putInt(MAGIC).putInt(VERSION).putInt(jid).put((byte) state.ordinal()).putInt(logBlocks).putInt(tailPos)
        .putLong(tailSeq).putShort((short) name.length).put(name);
    int end = b.position();
    b.putInt(crc(b.array(), end));
    return b.array();
  }

  /** The header in {@code block}, or empty when the block holds none (never written, torn, garbage). */
  public static Optional<JournalHeader> decode(byte[] block) {
    if (block.length < FIXED + 4) {
      return Optional.empty();
    }
    ByteBuffer b = ByteBuffer.wrap(block);
    if (b.getInt() != MAGIC || b.getInt() != VERSION) {
      return Optional.empty();
    }
    int jid = b.getInt();
    int state = b.get();
    int logBlocks = b.getInt();
    int tailPos = b.getInt();
    long tailSeq = b.getLong();
    int len = b.getShort();
    if (len < 0 || FIXED + len + 4 > block.length || state < 0 || state > 1) {
      return Optional.empty();
    }
    byte[] name = new byte[len];
    b.get(name);
    int end = b.position();
    if (b.getInt() != crc(block, end)) {
      return Optional.empty();
    }
    try {
      return Optional.of(new JournalHeader(jid, State.values()[state], new String(name, StandardCharsets.UTF_8),
          logBlocks, tailPos, tailSeq));
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // a checksummed header with impossible values: treat as none
    }
  }

  static int crc(byte[] bytes, int length) {
    CRC32C c = new CRC32C();
    c.update(bytes, 0, length);
    return (int) c.getValue();
  }
}
