package org.jdlm.fs.journal.core;

import java.util.List;

/**
 * Where the journals are on the device: one region per journal id, as the file layer's on-disk
 * format leaves them ({@code jid} = index). Each region is a header block followed by its circular
 * log. Metadata transactions must never target a journal block: that is a bug in the caller, and
 * {@link #check} says which journal the block belongs to.
 */
public record JournalLayout(List<Region> regions) {

  /** One journal: {@code blockCount} blocks from {@code firstBlock}; block {@code firstBlock} is the header. */
  public record Region(int jid, int firstBlock, int blockCount) {
    public Region {
      if (jid < 0 || firstBlock < 0 || blockCount < 3) {
        throw new IllegalArgumentException("journal region jid " + jid + " at block " + firstBlock + " with "
            + blockCount + " blocks: needs jid >= 0, first block >= 0, at least 3 blocks (header + a transaction)");
      }
    }

    public int logBlocks() {
      return blockCount - 1;
    }

    /** The device block of log position {@code pos}. */
    public int logBlock(int pos) {
      return firstBlock + 1 + pos;
    }

    public boolean contains(int block) {
      return block >= firstBlock && block < firstBlock + blockCount;
    }
  }

  public JournalLayout {
    regions = List.copyOf(regions);
    if (regions.isEmpty()) {
      throw new IllegalArgumentException("a journalled filesystem needs at least one journal");
    }
    for (int i = 0; i < regions.size(); i++) {
      Region r = regions.get(i);
      if (r.jid() != i) {
        throw new IllegalArgumentException("journal regions must be listed by jid 0.." + (regions.size() - 1)
            + "; position " + i + " holds jid " + r.jid());
      }
      for (int j = 0; j < i; j++) {
        Region o = regions.get(j);
        if (r.firstBlock() < o.firstBlock() + o.blockCount() && o.firstBlock() < r.firstBlock() + r.blockCount()) {
          throw new IllegalArgumentException("journal regions " + o + " and " + r + " overlap");
        }
      }
    }
  }

  /** {@code count} journals of {@code blocksEach} blocks, back to back from {@code firstBlock}. */
  public static JournalLayout contiguous(int firstBlock, int count, int blocksEach) {
    List<Region> rs = new java.util.ArrayList<>();
    for (int i = 0; i < count; i++) {
      rs.add(new Region(i, firstBlock + i * blocksEach, blocksEach));
    }
    return new JournalLayout(rs);
  }

  public int journals() {
    return regions.size();
  }

  public Region region(int jid) {
    if (jid < 0 || jid >= regions.size()) {
      throw new IllegalArgumentException("no journal " + jid + "; this filesystem has jids 0.." + (regions.size() - 1));
    }
    return regions.get(jid);
  }

  /** Throws when {@code block} lies in a journal region. */
  public void check(int block) {
    for (Region r : regions) {
      if (r.contains(block)) {
        throw new IllegalArgumentException("metadata write to block " + block + " would overwrite journal " + r.jid()
            + " (blocks " + r.firstBlock() + ".." + (r.firstBlock() + r.blockCount() - 1) + ")");
      }
    }
  }
}
