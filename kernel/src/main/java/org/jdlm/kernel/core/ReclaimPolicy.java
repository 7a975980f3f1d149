package org.jdlm.kernel.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which shrinkers reclaim may call under a mask, in what order and how much, and when kswapd
 * works. After {@code mm/shrinker.c : do_shrink_slab} and {@code mm/vmscan.c : balance_pgdat}.
 *
 * <pre>
 *   shrinker needs   KERNEL   NOFS   NOIO   ATOMIC
 *   nothing           run      run    run    -      (ATOMIC never reclaims)
 *   FS (__GFP_FS)     run      skip   skip   -
 *   IO (__GFP_IO)     run      run    skip   -
 *   FS + IO           run      skip   skip   -
 * </pre>
 *
 * <p>Amount: at priority {@code p} (from {@code start-priority} down to 0) a shrinker with
 * {@code freeable} objects and cost {@code seeks} gets {@code (freeable >> p) * 4 / seeks} objects
 * to scan, at most {@code 2 * freeable}; {@code seeks == 0} means "free to recreate" and scans half
 * of what is freeable at every priority. Each scan call gets at most {@code batch} objects. The
 * order is registration order at every priority, as the kernel walks its shrinker list. Reclaim
 * stops as soon as the allocation fits, so a cheap early shrinker spares the later ones.
 */
public final class ReclaimPolicy {
  private ReclaimPolicy() {}

  /** What the kernel knows of a registered shrinker. */
  public record ShrinkerInfo(String name, int seeks, boolean needsFs, boolean needsIo) {
    public ShrinkerInfo {
      Objects.requireNonNull(name, "name");
      if (seeks < 0) {
        throw new IllegalArgumentException("shrinker " + name + ": seeks must be >= 0, got " + seeks);
      }
    }
  }

  /** Whether reclaim under {@code effective} may call this shrinker at all. */
  public static boolean mayRun(ShrinkerInfo s, GfpMask effective) {
    if (!effective.mayWait()) {
      return false;
    }
    return (!s.needsFs() || effective.mayReclaimFs()) && (!s.needsIo() || effective.mayIo());
  }

  /** Why a shrinker was skipped, for the dump and the tests; empty if it may run. */
  public static String skipReason(ShrinkerInfo s, GfpMask effective) {
    if (!effective.mayWait()) {
      return effective.label() + " never reclaims";
    }
    if (s.needsFs() && !effective.mayReclaimFs()) {
      return s.name() + " needs __GFP_FS, not in " + effective.label();
    }
    if (s.needsIo() && !effective.mayIo()) {
      return s.name() + " needs __GFP_IO, not in " + effective.label();
    }
    return "";
  }

  /** The shrinkers to call under a mask, in call order (registration order). */
  public static List<ShrinkerInfo> eligible(List<ShrinkerInfo> registered, GfpMask effective) {
    List<ShrinkerInfo> out = new ArrayList<>();
    for (ShrinkerInfo s : registered) {
      if (mayRun(s, effective)) {
        out.add(s);
      }
    }
    return out;
  }

  /** Objects to scan for one shrinker at one priority (0 when it has nothing freeable). */
  public static long toScan(long freeable, int seeks, int priority) {
    if (freeable <= 0) {
      return 0;
    }
    if (priority < 0 || priority > 62) {
      throw new IllegalArgumentException("priority must be in 0..62, got " + priority);
    }
    long delta = seeks == 0 ? freeable / 2 : ((freeable >> priority) * 4) / seeks;
    return Math.min(delta, 2 * freeable);
  }

  /** The size of the next scan call: the rest, at most one batch. */
  public static long nextBatch(long remaining, int batch) {
    return Math.min(remaining, batch);
  }

  /** kswapd wakes when free memory is below the low watermark. */
  public static boolean kswapdShouldWake(long freePages, MemoryBudget.Watermarks wm) {
    return freePages < wm.low();
  }

  /**
   * kswapd keeps reclaiming until free memory reaches the high watermark, unless it failed
   * {@code maxFailures} whole passes in a row (then it sleeps until woken again, like
   * {@code kswapd_failures >= MAX_RECLAIM_RETRIES}), so a node with nothing reclaimable does not
   * spin.
   */
  public static boolean kswapdContinues(long freePages, MemoryBudget.Watermarks wm, int failures, int maxFailures) {
    return freePages < wm.high() && failures < maxFailures;
  }
}
