package org.jdlm.fs.journal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jdlm.fs.disk.BlockDevice;
import org.jdlm.fs.disk.BlockWrite;
import org.jdlm.fs.disk.DiskError;
import org.jdlm.fs.disk.MetadataWriter;
import org.jdlm.fs.journal.core.JournalHeader;
import org.jdlm.fs.journal.core.JournalLayout;
import org.jdlm.fs.journal.core.LogFormat;
import org.jdlm.fs.journal.core.LogSpace;
import org.jdlm.kernel.Task;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.WaitEdge;

/**
 * A mounted member's {@link MetadataWriter} over its own journal: {@code commit} logs the
 * transaction (descriptors, data, commit block — the commit block on the disk is the durability
 * point), writes the blocks in place, and moves the log's tail when {@link LogSpace} says so. A
 * crash before the commit block leaves nothing a replay applies; a crash after it leaves a
 * transaction the survivor's replay completes. One transaction at a time per journal (GFS2's log
 * lock): a second committing task waits with {@code waits-reply(journal commit)} on
 * {@code journal:<fs>/<jid>}. The disk writes block the calling task, as {@code submit_bio} + wait.
 *
 * <p>A refused write (this member was fenced) withdraws the writer: the error goes to the caller and
 * every later commit fails at once, since the log's state on the disk is no longer known here
 * (GFS2 withdraws the filesystem). Whatever was logged is the survivors' to replay.
 */
public final class JournalWriter implements MetadataWriter {
  private final String fsName;
  private final BlockDevice device;
  private final JournalLayout layout;
  private final JournalLayout.Region region;
  private final Duration lockWait;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition free = lock.newCondition();
  private boolean busy;
  private JournalHeader header;
  private final LogSpace space;
  private volatile DiskError withdrawn;
  private long commits;

  /**
   * A writer on journal {@code region}, whose header on the disk is {@code header} (live, owned by this
   * member, tail = head: the mount has just replayed or found it clean).
   */
  JournalWriter(String fsName, BlockDevice device, JournalLayout layout, JournalLayout.Region region,
                JournalHeader header, int checkpointEvery, Duration lockWait) {
    this.fsName = fsName;
    this.device = device;
    this.layout = layout;
    this.region = region;
    this.header = header;
    this.lockWait = lockWait;
    this.space = new LogSpace(region.logBlocks(), header.tailPos(), header.tailSeq(), checkpointEvery);
  }

  /** {@code journal:<fs>/<jid>}, the endpoint a task waiting on this journal points at. */
  public static String endpoint(String fsName, int jid) {
    return "journal:" + fsName + "/" + jid;
  }

  public int jid() {
    return region.jid();
  }

  @Override
  public void commit(List<BlockWrite> writes) throws DiskError {
    if (writes.isEmpty()) {
      return;
    }
    for (BlockWrite w : writes) {
      layout.check(w.block());
      if (w.block() >= device.blockCount()) {
        throw new IllegalArgumentException("metadata write to block " + w.block() + " is outside " + device.name()
            + " (blocks 0.." + (device.blockCount() - 1) + ")");
      }
    }
    enter();
    try {
      DiskError w = withdrawn;
      if (w != null) {
        throw new DiskError(DiskError.Kind.IO, device.name(), region.firstBlock(),
            "journal " + region.jid() + " of " + fsName + " is withdrawn after: " + w.getMessage());
      }
      try {
        logAndApply(writes);
      } catch (DiskError e) {
        withdrawn = e;
        throw e;
      }
    } finally {
      leave();
    }
  }

  private void logAndApply(List<BlockWrite> writes) throws DiskError {
    int length = LogFormat.blocksFor(writes.size(), device.blockSize());
    LogSpace.Reservation r = space.reserve(length);
    if (r.checkpointFirst()) {
      // Everything logged is already in place (commit returns only after that), so the tail may
      // move to the head and the log's whole length is free again.
      checkpoint();
      r = space.reserve(length);
    }
    List<byte[]> blocks = LogFormat.encode(r.seq(), writes, device.blockSize());
    for (int i = 0; i < blocks.size(); i++) {
      device.write(region.logBlock((r.startPos() + i) % region.logBlocks()), blocks.get(i));
    }
    // The commit block is on the disk: the transaction survives this member from here on.
    for (BlockWrite w : writes) {
      device.write(w.block(), w.data());
    }
    commits++;
    if (space.committed(r)) {
      checkpoint();
    }
  }

  private void checkpoint() throws DiskError {
    JournalHeader next = header.withTail(space.headPos(), space.nextSeq());
    JournalDisk.writeHeader(device, region, next);
    header = next;
    space.checkpointed();
  }

  /** Unmount: the tail at the head and the journal marked clean (nothing left to replay). */
  void close() throws DiskError {
    enter();
    try {
      if (withdrawn == null) {
        header = header.withTail(space.headPos(), space.nextSeq()).clean();
        JournalDisk.writeHeader(device, region, header);
        space.checkpointed();
      }
    } finally {
      leave();
    }
  }

  /** Transactions committed through this writer. */
  public long commits() {
    lock.lock();
    try {
      return commits;
    } finally {
      lock.unlock();
    }
  }

  /** The log's bookkeeping, for dumps and tests. */
  public String describe() {
    lock.lock();
    try {
      return "journal " + region.jid() + " of " + fsName + ": " + space + (withdrawn == null ? "" : ", withdrawn");
    } finally {
      lock.unlock();
    }
  }

  private void enter() {
    Task task = Task.currentOrNull();
    lock.lock();
    try {
      if (task != null) {
        WaitEdge edge = WaitEdge.of(EdgeKind.WAITS_REPLY, "journal commit", endpoint(fsName, region.jid()));
        if (!task.awaitCondition(edge, lock, free, () -> !busy, lockWait)) {
          throw new Task.WaitTimedOut(task, edge, lockWait);
        }
      } else {
        while (busy) {
          free.awaitUninterruptibly();
        }
      }
      busy = true;
    } finally {
      lock.unlock();
    }
  }

  private void leave() {
    lock.lock();
    try {
      busy = false;
      free.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
