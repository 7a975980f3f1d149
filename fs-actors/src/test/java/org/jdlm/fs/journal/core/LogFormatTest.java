package org.jdlm.fs.journal.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.jdlm.fs.disk.BlockWrite;
import org.junit.jupiter.api.Test;

/** The log's block format: round trips, and every way a transaction can be cut off or stale. */
class LogFormatTest {
  private static final int BS = 64; // (64 - 17) / 4 = 11 targets per descriptor

  private static BlockWrite w(int block, int fill) {
    byte[] d = new byte[BS];
    java.util.Arrays.fill(d, (byte) fill);
    return new BlockWrite(block, d);
  }

  /** A log of {@code size} zero blocks with {@code blocks} written from {@code pos} on, wrapping. */
  private static byte[][] log(int size, int pos, List<byte[]> blocks) {
    byte[][] log = new byte[size][];
    for (int i = 0; i < size; i++) {
      log[i] = new byte[BS];
    }
    for (int i = 0; i < blocks.size(); i++) {
      log[(pos + i) % size] = blocks.get(i);
    }
    return log;
  }

  private static IntFunction<byte[]> reader(byte[][] log) {
    return p -> log[p].clone();
  }

  @Test
  void aTransactionIsDescriptorsDataAndOneCommitBlock() {
    assertThat(LogFormat.targetsPerDescriptor(BS)).isEqualTo(11);
    assertThat(LogFormat.blocksFor(1, BS)).isEqualTo(3);
    assertThat(LogFormat.blocksFor(11, BS)).isEqualTo(13);
    assertThat(LogFormat.blocksFor(12, BS)).isEqualTo(15); // a second descriptor
    assertThat(LogFormat.encode(5, List.of(w(3, 1), w(4, 2)), BS)).hasSize(4);
  }

  @Test
  void aCommittedTransactionReadsBackWithItsWritesInOrder() {
    List<BlockWrite> writes = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      writes.add(w(100 + i, i));
    }
    List<byte[]> blocks = LogFormat.encode(7, writes, BS);
    assertThat(blocks).hasSize(LogFormat.blocksFor(25, BS));
    byte[][] log = log(40, 3, blocks);
    LogFormat.ReadResult r = LogFormat.read(reader(log), 40, 3, 7, BS);
    assertThat(r).isInstanceOf(LogFormat.Committed.class);
    LogFormat.Transaction t = ((LogFormat.Committed) r).transaction();
    assertThat(t.writes()).containsExactlyElementsOf(writes);
    assertThat(t.seq()).isEqualTo(7);
    assertThat(t.startPos()).isEqualTo(3);
    assertThat(t.length()).isEqualTo(blocks.size());
  }

  @Test
  void aTransactionMayWrapRoundTheEndOfTheLog() {
    List<byte[]> blocks = LogFormat.encode(2, List.of(w(9, 1), w(10, 2), w(11, 3)), BS);
    byte[][] log = log(8, 6, blocks); // positions 6, 7, 0, 1, 2
    assertThat(LogFormat.committedAt(reader(log), 8, 6, 2, BS)).isPresent();
  }

  @Test
  void everyPrefixShortOfTheCommitBlockIsNotCommitted() {
    List<byte[]> blocks = LogFormat.encode(4, List.of(w(1, 1), w(2, 2), w(3, 3)), BS);
    for (int written = 0; written < blocks.size(); written++) {
      byte[][] log = log(20, 0, blocks.subList(0, written));
      LogFormat.ReadResult r = LogFormat.read(reader(log), 20, 0, 4, BS);
      assertThat(r).as("%d of %d blocks written", written, blocks.size())
          .isInstanceOf(written == 0 ? LogFormat.End.class : LogFormat.Torn.class);
    }
  }

  @Test
  void aChangedDataBlockFailsTheChecksum() {
    List<byte[]> blocks = new ArrayList<>(LogFormat.encode(4, List.of(w(1, 1), w(2, 2)), BS));
    blocks.get(2)[10] ^= 1;
    LogFormat.ReadResult r = LogFormat.read(reader(log(20, 0, blocks)), 20, 0, 4, BS);
    assertThat(r).isInstanceOf(LogFormat.Torn.class);
    assertThat(((LogFormat.Torn) r).why()).contains("checksum");
  }

  @Test
  void aTransactionOfAnotherSequenceIsTheEndOfTheLog() {
    List<byte[]> blocks = LogFormat.encode(4, List.of(w(1, 1)), BS);
    assertThat(LogFormat.read(reader(log(20, 0, blocks)), 20, 0, 5, BS)).isInstanceOf(LogFormat.End.class);
    assertThat(LogFormat.read(reader(log(20, 0, blocks)), 20, 0, 3, BS)).isInstanceOf(LogFormat.End.class);
  }

  @Test
  void aCommitBlockFromAnotherTransactionDoesNotCompleteATornOne() {
    // Torn transaction 4 (descriptor + data), followed by the commit block of a transaction 4 with
    // other writes (a stale lap): the checksum tells them apart.
    List<byte[]> a = LogFormat.encode(4, List.of(w(1, 1)), BS);
    List<byte[]> b = LogFormat.encode(4, List.of(w(1, 9)), BS);
    List<byte[]> mixed = List.of(a.get(0), a.get(1), b.get(2));
    assertThat(LogFormat.read(reader(log(20, 0, mixed)), 20, 0, 4, BS)).isInstanceOf(LogFormat.Torn.class);
  }

  @Test
  void badInputIsRefusedWithTheReason() {
    assertThatThrownBy(() -> LogFormat.encode(1, List.of(), BS)).hasMessageContaining("at least one block write");
    assertThatThrownBy(() -> LogFormat.targetsPerDescriptor(16)).hasMessageContaining("too small");
    assertThatThrownBy(() -> LogFormat.encode(1, List.of(new BlockWrite(1, new byte[BS + 1])), BS))
        .hasMessageContaining("more than a block");
  }
}
