package org.jdlm.fs.journal.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.jdlm.fs.disk.BlockWrite;

/**
 * Journal replay as a decision (GFS2's {@code gfs2_find_jhead} + the replay passes, jbd2's
 * {@code do_one_pass}): from the header's tail, follow transactions by position and sequence
 * number until the first one that is not committed. The head is where the sequence breaks; every
 * transaction before it is committed and is applied in order, the torn one (if any) and everything
 * after it is skipped. Applying the result writes each target block's <em>last</em> committed
 * contents, so replaying twice (a recovering member that died half way, then another) gives the same
 * disk.
 */
public final class JournalReplay {
  private JournalReplay() {}

  /**
   * The outcome of a scan.
   *
   * @param committed transactions to apply, oldest first
   * @param headPos   log position after the last committed transaction (where the next one goes)
   * @param nextSeq   sequence number the next transaction must use: above every one seen, torn included
   * @param torn      the cut-off transaction after the last committed one, if any (why it is ignored)
   */
  public record Plan(List<LogFormat.Transaction> committed, int headPos, long nextSeq, LogFormat.Torn torn) {
    public Plan {
      committed = List.copyOf(committed);
    }

    /** The writes to carry out: each target's last committed contents, in first-logged order. */
    public List<BlockWrite> writes() {
      Map<Integer, BlockWrite> last = new LinkedHashMap<>();
      for (LogFormat.Transaction t : committed) {
        for (BlockWrite w : t.writes()) {
          last.remove(w.block()); // keep the order of the final write
          last.put(w.block(), w);
        }
      }
      return new ArrayList<>(last.values());
    }

    /** The header that marks the journal clean after these writes are in place. */
    public JournalHeader cleanHeader(JournalHeader from) {
      return from.withTail(headPos, nextSeq).clean();
    }
  }

  /**
   * Scans the log of a journal whose header is {@code header}; {@code log} reads a log position
   * ({@code 0..header.logBlocks()-1}, i.e. region block {@code 1 + pos}).
   */
  public static Plan scan(JournalHeader header, IntFunction<byte[]> log, int blockSize) {
    int logBlocks = header.logBlocks();
    int pos = header.tailPos();
    long seq = header.tailSeq();
    List<LogFormat.Transaction> committed = new ArrayList<>();
    int consumed = 0;
    while (true) {
      LogFormat.ReadResult r = LogFormat.read(log, logBlocks, pos, seq, blockSize);
      if (r instanceof LogFormat.Committed c) {
        consumed += c.transaction().length();
        if (consumed > logBlocks) {
          // Transactions never overlap in a log the writer kept (it checkpoints before reuse);
          // a lap past the tail can only be stale blocks that happen to chain: stop before them.
          return new Plan(committed, pos, seq + 1, new LogFormat.Torn(seq, "would pass the tail"));
        }
        committed.add(c.transaction());
        pos = (pos + c.transaction().length()) % logBlocks;
        seq++;
      } else if (r instanceof LogFormat.Torn t) {
        // The next transaction skips the torn one's number, so its stale blocks never chain.
        return new Plan(committed, pos, seq + 1, t);
      } else {
        return new Plan(committed, pos, seq, null);
      }
    }
  }
}
