package org.jdlm.fs.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.LongFunction;
import org.jdlm.kernel.core.GfpMask;

/**
 * The per-superblock inode LRU and the inode shrinker's choices ({@code prune_icache_sb},
 * {@code inode_lru_isolate}; fs-cycles §2.1). Unlike the glock shrinker, whatever this one picks is
 * evicted <em>synchronously in the reclaiming task</em>: every choice becomes
 * {@link InodeCore#evictFromLru} with {@link InodeCore.Context#RECLAIM}, which is what closes
 * cycles (a) and (b).
 *
 * <p>Per entry: in use again → dropped from the LRU (lazy removal); referenced since it was last
 * cached → given a second chance (bit cleared, rotated to the tail); dirty → skipped; otherwise
 * isolated for eviction. Without {@code __GFP_FS} the shrinker stops.
 */
public final class InodeLru {

  /** What the scan needs to know about one inode ({@link InodeCore#candidate()}). */
  public record Candidate(long ino, boolean unused, boolean dirty) {}

  /** One scan's decision; {@code toEvict} in LRU order. */
  public record ScanResult(List<Long> toEvict, List<Long> rotated, int scanned, boolean stop) {
    public static final ScanResult STOP = new ScanResult(List.of(), List.of(), 0, true);

    public ScanResult {
      toEvict = List.copyOf(toEvict);
      rotated = List.copyOf(rotated);
    }
  }

  private final int scanBatch;
  /** ino → referenced ({@code I_REFERENCED}), oldest first. */
  private final LinkedHashMap<Long, Boolean> entries = new LinkedHashMap<>();

  public InodeLru(int scanBatch) {
    if (scanBatch < 1) {
      throw new IllegalArgumentException("inode LRU scan batch " + scanBatch + " must be >= 1");
    }
    this.scanBatch = scanBatch;
  }

  /** Applies an inode's LRU effect; a re-add of an inode still listed marks it referenced. */
  public void apply(InodeEffect effect) {
    if (effect instanceof InodeEffect.AddToLru) {
      long ino = ((InodeEffect.AddToLru) effect).ino();
      if (entries.containsKey(ino)) {
        entries.put(ino, true);
      } else {
        entries.put(ino, false);
      }
    } else if (effect instanceof InodeEffect.RemoveFromLru) {
      entries.remove(((InodeEffect.RemoveFromLru) effect).ino());
    }
  }

  public void applyAll(List<InodeEffect> effects) {
    effects.forEach(this::apply);
  }

  public boolean contains(long ino) {
    return entries.containsKey(ino);
  }

  public List<Long> order() {
    return List.copyOf(entries.keySet());
  }

  public int countFreeable() {
    return entries.size();
  }

  /** Looks at up to {@code nrToScan} (at most the batch) entries from the old end. */
  public ScanResult scan(int nrToScan, GfpMask mask, LongFunction<Candidate> lookup) {
    if (nrToScan < 0) {
      throw new IllegalArgumentException("inode shrinker asked to scan " + nrToScan);
    }
    if (!mask.mayReclaimFs()) {
      return ScanResult.STOP;
    }
    List<Long> toEvict = new ArrayList<>();
    List<Long> rotated = new ArrayList<>();
    List<Long> window = new ArrayList<>(entries.keySet()).subList(0, Math.min(entries.size(),
        Math.min(nrToScan, scanBatch)));
    for (long ino : window) {
      Candidate c = lookup.apply(ino);
      if (c == null || !c.unused()) {
        entries.remove(ino);
      } else if (entries.get(ino)) {
        entries.remove(ino);
        entries.put(ino, false);
        rotated.add(ino);
      } else if (!c.dirty()) {
        entries.remove(ino);
        toEvict.add(ino);
      }
    }
    return new ScanResult(toEvict, rotated, window.size(), false);
  }
}
