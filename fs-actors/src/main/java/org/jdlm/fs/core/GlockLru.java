package org.jdlm.fs.core;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jdlm.kernel.core.GfpMask;

/**
 * The node's glock LRU and the glock shrinker's decisions (fs-cycles §1.7–§1.8). Membership changes
 * <em>only</em> by applying {@link GlockEffect.AddToLru} / {@link GlockEffect.RemoveFromLru} from
 * the glocks' cores, so exactly one party mutates it — the lesson of S0's LRU corruption (§3.2).
 *
 * <p>The shrinker ({@code gfs2_glock_shrink_scan}) never waits and never calls the DLM itself: it
 * picks unused, idle LRU glocks, sorts them by name so the resulting disk I/O is roughly
 * sequential, and each chosen glock is sent {@link GlockCore#reclaim}; the demote, its write back
 * and the final DLM unlock then run on the glock workqueue. Without {@code __GFP_FS} it answers
 * STOP. Shaped for the kernel's shrinker interface (style rule 12): {@link #countFreeable()} is
 * cheap, {@link #scan} returns the choice.
 */
public final class GlockLru {

  /** What the scan needs to know about one glock ({@link GlockCore#candidate()}). */
  public record Candidate(GlockName name, boolean reclaimable) {}

  /**
   * One scan's decision.
   *
   * @param toReclaim glocks to send {@link GlockCore#reclaim}, sorted by name
   * @param scanned   LRU entries looked at
   * @param stop      the caller's allocation context forbids filesystem reclaim ({@code SHRINK_STOP})
   */
  public record ScanResult(List<GlockName> toReclaim, int scanned, boolean stop) {
    public static final ScanResult STOP = new ScanResult(List.of(), 0, true);

    public ScanResult {
      toReclaim = List.copyOf(toReclaim);
    }
  }

  /** Bounds from {@code jdlm.fs.glock-lru}. */
  public record Settings(int softLimit, int scanBatch, long minAgeMillis) {
    public Settings {
      if (softLimit < 0 || scanBatch < 1 || minAgeMillis < 0) {
        throw new IllegalArgumentException("jdlm.fs.glock-lru: soft-limit (" + softLimit + ") >= 0, scan-batch ("
            + scanBatch + ") >= 1, min-age (" + minAgeMillis + " ms) >= 0");
      }
    }
  }

  private final Settings settings;
  private final Clock clock;
  /** In LRU order (oldest first), with the clock time each glock was cached. */
  private final LinkedHashMap<GlockName, Long> entries = new LinkedHashMap<>();

  public GlockLru(Settings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  /** Applies a glock's LRU effect; other effects are ignored. Re-adding moves to the tail. */
  public void apply(GlockEffect effect) {
    if (effect instanceof GlockEffect.AddToLru) {
      GlockName n = ((GlockEffect.AddToLru) effect).name();
      entries.remove(n);
      entries.put(n, clock.millis());
    } else if (effect instanceof GlockEffect.RemoveFromLru) {
      entries.remove(((GlockEffect.RemoveFromLru) effect).name());
    }
  }

  /** Applies every LRU effect of a list, in order. */
  public void applyAll(List<GlockEffect> effects) {
    effects.forEach(this::apply);
  }

  public boolean contains(GlockName name) {
    return entries.containsKey(name);
  }

  public int size() {
    return entries.size();
  }

  /** The LRU in order, oldest first. */
  public List<GlockName> order() {
    return List.copyOf(entries.keySet());
  }

  /** {@code gfs2_glock_shrink_count}: cheap, the LRU length. */
  public int countFreeable() {
    return entries.size();
  }

  /** How many glocks over {@code soft-limit} the LRU holds (the registry trims them with {@link #scan}). */
  public int overLimit() {
    return Math.max(0, entries.size() - settings.softLimit());
  }

  /**
   * {@code gfs2_glock_shrink_scan}: look at up to {@code nrToScan} (at most {@code scan-batch})
   * glocks from the old end; choose those that are reclaimable and were cached at least
   * {@code min-age} ago; skip the rest (in use, in flight, demote already pending, type says no).
   */
  public ScanResult scan(int nrToScan, GfpMask mask, Function<GlockName, Candidate> lookup) {
    if (nrToScan < 0) {
      throw new IllegalArgumentException("shrinker asked to scan " + nrToScan + " glocks");
    }
    if (!mask.mayReclaimFs()) {
      return ScanResult.STOP;
    }
    long now = clock.millis();
    int limit = Math.min(nrToScan, settings.scanBatch());
    List<GlockName> chosen = new ArrayList<>();
    int scanned = 0;
    for (Map.Entry<GlockName, Long> e : entries.entrySet()) {
      if (scanned >= limit) {
        break;
      }
      scanned++;
      if (now - e.getValue() < settings.minAgeMillis()) {
        continue;
      }
      Candidate c = lookup.apply(e.getKey());
      if (c != null && c.reclaimable()) {
        chosen.add(e.getKey());
      }
    }
    Collections.sort(chosen);
    return new ScanResult(chosen, scanned, false);
  }
}
