package org.jdlm.fs.core;

import java.util.List;
import java.util.Set;

/**
 * Per-type glock operations ({@code struct gfs2_glock_operations}, fs-cycles §1.9; style rule 12):
 * the {@link GlockCore} never switches on the type. Every method is a pure decision; the work it
 * names ({@link CacheWork}) is carried out by the page cache and journal in later issues.
 * Implementations are in {@link Glops}. As a missing function pointer does in GFS2's
 * {@code gfs2_glock_operations}, a method a type does not override means "nothing to do".
 */
public interface GlockOps {

  /** What {@code go_callback} asks for when a demote is requested. */
  enum CallbackAction {
    /** Nothing beyond the demote. */
    NONE,
    /** iopen: queue delete work that tries to evict our cached inode (fs-cycles §2.2). */
    QUEUE_TRY_TO_EVICT
  }

  /** The type these operations belong to. */
  GlockType type();

  /**
   * {@code go_sync}: what must be written back before the DLM state leaves {@code from} for
   * {@code target} ("flush before release"). Runs with GLF_LOCK held, before the DLM request.
   */
  default Set<CacheWork> sync(GlockState from, GlockState target, boolean dirty) {
    return Set.of();
  }

  /**
   * {@code go_inval}: what cached content must be dropped when the glock goes from {@code from}
   * to {@code target}. Only asked for targets UN and DF ({@code do_xmote}); an empty answer means
   * the type has no {@code go_inval} for that move.
   */
  default Set<CacheWork> invalidate(GlockState from, GlockState target) {
    return Set.of();
  }

  /**
   * {@code go_demote_ok}: the type-specific part of "may the LRU/shrinker demote this glock?".
   * The generic part (locked, no holders, idle) is {@link GlockCore#reclaimable()}.
   */
  default boolean demoteOk(Set<GlockFlag> flags, GlockObject object) {
    return true;
  }

  /** {@code go_instantiate}: what to read on the first grant after the cache was invalidated. */
  default Set<CacheWork> instantiate() {
    return Set.of();
  }

  /** {@code go_callback}: extra action when a demote to {@code demoteTo} is requested. */
  default CallbackAction callback(GlockState current, GlockState demoteTo, boolean remote, GlockObject object) {
    return CallbackAction.NONE;
  }

  /** {@code go_dump}: the object lines printed under the glock's {@code G:}/{@code H:} lines. */
  default List<String> dump(GlockObject object) {
    return List.of();
  }
}
