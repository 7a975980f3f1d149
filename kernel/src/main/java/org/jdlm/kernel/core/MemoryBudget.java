package org.jdlm.kernel.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The memory of one simulated node: a page budget with watermarks, a reserve for tasks that are
 * themselves freeing memory, and a FIFO of callers parked until memory is freed.
 *
 * <pre>
 *   total ────────────────────────────────────────────── 0 free pages
 *          |            |                  |         |
 *        high          low                min        0
 *   (kswapd stops) (kswapd wakes)  (normal allocations stop; MEMALLOC may go to 0,
 *                                   ATOMIC to min/2)
 * </pre>
 *
 * <p>Why a budget and not real JVM memory: the cycles this project reproduces (fs-cycles §5.1,
 * §5.2) are about <em>who may wait for whom</em> when memory is short, not about bytes. A budget
 * makes the shortage deterministic and observable, and every parked caller becomes a
 * {@code waits-memory} edge for the wait-for graph.
 *
 * <p>This class makes decisions only; the {@code MemoryManager} actor carries them out. It is not
 * thread-safe: exactly one actor owns an instance.
 */
public final class MemoryBudget {

  /** Watermarks in pages, ordered {@code 0 <= min <= low <= high <= total}. */
  public record Watermarks(long min, long low, long high) {
    public Watermarks {
      if (min < 0 || low < min || high < low) {
        throw new IllegalArgumentException(
            "watermarks must satisfy 0 <= min <= low <= high, got min=" + min + " low=" + low
                + " high=" + high);
      }
    }
  }

  /** Static settings of a node's memory (all bounds come from {@code jdlm.kernel.memory}). */
  public record Settings(long totalPages, int pageSize, Watermarks watermarks, int maxWaiters) {
    public Settings {
      Objects.requireNonNull(watermarks, "watermarks");
      if (totalPages <= 0) {
        throw new IllegalArgumentException("total-pages must be positive, got " + totalPages);
      }
      if (pageSize <= 0) {
        throw new IllegalArgumentException("page-size must be positive, got " + pageSize);
      }
      if (watermarks.high() > totalPages) {
        throw new IllegalArgumentException(
            "high watermark " + watermarks.high() + " exceeds total-pages " + totalPages);
      }
      if (maxWaiters < 0) {
        throw new IllegalArgumentException("max-waiters must be >= 0, got " + maxWaiters);
      }
    }
  }

  /** One allocation request: who asks, how much, and in which context. */
  public record Request(long requestId, String task, long bytes, GfpMask mask, Set<TaskFlag> taskFlags) {
    public Request {
      Objects.requireNonNull(task, "task");
      Objects.requireNonNull(mask, "mask");
      taskFlags = taskFlags == null ? Set.of() : Set.copyOf(taskFlags);
      if (bytes <= 0) {
        throw new IllegalArgumentException("allocation size must be positive, got " + bytes);
      }
    }

    /** The mask actually in force: scoped task flags narrow what the call site asked for. */
    public GfpMask effectiveMask() {
      return AllocationPolicy.effectiveMask(mask, taskFlags);
    }
  }

  /** What happened to a request. */
  public sealed interface Decision {}

  /** The request got {@code pages} pages now. */
  public record Granted(Request request, long pages) implements Decision {}

  /** The request may wait and was parked; it is granted by a later {@link #free}. */
  public record Parked(Request request, long pages) implements Decision {}

  /** The request cannot be satisfied and may not wait; {@code reason} says why. */
  public record Refused(Request request, String reason) implements Decision {}

  /** Result of an allocation: the decision and whether free memory fell below the low mark. */
  public record AllocateOutcome(Decision decision, boolean belowLow) {}

  /** Result of a free: parked requests that could now be granted, in FIFO order. */
  public record FreeOutcome(long freedPages, List<Granted> granted) {}

  private final Settings settings;
  private long usedPages;
  private final Map<Long, Long> pagesByRequest = new HashMap<>();
  private final Deque<Parked> waiters = new ArrayDeque<>();

