package org.jdlm.kernel.core;

import java.util.Set;

/**
 * Dirty throttling ({@code balance_dirty_pages}) and reclaim throttling ({@code reclaim_throttle}
 * on writeback), the two waits of the loop-back NFS cycle (fs-cycles §5.3).
 *
 * <pre>
 *   writer flags                    throttled when
 *   (none)                          node dirty+writeback  > dirty-percent of total
 *   LOCAL_THROTTLE or IO_FLUSHER    its own bdi's dirty+writeback > bdi-percent of that limit
 *
 *   reclaiming task                 reclaim-throttled when writeback >= reclaim-writeback-percent of used
 *   kswapd                          yes
 *   other KTHREAD                   no if exempt-kthreads (Linux since 5.16: they may be needed for progress)
 *   anyone else                     yes
 * </pre>
 *
 * <p>Simplification: Linux gives each bdi a dynamic share of the node limit proportional to its
 * recent writeout; here the share is a fixed percentage, which keeps the tables exhaustive and is
 * enough for the cycle: a loop-back server's writes are throttled by the client's dirty pages only
 * when it is not LOCAL_THROTTLE.
 */
public final class DirtyPolicy {
  private DirtyPolicy() {}

  /** Thresholds, all from {@code jdlm.kernel.memory.dirty}. */
  public record Limits(int dirtyPercent, int backgroundPercent, int bdiPercent, int reclaimWritebackPercent,
                       boolean exemptKthreads) {
    public Limits {
      for (int p : new int[] {dirtyPercent, backgroundPercent, bdiPercent, reclaimWritebackPercent}) {
        if (p < 0 || p > 100) {
          throw new IllegalArgumentException("dirty percentages must be in 0..100, got " + p);
        }
      }
      if (backgroundPercent > dirtyPercent) {
        throw new IllegalArgumentException("background-percent " + backgroundPercent
            + " must not exceed dirty-percent " + dirtyPercent);
      }
    }

    public long nodeLimit(long totalPages) {
      return totalPages * dirtyPercent / 100;
    }

    public long backgroundLimit(long totalPages) {
      return totalPages * backgroundPercent / 100;
    }

    public long bdiLimit(long totalPages) {
      return nodeLimit(totalPages) * bdiPercent / 100;
    }
  }

  /** Whether a task that just dirtied pages of a bdi must wait for writeback. */
  public static boolean writerThrottled(long totalPages, long nodeDirtyAndWriteback, long bdiDirtyAndWriteback,
                                        Set<TaskFlag> flags, Limits limits) {
    Set<TaskFlag> f = AllocationPolicy.effectiveFlags(flags);
    if (f.contains(TaskFlag.LOCAL_THROTTLE)) {
      return bdiDirtyAndWriteback > limits.bdiLimit(totalPages);
    }
    return nodeDirtyAndWriteback > limits.nodeLimit(totalPages);
  }

  /** Whether the flusher should start background writeback. */
  public static boolean backgroundWriteback(long totalPages, long nodeDirty, Limits limits) {
    return nodeDirty > limits.backgroundLimit(totalPages);
  }

  /** Whether a task in reclaim must wait for writeback to complete before scanning on. */
  public static boolean reclaimThrottled(long usedPages, long writebackPages, Set<TaskFlag> flags, Limits limits) {
    if (flags.contains(TaskFlag.KTHREAD) && !flags.contains(TaskFlag.KSWAPD) && limits.exemptKthreads()) {
      return false;
    }
    return writebackPages > 0 && writebackPages * 100 >= (long) limits.reclaimWritebackPercent() * usedPages;
  }
}
