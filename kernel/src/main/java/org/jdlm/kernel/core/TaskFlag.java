package org.jdlm.kernel.core;

/**
 * Per-task flags that change how the kernel treats a task, after Linux's {@code PF_*} flags.
 * Scoped flags ({@code NOFS}, {@code NOIO}) narrow every allocation of the task whatever mask the
 * call site passes, as {@code memalloc_nofs_save()} does; {@link AllocationPolicy#effectiveMask}
 * is the one place that applies them.
 */
public enum TaskFlag {
  /** PF_MEMALLOC: the task is itself freeing memory and may use the emergency reserve. */
  MEMALLOC,
  /** PF_MEMALLOC_NOFS scope: every allocation behaves as {@link GfpMask#NOFS} at most. */
  NOFS,
  /** PF_MEMALLOC_NOIO scope: every allocation behaves as {@link GfpMask#NOIO} at most. */
  NOIO,
  /**
   * PF_LOCAL_THROTTLE: dirty throttling looks only at the backing device this task writes to, not
   * at the node-wide dirty count (nfsd serving a loop-back mount, fs-cycles §5.3 F-c2).
   */
  LOCAL_THROTTLE,
  /**
   * PF_IO_FLUSHER ({@code PR_SET_IO_FLUSHER}): the task completes IO others wait for; implies
   * {@link #NOIO} and {@link #LOCAL_THROTTLE}, as the prctl sets both.
   */
  IO_FLUSHER,
  /** PF_KTHREAD: a kernel thread; reclaim throttling exempts kernel threads other than kswapd. */
  KTHREAD,
  /** PF_KSWAPD: this task is kswapd (it reclaims for others and is never reclaim-throttled away). */
  KSWAPD
}
