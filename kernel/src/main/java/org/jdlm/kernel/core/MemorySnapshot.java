package org.jdlm.kernel.core;

import java.util.List;

/**
 * The member's memory as {@code dlm dump --memory} and the detector see it: plain records, taken
 * under the memory monitor (which no task holds while it waits or runs a shrinker, so a snapshot
 * never waits for a stuck task). {@code reclaimers} are the endpoints of the tasks executing reclaim
 * now: the OR sources of every {@code waits-memory} edge.
 */
public record MemorySnapshot(long totalPages, int pageSize, long freePages, MemoryBudget.Watermarks watermarks,
                             String kswapd, List<String> reclaimers, List<String> waiters,
                             List<ShrinkerView> shrinkers, List<MempoolView> mempools, List<MemoryState.Bdi> bdis,
                             Counters counters) {
  public MemorySnapshot {
    reclaimers = List.copyOf(reclaimers);
    waiters = List.copyOf(waiters);
    shrinkers = List.copyOf(shrinkers);
    mempools = List.copyOf(mempools);
    bdis = List.copyOf(bdis);
  }

  /** A registered shrinker with its last count and its totals. */
  public record ShrinkerView(String name, int seeks, boolean needsFs, boolean needsIo, long lastFreeable,
                             long scanned, long freed, long stops) {}

  /**
   * A mempool: elements held in reserve out of its minimum, and the endpoints of the tasks holding
   * elements lent out (the OR providers of a {@code waits-memory} edge on {@code mempool:NAME}).
   */
  public record MempoolView(String name, int minElements, int available, long elementPages, long served,
                            long fromReserve, List<String> holders) {
    public MempoolView {
      holders = List.copyOf(holders);
    }

    public MempoolView(String name, int minElements, int available, long elementPages, long served, long fromReserve) {
      this(name, minElements, available, elementPages, served, fromReserve, List.of());
    }
  }

  /** Monotonic counters: what a livelock monitor compares between windows. */
  public record Counters(long allocations, long failures, long waits, long directReclaims, long reserveGrants,
                         long kswapdRounds, long objectsFreed, long throttles) {}

  public long usedPages() {
    return totalPages - freePages;
  }

  /** {@code free<min}, {@code free<low}, {@code free<high} or {@code free>=high}: the dump's and the detector's level. */
  public String level() {
    return freePages < watermarks.min() ? "free<min" : freePages < watermarks.low() ? "free<low"
        : freePages < watermarks.high() ? "free<high" : "free>=high";
  }
}
