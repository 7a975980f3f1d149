package org.jdlm.fs.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.jdlm.fs.disk.BlockDevice;
import org.jdlm.fs.disk.BlockWrite;
import org.jdlm.fs.disk.DiskError;
import org.jdlm.fs.disk.MemoryBlockDevice;
import org.jdlm.fs.disk.MetadataWriter;
import org.jdlm.fs.journal.core.JournalHeader;
import org.jdlm.fs.journal.core.JournalLayout;

/**
 * The journal's promise under a crash at any block write: after a replay every transaction whose
 * commit returned is fully on the disk, the one the crash interrupted is fully there or not at
 * all, and nothing after it is. The data area is compared with the model "first k transactions
 * applied" for every k.
 */
class CrashReplayProperties {
  private static final int DATA_BLOCKS = 12;
  private static final int BS = 64;

  record Txn(List<BlockWrite> writes) {}

  @Provide
  Arbitrary<List<Txn>> transactions() {
    Arbitrary<BlockWrite> write = Combinators.combine(Arbitraries.integers().between(0, DATA_BLOCKS - 1),
        Arbitraries.integers().between(1, 250)).as((b, fill) -> {
          byte[] d = new byte[BS];
          Arrays.fill(d, (byte) (int) fill);
          d[0] = (byte) (int) b;
          return new BlockWrite(b, d);
        });
    return write.list().ofMinSize(1).ofMaxSize(14).map(Txn::new).list().ofMinSize(1).ofMaxSize(12);
  }

  /** The data area after the first {@code k} transactions. */
  private static Map<Integer, List<Byte>> model(List<Txn> txns, int k) {
    Map<Integer, byte[]> disk = new HashMap<>();
    for (int i = 0; i < k; i++) {
      for (BlockWrite w : txns.get(i).writes()) {
        disk.put(w.block(), w.data());
      }
    }
    return asComparable(disk);
  }

  private static Map<Integer, List<Byte>> asComparable(Map<Integer, byte[]> disk) {
    Map<Integer, List<Byte>> out = new HashMap<>();
    for (int b = 0; b < DATA_BLOCKS; b++) {
      byte[] d = disk.getOrDefault(b, new byte[BS]);
      List<Byte> l = new ArrayList<>();
      for (byte x : d) {
        l.add(x);
      }
      out.put(b, l);
    }
    return out;
  }

  private static Map<Integer, List<Byte>> dataArea(BlockDevice d) throws DiskError {
    Map<Integer, byte[]> disk = new HashMap<>();
    for (int b = 0; b < DATA_BLOCKS; b++) {
      disk.put(b, d.read(b));
    }
    return asComparable(disk);
  }

  @Property(tries = 400)
  void afterACrashAtAnyWriteReplayLeavesExactlyACommittedPrefix(@ForAll("transactions") List<Txn> txns,
      @ForAll @IntRange(min = 0, max = 400) int crashAfter, @ForAll @IntRange(min = 1, max = 6) int checkpointEvery,
      @ForAll @IntRange(min = 0, max = 24) int extraLog) throws DiskError {
    // The log holds the largest transaction (at most 14 writes: 2 descriptors + 14 + commit), plus some.
    int journalBlocks = 1 + 17 + extraLog;
    MemoryBlockDevice disk = new MemoryBlockDevice("sda", BS, DATA_BLOCKS + journalBlocks);
    JournalLayout layout = JournalLayout.contiguous(DATA_BLOCKS, 1, journalBlocks);
    JournalLayout.Region region = layout.region(0);
    BlockDevice survivor = disk.member("n2");
    JournalHeader live = JournalHeader.fresh(0, region.logBlocks()).mountedBy("n1");
    JournalDisk.writeHeader(survivor, region, live);

    JournalWriter writer = new JournalWriter("fs", new CrashingDevice(disk.member("n1"), crashAfter), layout, region,
        live, checkpointEvery, Duration.ofSeconds(5));
    int returned = 0;
    for (Txn t : txns) {
      try {
        writer.commit(t.writes());
        returned++;
      } catch (DiskError crashed) {
        break;
      }
    }

    JournalDisk.replay(survivor, region);

    Map<Integer, List<Byte>> after = dataArea(survivor);
    boolean prefix = after.equals(model(txns, returned))
        || (returned < txns.size() && after.equals(model(txns, returned + 1)));
    assertThat(prefix).as("data area after replay is the first %d transactions (or %d): %d returned of %d",
        returned, returned + 1, returned, txns.size()).isTrue();
    assertThat(JournalDisk.header(survivor, region).dirty()).as("replay marks the journal clean").isFalse();
    // Replaying again changes nothing (a second survivor after the first died).
    JournalDisk.writeHeader(survivor, region, JournalDisk.header(survivor, region).mountedBy("n3"));
    JournalDisk.replay(survivor, region);
    assertThat(dataArea(survivor)).isEqualTo(after);
  }

  /**
   * The negative control: the same crash with {@link MetadataWriter#direct} (no journal) can leave a
   * transaction half applied, which the property above rules out for the journal.
   */
  @Property(tries = 50)
  void withoutTheJournalACrashLeavesATransactionHalfApplied(@ForAll @IntRange(min = 1, max = 5) int done)
      throws DiskError {
    MemoryBlockDevice disk = new MemoryBlockDevice("sda", BS, DATA_BLOCKS);
    List<BlockWrite> txn = new ArrayList<>();
    for (int b = 0; b < 6; b++) {
      byte[] d = new byte[BS];
      Arrays.fill(d, (byte) 7);
      txn.add(new BlockWrite(b, d));
    }
    MetadataWriter direct = MetadataWriter.direct(new CrashingDevice(disk.member("n1"), done));
    try {
      direct.commit(txn);
    } catch (DiskError crashed) {
      // the crash
    }
    Map<Integer, List<Byte>> after = dataArea(disk.member("n2"));
    List<Txn> one = List.of(new Txn(txn));
    assertThat(after).isNotEqualTo(model(one, 0)).isNotEqualTo(model(one, 1));

    // The journal, crashing at the same write count of its own, never does.
    MemoryBlockDevice disk2 = new MemoryBlockDevice("sdb", BS, DATA_BLOCKS + 20);
    JournalLayout layout = JournalLayout.contiguous(DATA_BLOCKS, 1, 20);
    JournalHeader live = JournalHeader.fresh(0, 19).mountedBy("n1");
    JournalDisk.writeHeader(disk2.member("n2"), layout.region(0), live);
    for (int crash = 0; crash < 12; crash++) {
      MemoryBlockDevice d = new MemoryBlockDevice("sdc", BS, DATA_BLOCKS + 20);
      JournalDisk.writeHeader(d.member("n2"), layout.region(0), live);
      JournalWriter w = new JournalWriter("fs", new CrashingDevice(d.member("n1"), crash), layout,
          layout.region(0), live, 1, Duration.ofSeconds(5));
      try {
        w.commit(txn);
      } catch (DiskError crashed) {
        // the crash
      }
      JournalDisk.replay(d.member("n2"), layout.region(0));
      Map<Integer, List<Byte>> j = dataArea(d.member("n2"));
      assertThat(j.equals(model(one, 0)) || j.equals(model(one, 1))).as("journal, crash after %d writes", crash)
          .isTrue();
    }
  }
}
