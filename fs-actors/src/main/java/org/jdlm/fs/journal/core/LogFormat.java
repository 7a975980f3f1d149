package org.jdlm.fs.journal.core;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.zip.CRC32C;
import org.jdlm.fs.disk.BlockWrite;

/**
 * The blocks one transaction occupies in the circular log (GFS2's log descriptor, data and commit
 * blocks, jbd2's shape), and how a scan reads one back. A transaction with sequence number
 * {@code s} and writes {@code w1..wn} is, in log order:
 *
 * <pre>
 *   [descriptor s: k targets, more?] [data 1] .. [data k]   repeated until every write is listed
 *   [commit s: n writes, d descriptors, CRC32C]
 * </pre>
 *
 * Descriptor layout: magic {@code JDSC}, sequence, count, a "more descriptors follow" byte, then
 * {@code count} target block numbers. Data blocks are the new contents, whole and unescaped: a scan
 * never interprets them, it knows their positions from the descriptor. Commit layout: magic
 * {@code JCMT}, sequence, writes, descriptors, then CRC32C over the sequence and every descriptor
 * and data block of the transaction. The commit block is written last, so a transaction is
 * committed exactly when its commit block is on the disk with a matching checksum: a crash anywhere
 * before leaves a torn transaction that {@link #read} rejects, and a block left from an earlier lap
 * of the log never passes for part of a newer transaction because the sequence numbers differ.
 */
public final class LogFormat {
  static final int DESCRIPTOR_MAGIC = 0x4a445343; // "JDSC"
  static final int COMMIT_MAGIC = 0x4a434d54;     // "JCMT"
  /** magic, sequence, count, more. */
  static final int DESCRIPTOR_FIXED = 4 + 8 + 4 + 1;
  static final int COMMIT_SIZE = 4 + 8 + 4 + 4 + 4;

  private LogFormat() {}

  /** Target block numbers one descriptor block of {@code blockSize} bytes lists at most. */
  public static int targetsPerDescriptor(int blockSize) {
    int n = (blockSize - DESCRIPTOR_FIXED) / 4;
    if (n < 1 || blockSize < COMMIT_SIZE) {
      throw new IllegalArgumentException("block size " + blockSize + " is too small for a journal (at least "
          + (DESCRIPTOR_FIXED + 4) + " bytes)");
    }
    return n;
  }

  /** Log blocks a transaction of {@code writes} block writes occupies: descriptors + data + commit. */
  public static int blocksFor(int writes, int blockSize) {
    int per = targetsPerDescriptor(blockSize);
    int descriptors = Math.max(1, (writes + per - 1) / per);
    return descriptors + writes + 1;
  }

  /** The transaction's log blocks in write order (the last one is the commit block). */
  public static List<byte[]> encode(long seq, List<BlockWrite> writes, int blockSize) {
    if (writes.isEmpty()) {
      throw new IllegalArgumentException("a transaction needs at least one block write");
    }
    int per = targetsPerDescriptor(blockSize);
    List<byte[]> out = new ArrayList<>();
    CRC32C crc = new CRC32C();
    crc.update(ByteBuffer.allocate(8).putLong(seq).array());
    int descriptors = 0;
    for (int from = 0; from < writes.size(); from += per) {
      List<BlockWrite> chunk = writes.subList(from, Math.min(writes.size(), from + per));
      ByteBuffer d = ByteBuffer.allocate(blockSize);
      d.putInt(DESCRIPTOR_MAGIC).putLong(seq).putInt(chunk.size()).put((byte) (from + per < writes.size() ? 1 : 0));
      chunk.forEach(w -> d.putInt(w.block()));
      out.add(d.array());
      crc.update(d.array());
      descriptors++;
      for (BlockWrite w : chunk) {
        byte[] data = w.data();
        if (data.length > blockSize) {
          throw new IllegalArgumentException("write to block " + w.block() + " carries " + data.length
              + " bytes, more than a block of " + blockSize);
        }
        byte[] padded = Arrays.copyOf(data, blockSize);
        out.add(padded);
        crc.update(padded);
      }
    }
    ByteBuffer c = ByteBuffer.allocate(blockSize);
    c.putInt(COMMIT_MAGIC).putLong(seq).putInt(writes.size()).putInt(descriptors).putInt((int) crc.getValue());
    out.add(c.array());
    return out;
  }

