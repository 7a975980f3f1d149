package org.jdlm.kernel.core;

import java.util.Objects;
import java.util.Set;

/**
 * What a shrinker is told on each call ({@code struct shrink_control}): the effective mask of the
 * reclaim it runs in, the reclaiming task's flags and endpoint, and for {@code scan} how many
 * objects to scan. A shrinker may re-check the mask itself (as {@code super_cache_scan} does), but
 * the kernel never calls it under a mask it declared it cannot honour.
 */
public record ShrinkControl(GfpMask mask, Set<TaskFlag> flags, String task, long nrToScan) {
  public ShrinkControl {
    Objects.requireNonNull(mask, "mask");
    Objects.requireNonNull(task, "task");
    flags = Set.copyOf(flags);
    if (nrToScan < 0) {
      throw new IllegalArgumentException("nr_to_scan must be >= 0, got " + nrToScan);
    }
  }

  public ShrinkControl withScan(long n) {
    return new ShrinkControl(mask, flags, task, n);
  }
}
