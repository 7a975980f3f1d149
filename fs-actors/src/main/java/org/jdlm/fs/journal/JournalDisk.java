package org.jdlm.fs.journal;

import org.jdlm.fs.disk.BlockDevice;
import org.jdlm.fs.disk.BlockWrite;
import org.jdlm.fs.disk.DiskError;
import org.jdlm.fs.journal.core.JournalHeader;
import org.jdlm.fs.journal.core.JournalLayout;
import org.jdlm.fs.journal.core.JournalReplay;

/**
 * The disk side of one journal: read its header, scan and replay its log. Replay is the pure
 * {@link JournalReplay} plan carried out in the calling task: every committed transaction's blocks
 * in place, then the header marked clean with the tail past them. The caller holds the journal's
 * glock in EX (recovery, or the mount that claimed it), so nobody else writes this region meanwhile.
 */
public final class JournalDisk {
  private JournalDisk() {}

  /** The journal's header; a region never written reads as a fresh, clean journal. */
  public static JournalHeader header(BlockDevice device, JournalLayout.Region region) throws DiskError {
    return JournalHeader.decode(device.read(region.firstBlock()))
        .orElseGet(() -> JournalHeader.fresh(region.jid(), region.logBlocks()));
  }

  public static void writeHeader(BlockDevice device, JournalLayout.Region region, JournalHeader header)
      throws DiskError {
    device.write(region.firstBlock(), header.encode(device.blockSize()));
  }

  /** Scans the log from the header's tail (disk errors surface unchecked, wrapped, from inside the scan). */
  public static JournalReplay.Plan scan(BlockDevice device, JournalLayout.Region region, JournalHeader header)
      throws DiskError {
    try {
      return JournalReplay.scan(header, pos -> {
        try {
          return device.read(region.logBlock(pos));
        } catch (DiskError e) {
          throw new ScanFailed(e);
        }
      }, device.blockSize());
    } catch (ScanFailed e) {
      throw e.error;
    }
  }

  /**
   * Replays a dirty journal: applies the committed transactions in place and writes a clean header.
   * Returns the plan carried out (for logs and tests); a clean journal is left alone (empty plan).
   */
  public static JournalReplay.Plan replay(BlockDevice device, JournalLayout.Region region) throws DiskError {
    JournalHeader h = header(device, region);
    if (!h.dirty()) {
      return new JournalReplay.Plan(java.util.List.of(), h.tailPos(), h.tailSeq(), null);
    }
    JournalReplay.Plan plan = scan(device, region, h);
    for (BlockWrite w : plan.writes()) {
      device.write(w.block(), w.data());
    }
    writeHeader(device, region, plan.cleanHeader(h));
    return plan;
  }

  /** A disk error thrown through the scan's block reader. */
  private static final class ScanFailed extends RuntimeException {
    private final DiskError error;

    ScanFailed(DiskError error) {
      super(error.getMessage(), error, false, false);
      this.error = error;
    }
  }
}