  /** A committed transaction found by a scan: where it starts, how many log blocks it spans, its writes. */
  public record Transaction(long seq, int startPos, int length, List<BlockWrite> writes) {
    public Transaction {
      writes = List.copyOf(writes);
    }
  }

  /** What {@link #read} found at a position. */
  public sealed interface ReadResult {}

  /** A committed transaction. */
  public record Committed(Transaction transaction) implements ReadResult {}

  /** A descriptor with the expected sequence, but no valid commit: the transaction was cut off. */
  public record Torn(long seq, String why) implements ReadResult {}

  /** No transaction with the expected sequence starts here: the end of the log. */
  public record End(long seq) implements ReadResult {}

  /**
   * Reads the transaction that should start at log position {@code pos} with sequence {@code seq};
   * {@code log} answers a log position ({@code 0..logBlocks-1}) with that block's contents.
   */
  public static ReadResult read(IntFunction<byte[]> log, int logBlocks, int pos, long seq, int blockSize) {
    CRC32C crc = new CRC32C();
    crc.update(ByteBuffer.allocate(8).putLong(seq).array());
    List<BlockWrite> writes = new ArrayList<>();
    int used = 0;
    int descriptors = 0;
    boolean more = true;
    while (more) {
      if (used >= logBlocks) {
        return descriptors == 0 ? new End(seq) : new Torn(seq, "descriptors run round the whole log");
      }
      byte[] d = log.apply((pos + used) % logBlocks);
      used++;
      ByteBuffer b = ByteBuffer.wrap(d);
      if (d.length < DESCRIPTOR_FIXED || b.getInt() != DESCRIPTOR_MAGIC || b.getLong() != seq) {
        return descriptors == 0 ? new End(seq) : new Torn(seq, "descriptor " + (descriptors + 1) + " missing");
      }
      int count = b.getInt();
      more = b.get() != 0;
      if (count < 1 || count > targetsPerDescriptor(blockSize) || used + count >= logBlocks + 1) {
        return descriptors == 0 ? new End(seq) : new Torn(seq, "descriptor lists " + count + " targets");
      }
      descriptors++;
      crc.update(d);
      int[] targets = new int[count];
      for (int i = 0; i < count; i++) {
        targets[i] = b.getInt();
        if (targets[i] < 0) {
          return new Torn(seq, "negative target block " + targets[i]);
        }
      }
      for (int t : targets) {
        byte[] data = log.apply((pos + used) % logBlocks);
        used++;
        crc.update(data);
        writes.add(new BlockWrite(t, data));
      }
    }
    if (used >= logBlocks) {
      return new Torn(seq, "no room left for the commit block");
    }
    byte[] c = log.apply((pos + used) % logBlocks);
    used++;
    ByteBuffer b = ByteBuffer.wrap(c);
    if (c.length < COMMIT_SIZE || b.getInt() != COMMIT_MAGIC || b.getLong() != seq) {
      return new Torn(seq, "no commit block");
    }
    int n = b.getInt();
    int d = b.getInt();
    int sum = b.getInt();
    if (n != writes.size() || d != descriptors || sum != (int) crc.getValue()) {
      return new Torn(seq, "commit block does not match (writes " + n + "/" + writes.size() + ", descriptors " + d
          + "/" + descriptors + ", checksum)");
    }
    return new Committed(new Transaction(seq, pos, used, writes));
  }

  /** Convenience for tests and dumps: the first committed transaction at {@code pos}, if any. */
  public static Optional<Transaction> committedAt(IntFunction<byte[]> log, int logBlocks, int pos, long seq,
                                                  int blockSize) {
    return read(log, logBlocks, pos, seq, blockSize) instanceof Committed c ? Optional.of(c.transaction())
        : Optional.empty();
  }
}
