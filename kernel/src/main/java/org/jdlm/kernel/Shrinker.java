package org.jdlm.kernel;

import org.jdlm.kernel.core.ShrinkControl;

/**
 * A cache that reclaim may shrink ({@code struct shrinker}). Registered with {@link
 * Memory#register}; called by direct reclaim in the allocating task's thread and by kswapd.
 *
 * <p>{@link #countFreeable} must be cheap and never block (it runs for every shrinker at every
 * priority); it may answer {@link #EMPTY}. {@link #scan} frees up to {@code nrToScan} objects by
 * closing their {@link Allocation}s and returns how many it freed, or {@link #STOP} when it cannot
 * make progress now (a lock it would need is contended, its mask forbids it). {@code scan} may
 * block through {@link Task#await}: that is how the cycles of fs-cycles §5.1 and §5.2 close, with
 * the reclaiming task showing both {@code reclaims-via(name)} and its wait.
 */
public interface Shrinker {
  /** {@code SHRINK_EMPTY}: nothing to free, skip me. */
  long EMPTY = -2;
  /** {@code SHRINK_STOP}: stop scanning me in this pass. */
  long STOP = -1;
  /** {@code DEFAULT_SEEKS}: the cost to recreate an object, relative to others. */
  int DEFAULT_SEEKS = 2;

  /** Name as the detector prints it in {@code reclaims-via(name)}. */
  String name();

  /** Recreation cost; higher means scanned less (0: free to recreate). */
  default int seeks() {
    return DEFAULT_SEEKS;
  }

  /** Whether scanning needs {@code __GFP_FS} (filesystem objects: inodes, dentries, glocks). */
  boolean needsFs();

  /** Whether scanning may start IO and so needs {@code __GFP_IO}. */
  default boolean needsIo() {
    return false;
  }

  long countFreeable(ShrinkControl control);

  long scan(ShrinkControl control);
}