  public MemoryBudget(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  public Settings settings() {
    return settings;
  }

  public long freePages() {
    return settings.totalPages() - usedPages;
  }

  public long usedPages() {
    return usedPages;
  }

  /** Parked requests, oldest first: each one is a {@code waits-memory} edge. */
  public List<Parked> waiters() {
    return Collections.unmodifiableList(new ArrayList<>(waiters));
  }

  /** Pages a request of {@code bytes} occupies (whole pages, as the page allocator hands out). */
  public long pagesFor(long bytes) {
    return (bytes + settings.pageSize() - 1) / settings.pageSize();
  }

  /** Decides one allocation. Parked requests keep their place ahead of later ones (FIFO). */
  public AllocateOutcome allocate(Request request) {
    if (pagesByRequest.containsKey(request.requestId()) || isParked(request.requestId())) {
      throw new IllegalStateException("request id " + request.requestId() + " is already in use");
    }
    long pages = pagesFor(request.bytes());
    if (pages > settings.totalPages()) {
      return new AllocateOutcome(new Refused(request,
          "request of " + pages + " pages exceeds the node's total of " + settings.totalPages()), false);
    }
    // A newcomer may not overtake parked callers unless it may use the reserve: otherwise a
    // stream of small allocations starves a large waiter forever.
    boolean mayOvertake = request.taskFlags().contains(TaskFlag.MEMALLOC)
        || request.effectiveMask() == GfpMask.ATOMIC;
    if ((waiters.isEmpty() || mayOvertake) && fits(request, pages)) {
      take(request, pages);
      return new AllocateOutcome(new Granted(request, pages), belowLow());
    }
    if (!request.effectiveMask().mayWait()) {
      return new AllocateOutcome(new Refused(request,
          "atomic allocation of " + pages + " pages with only " + freePages() + " free"), belowLow());
    }
    if (waiters.size() >= settings.maxWaiters()) {
      return new AllocateOutcome(new Refused(request,
          "too many parked allocations (max-waiters=" + settings.maxWaiters() + ")"), true);
    }
    Parked parked = new Parked(request, pages);
    waiters.addLast(parked);
    return new AllocateOutcome(parked, true);
  }

  /** Returns the pages of a granted request and grants parked requests that now fit, FIFO. */
  public FreeOutcome free(long requestId) {
    Long pages = pagesByRequest.remove(requestId);
    if (pages == null) {
      throw new IllegalStateException("free of unknown or already freed request " + requestId);
    }
    usedPages -= pages;
    List<Granted> granted = new ArrayList<>();
    // Strict FIFO: stop at the first waiter that does not fit, so it is not starved by smaller ones.
    while (!waiters.isEmpty() && fits(waiters.peekFirst().request(), waiters.peekFirst().pages())) {
      Parked next = waiters.removeFirst();
      take(next.request(), next.pages());
      granted.add(new Granted(next.request(), next.pages()));
    }
    checkInvariants();
    return new FreeOutcome(pages, List.copyOf(granted));
  }

  /** Withdraws a parked request (its task gave up or was killed). Returns whether it was parked. */
  public boolean cancel(long requestId) {
    return waiters.removeIf(p -> p.request().requestId() == requestId);
  }

  /** Invariants: used pages are the sum of live grants and never exceed the total. */
  public void checkInvariants() {
    long sum = 0;
    for (long p : pagesByRequest.values()) {
      sum += p;
    }
    if (sum != usedPages || usedPages < 0 || usedPages > settings.totalPages()) {
      throw new IllegalStateException("memory accounting broken: used=" + usedPages + " sum=" + sum
          + " total=" + settings.totalPages() + " grants=" + pagesByRequest + " waiters=" + waiters);
    }
  }

  private boolean isParked(long requestId) {
    for (Parked p : waiters) {
      if (p.request().requestId() == requestId) {
        return true;
      }
    }
    return false;
  }

  private boolean fits(Request request, long pages) {
    long after = freePages() - pages;
    if (request.taskFlags().contains(TaskFlag.MEMALLOC)) {
      return after >= 0; // PF_MEMALLOC may drain the reserve completely
    }
    if (request.effectiveMask() == GfpMask.ATOMIC) {
      return after >= settings.watermarks().min() / 2; // ALLOC_HARDER: half of the reserve
    }
    return after >= settings.watermarks().min();
  }

  private void take(Request request, long pages) {
    usedPages += pages;
    pagesByRequest.put(request.requestId(), pages);
    checkInvariants();
  }

  private boolean belowLow() {
    return freePages() < settings.watermarks().low();
  }
}
