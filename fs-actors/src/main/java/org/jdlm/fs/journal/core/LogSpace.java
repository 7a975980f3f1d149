package org.jdlm.fs.journal.core;

/**
 * The writer's view of its circular log (GFS2's {@code sd_log_tail}/{@code sd_log_head} and the
 * log's free-block accounting): where the tail is (the oldest transaction not known to be in
 * place, as the header on disk says), where the next transaction goes, and when the header must be
 * rewritten. Two rules keep a crashed log replayable:
 *
 * <ol>
 *   <li><b>Never overwrite the live part.</b> A transaction that does not fit between head and tail
 *       first moves the tail to the head ({@link Reservation#checkpointFirst}). That is safe only
 *       because the writer puts every logged transaction in place before its {@code commit}
 *       returns: at a reservation, everything logged so far is already in place.</li>
 *   <li><b>Move the tail often enough that replay never rewrites another member's newer
 *       block.</b> A logged block stays replayable until the tail passes it; if this member released
 *       the glock meanwhile and another member changed the block, replaying the old copy would undo
 *       that change. GFS2 flushes the log and revokes the blocks before a demote; this model has
 *       no revokes, so by default the tail follows every transaction ({@code checkpointEvery = 1},
 *       one header write per commit). A larger value is correct only for a filesystem that
 *       {@linkplain #checkpointed checkpoints} before it gives up a glock.</li>
 * </ol>
 */
public final class LogSpace {
  private final int logBlocks;
  private final int checkpointEvery;
  private int tailPos;
  private long tailSeq;
  private int headPos;
  private long nextSeq;
  private int used;
  private int sinceCheckpoint;

  /** Where a transaction goes; {@code checkpointFirst}: write the header with the tail at the head before logging it. */
  public record Reservation(int startPos, long seq, int length, boolean checkpointFirst) {}

  /** Starts from a header whose tail is also the head (a journal just mounted or replayed: nothing live). */
  public LogSpace(int logBlocks, int tailPos, long tailSeq, int checkpointEvery) {
    if (checkpointEvery < 1) {
      throw new IllegalArgumentException("checkpoint-every must be at least 1, got " + checkpointEvery);
    }
    this.logBlocks = logBlocks;
    this.checkpointEvery = checkpointEvery;
    this.tailPos = tailPos;
    this.tailSeq = tailSeq;
    this.headPos = tailPos;
    this.nextSeq = tailSeq;
    checkInvariants();
  }

  /** Reserves room for a transaction of {@code length} log blocks. */
  public Reservation reserve(int length) {
    if (length > logBlocks) {
      throw new IllegalArgumentException("a transaction of " + length + " log blocks does not fit a log of "
          + logBlocks + " blocks; make the journal larger or the transaction smaller");
    }
    boolean checkpoint = used + length > logBlocks;
    return new Reservation(headPos, nextSeq, length, checkpoint);
  }

  /** The header now has its tail at the head: every logged transaction is in place. */
  public void checkpointed() {
    tailPos = headPos;
    tailSeq = nextSeq;
    used = 0;
    sinceCheckpoint = 0;
    checkInvariants();
  }

  /**
   * The reserved transaction is logged and in place; answers whether the tail should move now
   * (write the header with {@link #headPos()}/{@link #nextSeq()}, then call {@link #checkpointed}).
   */
  public boolean committed(Reservation r) {
    if (r.startPos() != headPos || r.seq() != nextSeq || used + r.length() > logBlocks) {
      throw new IllegalStateException("commit of " + r + " does not follow the head " + headPos + "/" + nextSeq
          + " with " + used + " of " + logBlocks + " blocks used");
    }
    headPos = (headPos + r.length()) % logBlocks;
    nextSeq++;
    used += r.length();
    sinceCheckpoint++;
    checkInvariants();
    return sinceCheckpoint >= checkpointEvery;
  }

  public int tailPos() {
    return tailPos;
  }

  public long tailSeq() {
    return tailSeq;
  }

  public int headPos() {
    return headPos;
  }

  public long nextSeq() {
    return nextSeq;
  }

  public int used() {
    return used;
  }

  /** Head is tail plus the used blocks; never more used than the log holds; sequences only grow. */
  public void checkInvariants() {
    if (used < 0 || used > logBlocks || (tailPos + used) % logBlocks != headPos || nextSeq < tailSeq
        || tailPos < 0 || tailPos >= logBlocks) {
      throw new IllegalStateException("log space broken: " + this);
    }
  }

  @Override
  public String toString() {
    return "LogSpace[tail " + tailPos + "/" + tailSeq + ", head " + headPos + "/" + nextSeq + ", used " + used + " of "
        + logBlocks + ", since checkpoint " + sinceCheckpoint + " of " + checkpointEvery + "]";
  }
}
