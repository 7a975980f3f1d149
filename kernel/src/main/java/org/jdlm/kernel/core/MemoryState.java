package org.jdlm.kernel.core;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The page accounting of one member: live grants, and dirty and writeback pages per backing
 * device ("bdi"). It decides nothing (that is {@link AllocationPolicy}, {@link ReclaimPolicy},
 * {@link DirtyPolicy}); it only keeps the numbers consistent. Not thread-safe: the kernel's
 * {@code Memory} monitor owns one instance.
 *
 * <p>Invariants ({@link #checkInvariants()}): used pages are the sum of the live grants and lie in
 * {@code 0..total}; no bdi count is negative; dirty plus writeback pages of all bdis never exceed
 * the used pages (a dirty page is a page somebody allocated).
 */
public final class MemoryState {

  /** Dirty and writeback pages of one backing device. */
  public record Bdi(String name, long dirty, long writeback) {}

  private long totalPages;
  private long usedPages;
  private final Map<Long, Long> grants = new HashMap<>();
  private final Map<String, long[]> bdis = new TreeMap<>();

  public MemoryState(long totalPages) {
    if (totalPages <= 0) {
      throw new IllegalArgumentException("total-pages must be positive, got " + totalPages);
    }
    this.totalPages = totalPages;
  }

  public long totalPages() {
    return totalPages;
  }

  /** A new total ({@code Memory.resize}); refused below the pages in use. */
  public void resize(long newTotalPages) {
    if (newTotalPages <= 0 || newTotalPages < usedPages) {
      throw new IllegalArgumentException("total-pages " + newTotalPages + " must be positive and at least the "
          + usedPages + " pages in use");
    }
    totalPages = newTotalPages;
  }

  public long usedPages() {
    return usedPages;
  }

  public long freePages() {
    return totalPages - usedPages;
  }

  public int liveGrants() {
    return grants.size();
  }

  /** Records a grant; the caller decided it fits. */
  public void take(long grantId, long pages) {
    if (pages <= 0 || pages > freePages()) {
      throw new IllegalStateException("grant " + grantId + " of " + pages + " pages with " + freePages() + " free");
    }
    if (grants.putIfAbsent(grantId, pages) != null) {
      throw new IllegalStateException("grant id " + grantId + " is already live");
    }
    usedPages += pages;
  }

  /** Returns a grant's pages; the count freed. */
  public long release(long grantId) {
    Long pages = grants.remove(grantId);
    if (pages == null) {
      throw new IllegalStateException("free of unknown or already freed grant " + grantId);
    }
    usedPages -= pages;
    if (dirtyAndWriteback() > usedPages) {
      grants.put(grantId, pages);
      usedPages += pages;
      throw new IllegalStateException("free of grant " + grantId + " would leave " + dirtyAndWriteback()
          + " dirty/writeback pages in " + (usedPages - pages) + " used; clean them first");
    }
    return pages;
  }

  /** {@code pages} clean pages of {@code bdi} become dirty. */
  public void dirty(String bdi, long pages) {
    requirePositive(pages, "dirty");
    if (dirtyAndWriteback() + pages > usedPages) {
      throw new IllegalStateException("cannot dirty " + pages + " pages of " + bdi + ": only " + usedPages
          + " used and " + dirtyAndWriteback() + " already dirty or under writeback");
    }
    counts(bdi)[0] += pages;
  }

  /** {@code pages} dirty pages of {@code bdi} start writeback. */
  public void startWriteback(String bdi, long pages) {
    requirePositive(pages, "start writeback of");
    long[] c = counts(bdi);
    if (c[0] < pages) {
      throw new IllegalStateException("bdi " + bdi + " has " + c[0] + " dirty pages, cannot write back " + pages);
    }
    c[0] -= pages;
    c[1] += pages;
  }

  /** {@code pages} pages of {@code bdi} finished writeback and are clean. */
  public void endWriteback(String bdi, long pages) {
    requirePositive(pages, "end writeback of");
    long[] c = counts(bdi);
    if (c[1] < pages) {
      throw new IllegalStateException("bdi " + bdi + " has " + c[1] + " pages under writeback, cannot end " + pages);
    }
    c[1] -= pages;
  }

  /** {@code pages} dirty pages of {@code bdi} were dropped without writeback (truncate). */
  public void cancelDirty(String bdi, long pages) {
    requirePositive(pages, "cancel dirty");
    long[] c = counts(bdi);
    if (c[0] < pages) {
      throw new IllegalStateException("bdi " + bdi + " has " + c[0] + " dirty pages, cannot cancel " + pages);
    }
    c[0] -= pages;
  }

  public Bdi bdi(String name) {
    long[] c = bdis.getOrDefault(name, new long[2]);
    return new Bdi(name, c[0], c[1]);
  }

  public java.util.List<Bdi> bdis() {
    return bdis.entrySet().stream().map(e -> new Bdi(e.getKey(), e.getValue()[0], e.getValue()[1])).toList();
  }

  public long dirtyPages() {
    return bdis.values().stream().mapToLong(c -> c[0]).sum();
  }

  public long writebackPages() {
    return bdis.values().stream().mapToLong(c -> c[1]).sum();
  }

  public long dirtyAndWriteback() {
    return dirtyPages() + writebackPages();
  }

  public void checkInvariants() {
    long sum = 0;
    for (long p : grants.values()) {
      sum += p;
    }
    if (sum != usedPages || usedPages < 0 || usedPages > totalPages) {
      throw new IllegalStateException("memory accounting broken: used=" + usedPages + " sum=" + sum
          + " total=" + totalPages + " grants=" + grants);
    }
    for (Map.Entry<String, long[]> e : bdis.entrySet()) {
      if (e.getValue()[0] < 0 || e.getValue()[1] < 0) {
        throw new IllegalStateException("bdi " + e.getKey() + " has negative counts " + bdi(e.getKey()));
      }
    }
    if (dirtyAndWriteback() > usedPages) {
      throw new IllegalStateException("dirty+writeback " + dirtyAndWriteback() + " exceeds used " + usedPages);
    }
  }

  private long[] counts(String bdi) {
    Objects.requireNonNull(bdi, "bdi");
    return bdis.computeIfAbsent(bdi, b -> new long[2]);
  }

  private static void requirePositive(long pages, String what) {
    if (pages <= 0) {
      throw new IllegalArgumentException("cannot " + what + " " + pages + " pages: must be positive");
    }
  }
}
