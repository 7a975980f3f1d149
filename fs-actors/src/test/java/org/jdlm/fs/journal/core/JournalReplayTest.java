package org.jdlm.fs.journal.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.jdlm.fs.disk.BlockWrite;
import org.junit.jupiter.api.Test;

/** Replay finds the head by sequence numbers and applies exactly the committed prefix. */
class JournalReplayTest {
  private static final int BS = 64;

  private static BlockWrite w(int block, int fill) {
    byte[] d = new byte[BS];
    java.util.Arrays.fill(d, (byte) fill);
    return new BlockWrite(block, d);
  }

  private final byte[][] log = new byte[16][];

  {
    for (int i = 0; i < log.length; i++) {
      log[i] = new byte[BS];
    }
  }

  private int put(int pos, List<byte[]> blocks) {
    for (byte[] b : blocks) {
      log[pos] = b;
      pos = (pos + 1) % log.length;
    }
    return pos;
  }

  @Test
  void committedTransactionsAreAppliedInOrderAndTheTornTailIsSkipped() {
    int pos = put(2, LogFormat.encode(10, List.of(w(100, 1), w(101, 1)), BS));
    pos = put(pos, LogFormat.encode(11, List.of(w(100, 2)), BS));
    List<byte[]> torn = LogFormat.encode(12, List.of(w(101, 3), w(102, 3)), BS);
    put(pos, torn.subList(0, torn.size() - 1));
    JournalHeader h = JournalHeader.fresh(0, log.length).mountedBy("n1").withTail(2, 10);

    JournalReplay.Plan p = JournalReplay.scan(h, i -> log[i], BS);

    assertThat(p.committed()).extracting(LogFormat.Transaction::seq).containsExactly(10L, 11L);
    assertThat(p.writes()).containsExactly(w(101, 1), w(100, 2));
    assertThat(p.torn()).isNotNull();
    assertThat(p.headPos()).isEqualTo(pos);
    assertThat(p.nextSeq()).as("past the torn one").isEqualTo(13);
    JournalHeader clean = p.cleanHeader(h);
    assertThat(clean.dirty()).isFalse();
    assertThat(JournalReplay.scan(clean.mountedBy("n2"), i -> log[i], BS).committed())
        .as("a replayed log, mounted again, has nothing to replay").isEmpty();
  }

  @Test
  void staleBlocksOfAnEarlierLapEndTheLog() {
    // Lap 1 wrote sequences 1..3 from 0; lap 2 starts at the same place with 4 and wrote one.
    int pos = 0;
    List<Integer> starts = new ArrayList<>();
    for (long s = 1; s <= 3; s++) {
      starts.add(pos);
      pos = put(pos, LogFormat.encode(s, List.of(w(200 + (int) s, (int) s)), BS));
    }
    put(0, LogFormat.encode(4, List.of(w(300, 4)), BS));
    JournalHeader h = JournalHeader.fresh(0, log.length).mountedBy("n1").withTail(0, 4);
    JournalReplay.Plan p = JournalReplay.scan(h, i -> log[i], BS);
    assertThat(p.committed()).extracting(LogFormat.Transaction::seq).containsExactly(4L);
    assertThat(p.torn()).isNull();
  }

  @Test
  void aCleanEmptyLogHasNothingToReplay() {
    JournalHeader h = JournalHeader.fresh(0, log.length);
    JournalReplay.Plan p = JournalReplay.scan(h, i -> log[i], BS);
    assertThat(p.committed()).isEmpty();
    assertThat(p.nextSeq()).isEqualTo(1);
  }
}
