package org.jdlm.kernel;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.GfpMask;
import org.jdlm.kernel.core.Join;
import org.jdlm.kernel.core.MemorySnapshot;
import org.jdlm.kernel.core.Sizes;
import org.jdlm.kernel.core.WaitEdge;

/**
 * Pre-allocated elements for one named user (the fence agent's working memory, the DLM comm's
 * message buffers), after {@code mm/mempool.c}. {@link #alloc} first tries the page allocator
 * without reclaim or waiting (so a pool never drives reclaim itself), then hands out a reserved
 * element, and only when the reserve is empty waits for an element to come back. A user whose
 * every allocation goes through a pool of the right size therefore never waits on reclaim: the
 * cycle breaks at the allocation edge (fs-cycles §5.1 F-a4, §5.2 F-b3).
 *
 * <p>Elements go back through {@link #free}, which refills the reserve before returning pages.
 */
public final class Mempool {
  private final Memory memory;
  private final String name;
  private final int minElements;
  private final long elementBytes;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition returned = lock.newCondition();
  private final Deque<Allocation> reserve = new ArrayDeque<>();
  // Elements lent out and the task that took each: the detector's providers of this pool (a waiter
  // is served when a holder frees). Elements closed instead of freed drop out at the next view().
  private final java.util.Map<Allocation, String> lent = new java.util.IdentityHashMap<>();
  private long served;
  private long fromReserve;
  private long returnedCount;
  private boolean stopped;

  Mempool(Memory memory, String name, int minElements, long elementBytes, GfpMask mask) {
    this.memory = memory;
    this.name = Objects.requireNonNull(name, "name");
    if (minElements <= 0) {
      throw new IllegalArgumentException("mempool " + name + ": min elements must be positive, got " + minElements);
    }
    if (elementBytes <= 0) {
      throw new IllegalArgumentException("mempool " + name + ": element size must be positive, got " + elementBytes);
    }
    this.minElements = minElements;
    this.elementBytes = elementBytes;
    for (int i = 0; i < minElements; i++) {
      AllocationResult r = memory.allocate(elementBytes, mask);
      if (r instanceof AllocationResult.Failed f) {
        reserve.forEach(Allocation::close);
        throw new IllegalStateException("mempool " + name + ": could not pre-allocate element " + (i + 1) + " of "
            + minElements + ": " + f.reason());
      }
      reserve.push((Allocation) r);
    }
  }

  public String name() {
    return name;
  }

  /** {@code mempool:name}, the endpoint a task waiting for an element waits on. */
  public String endpoint() {
    return "mempool:" + name;
  }

  public int available() {
    lock.lock();
    try {
      return reserve.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * One element. Waits (a {@code waits-memory} edge on this pool, bounded by retry-wait per round
   * and max-retries rounds) only when the allocator and the reserve are both empty and {@code mask}
   * may wait; fails at once otherwise.
   */
  public AllocationResult alloc(GfpMask mask) {
    int attempt = 0;
    while (true) {
      AllocationResult direct = memory.allocate(elementBytes, GfpMask.NOWAIT);
      lock.lock();
      try {
        if (direct instanceof Allocation a) {
          served++;
          return lend(a);
        }
        if (!reserve.isEmpty()) {
          served++;
          fromReserve++;
          return lend(reserve.pop());
        }
        if (!mask.mayWait() || stopped) {
          return new AllocationResult.Failed("mempool " + name + " is empty (" + minElements + " elements lent out)"
              + " and " + mask.label() + " may not wait");
        }
        if (attempt >= memory.kernelSettings().maxRetries()) {
          return new AllocationResult.Failed("mempool " + name + " stayed empty through " + attempt + " waits");
        }
        long seen = returnedCount;
        WaitEdge edge = new WaitEdge(EdgeKind.WAITS_MEMORY, Sizes.human(elementBytes) + "," + mask.label(), Join.OR,
            List.of(endpoint()));
        Task.current().awaitCondition(edge, lock, returned, () -> returnedCount != seen || stopped,
            memory.kernelSettings().retryWait());
        attempt++;
      } finally {
        lock.unlock();
      }
    }
  }

  private Allocation lend(Allocation a) {
    Task t = Task.currentOrNull();
    lent.put(a, t == null ? "(no task)" : t.endpoint());
    return a;
  }

  /** Returns an element: into the reserve while it is below its minimum, else to the allocator. */
  public void free(Allocation element) {
    if (element.isFreed()) {
      throw new IllegalStateException("mempool " + name + ": " + element + " was already freed");
    }
    if (element.pages() != memory.pagesFor(elementBytes)) {
      throw new IllegalArgumentException("mempool " + name + ": " + element + " is not an element of "
          + elementBytes + " bytes");
    }
    lock.lock();
    try {
      lent.remove(element);
      returnedCount++;
      if (reserve.size() < minElements) {
        reserve.push(element);
        returned.signalAll();
        return;
      }
    } finally {
      lock.unlock();
    }
    element.close();
  }

  void stop() {
    lock.lock();
    try {
      stopped = true;
      returned.signalAll();
    } finally {
      lock.unlock();
    }
  }

  MemorySnapshot.MempoolView view() {
    lock.lock();
    try {
      lent.keySet().removeIf(Allocation::isFreed);
      return new MemorySnapshot.MempoolView(name, minElements, reserve.size(), memory.pagesFor(elementBytes), served,
          fromReserve, lent.values().stream().filter(h -> !h.equals("(no task)")).distinct().sorted().toList());
    } finally {
      lock.unlock();
    }
  }

  /** Returns every reserved element to the allocator (the pool's user is gone). */
  public void destroy() {
    List<Allocation> elements;
    lock.lock();
    try {
      elements = List.copyOf(reserve);
      reserve.clear();
      stopped = true;
      returned.signalAll();
    } finally {
      lock.unlock();
    }
    // Outside the pool's lock: the memory monitor is always taken first (snapshot reads pools).
    elements.forEach(Allocation::close);
    memory.forget(this);
  }
}
