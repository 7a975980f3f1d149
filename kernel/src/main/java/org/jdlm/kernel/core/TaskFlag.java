package org.jdlm.kernel.core;

/**
 * Per-task flags that change how the memory manager treats a task's allocations, after Linux's
 * {@code PF_*} flags. Scoped flags ({@code NOFS}, {@code NOIO}) narrow every allocation of the task
 * whatever mask the call site passes, as {@code memalloc_nofs_save()} does.
 */
public enum TaskFlag {
  /** PF_MEMALLOC: the task is itself freeing memory and may use the emergency reserve. */
  MEMALLOC,
  /** PF_MEMALLOC_NOFS scope: every allocation behaves as {@link GfpMask#NOFS} at most. */
  NOFS,
  /** PF_MEMALLOC_NOIO scope: every allocation behaves as {@link GfpMask#NOIO} at most. */
  NOIO
}
