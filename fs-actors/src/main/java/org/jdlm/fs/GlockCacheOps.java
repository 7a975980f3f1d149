package org.jdlm.fs;

import org.jdlm.fs.core.GlockEffect;
import org.jdlm.fs.core.GlockName;

/**
 * Carries out a glock's {@code go_sync}/{@code go_inval} ({@link GlockEffect.RunGlops}): write back
 * and invalidate the page cache before a release or demote. Runs in the task that drives the
 * flight (a glock workqueue worker for a demote, the enqueuing task for a promote) and may block
 * there (page locks, writeback): that is where cycle (e) of fs-cycles §5.5 will close. The page cache
 * does not exist yet, so {@link #NONE} does no work.
 */
@FunctionalInterface
public interface GlockCacheOps {

  /** No page cache yet: nothing to write back or drop. */
  GlockCacheOps NONE = (name, glops) -> { };

  /** Write back {@code glops.sync()}, then drop {@code glops.invalidate()}, for glock {@code name}. */
  void run(GlockName name, GlockEffect.RunGlops glops);
}
