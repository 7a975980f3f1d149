package org.jdlm.kernel;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.jdlm.kernel.core.AllocationPolicy;
import org.jdlm.kernel.core.DirtyPolicy;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.GfpMask;
import org.jdlm.kernel.core.Join;
import org.jdlm.kernel.core.MemoryBudget;
import org.jdlm.kernel.core.MemorySnapshot;
import org.jdlm.kernel.core.MemoryState;
import org.jdlm.kernel.core.ReclaimPolicy;
import org.jdlm.kernel.core.ShrinkControl;
import org.jdlm.kernel.core.TaskFlag;
import org.jdlm.kernel.core.WaitEdge;

/**
 * The memory of one member: a page budget with min/low/high watermarks, the shrinker registry,
 * direct reclaim in the allocating task, kswapd, mempools, and dirty/writeback accounting per
 * backing device with dirty and reclaim throttling.
 *
 * <p>A monitor-guarded kernel object, not an actor: an allocation runs in the caller's task and
 * may reclaim (calling shrinkers that may block) and wait there, exactly as {@code
 * __alloc_pages_slowpath} does, so a cycle through reclaim is a real cycle of blocked tasks with
 * typed edges. The monitor is never held while a shrinker runs or a task waits (waits release it),
 * so {@link #snapshot()} works while every task is stuck. Every decision comes from the pure
 * {@link AllocationPolicy}, {@link ReclaimPolicy} and {@link DirtyPolicy}; the numbers live in
 * {@link MemoryState}.
 */
public final class Memory {
  /** The endpoint of this member's memory in the wait-for graph: the OR node of §5.0. */
  public static final String ENDPOINT = "mem";

  private final Kernel kernel;
  private final Kernel.Settings settings;
  /** Replaced only by {@link #resize} (under the monitor); volatile so lock-free readers see the latest. */
  private volatile MemoryBudget.Settings budget;
  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled whenever pages are freed or writeback ends: what memory waiters and throttled tasks wait for. */
  private final Condition changed = lock.newCondition();
  private final Condition kswapdWake = lock.newCondition();
  private final MemoryState state;
  private final List<Registered> shrinkers = new CopyOnWriteArrayList<>();
  private final List<Mempool> mempools = new CopyOnWriteArrayList<>();
  private final List<Runnable> freeListeners = new CopyOnWriteArrayList<>();
  private final Set<Task> reclaimers = new LinkedHashSet<>();
  private final Map<Task, WaitEdge> waiters = new LinkedHashMap<>();
  private final AtomicLong nextGrant = new AtomicLong(1);
  private final AtomicLong directReclaims = new AtomicLong();
  private final AtomicLong objectsFreed = new AtomicLong();
  private long epoch;
  private long allocations;
  private long failures;
  private long waits;
  private long reserveGrants;
  private long kswapdRounds;
  private long throttles;
  private boolean kswapdWanted;
  private boolean kswapdHopeless;
  private boolean stopped;
  private volatile Task kswapd;

  Memory(Kernel kernel) {
    this.kernel = kernel;
    this.settings = kernel.settings();
    this.budget = settings.memory();
    this.state = new MemoryState(budget.totalPages());
  }

  /**
   * Sets a new page budget and watermarks at run time (a scenario's {@code nX memory total=…}, an
   * operator shrinking a lab member): refused while more pages are in use than the new total. Waiters
   * and kswapd re-check at once, so a larger budget lets waiting allocations through and a higher
   * {@code low} wakes kswapd.
   *
   * @throws IllegalArgumentException naming the value and the reason when the budget is invalid or
   *                                  smaller than what is in use
   */
  public void resize(long totalPages, MemoryBudget.Watermarks watermarks) {
    lock.lock();
    try {
      MemoryBudget.Settings next = new MemoryBudget.Settings(totalPages, budget.pageSize(), watermarks,
          budget.maxWaiters());
      state.resize(totalPages);
      budget = next;
      kswapdHopeless = false; // a new budget is a new picture: kswapd may succeed now
      if (state.freePages() < watermarks.low()) {
        wakeKswapdLocked();
      }
      changed.signalAll();
      state.checkInvariants();
    } finally {
      lock.unlock();
    }
  }

  /** Pages a request of {@code bytes} occupies (whole pages, as the page allocator hands out). */
  public long pagesFor(long bytes) {
    return (bytes + budget.pageSize() - 1) / budget.pageSize();
  }

  public long freePages() {
    lock.lock();
    try {
      return state.freePages();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Allocates {@code bytes} for the current task under {@code mask} and the task's flags. May
   * reclaim in this task (calling shrinkers, which may block) and wait, each wait bounded by
   * {@code memory.reclaim.retry-wait} and the number of waits by {@code max-retries}. A mask that
   * may wait needs a kernel task (a bug otherwise); NOWAIT and ATOMIC work from any thread.
   */
  public AllocationResult allocate(long bytes, GfpMask mask) {
    if (bytes <= 0) {
      return new AllocationResult.Failed("allocation size must be positive, got " + bytes);
    }
    Task task = Task.currentOrNull();
    if (task == null && mask.mayWait()) {
      throw new IllegalStateException("a " + mask.label() + " allocation may block and must run on a kernel task;"
          + " caller is thread " + Thread.currentThread().getName());
    }
    Set<TaskFlag> flags = task == null ? Set.of() : AllocationPolicy.effectiveFlags(task.flags());
    long pages = pagesFor(bytes);
    boolean reclaimed = false;
    int attempt = 0;
    while (true) {
      AllocationPolicy.Plan plan;
      lock.lock();
      try {
        if (stopped) {
          return new AllocationResult.Failed("kernel of " + kernel.member() + " is stopping");
        }
        plan = AllocationPolicy.plan(new AllocationPolicy.Input(state.totalPages(), state.freePages(),
            budget.watermarks(), pages, mask, flags, task != null && reclaimers.contains(task), reclaimed, attempt,
            settings.maxRetries()));
        if (plan.wakeKswapd()) {
          wakeKswapdLocked();
        }
        switch (plan.step()) {
          case GRANT, GRANT_FROM_RESERVE -> {
            boolean reserve = plan.step() == AllocationPolicy.Step.GRANT_FROM_RESERVE;
            long id = nextGrant.getAndIncrement();
            state.take(id, pages);
            allocations++;
            if (reserve) {
              reserveGrants++;
            }
            state.checkInvariants();
            return new Allocation(this, id, bytes, pages, reserve);
          }
          case FAIL -> {
            failures++;
            return new AllocationResult.Failed(plan.reason());
          }
          case WAIT -> {
            waits++;
            long seen = epoch;
            WaitEdge edge = WaitEdge.memory(bytes, plan.effective(), ENDPOINT);
            waiters.put(task, edge);
            try {
              task.awaitCondition(edge, lock, changed, () -> epoch != seen || stopped, settings.retryWait());
            } finally {
              waiters.remove(task);
            }
            attempt++;
            reclaimed = false;
            continue;
          }
          case DIRECT_RECLAIM -> { }
          default -> throw new IllegalStateException("unknown step " + plan.step());
        }
      } finally {
        lock.unlock();
      }
      directReclaims.incrementAndGet();
      directReclaim(task, plan.effective(), pages);
      reclaimed = true;
    }
  }

  /**
   * Direct reclaim in the allocating task: with PF_MEMALLOC set for its duration (as {@code
   * memalloc_noreclaim_save} does, unless {@code memalloc-during-reclaim} is off), first throttled
   * if too much is under writeback, then the eligible shrinkers until the allocation would fit.
   */
  private void directReclaim(Task task, GfpMask effective, long pages) {
    Set<TaskFlag> flagsBefore = task.flags();
    Task.FlagScope scope = settings.memallocDuringReclaim() ? task.withFlags(TaskFlag.MEMALLOC) : () -> { };
    try {
      reclaimThrottle(task, flagsBefore);
      reclaim(task, effective, () -> state.freePages() - pages >= budget.watermarks().min());
    } finally {
      scope.close();
    }
  }

  /**
   * Runs the shrinkers eligible under {@code effective} in {@code task}, from start-priority down
   * to 0, until {@code done} (read under the monitor) holds. Returns the objects freed.
   */
  private long reclaim(Task task, GfpMask effective, BooleanSupplier done) {
    withLock(() -> reclaimers.add(task));
    try {
      long freedTotal = 0;
      for (int priority = settings.startPriority(); priority >= 0; priority--) {
        for (Registered r : shrinkers) {
          if (!ReclaimPolicy.mayRun(r.info, effective)) {
            continue;
          }
          if (holds(done)) {
            return freedTotal;
          }
          ShrinkControl control = new ShrinkControl(effective, task.flags(), task.endpoint(), 0);
          long freeable = r.shrinker.countFreeable(control);
          r.lastFreeable.set(freeable);
          long remaining = ReclaimPolicy.toScan(freeable == Shrinker.EMPTY ? 0 : freeable, r.info.seeks(), priority);
          while (remaining > 0) {
            long n = ReclaimPolicy.nextBatch(remaining, settings.batch());
            long freed = task.withActivity(EdgeKind.RECLAIMS_VIA.label() + "(" + r.info.name() + ")",
                () -> r.shrinker.scan(control.withScan(n)));
            if (freed == Shrinker.STOP) {
              r.stops.incrementAndGet();
              break;
            }
            if (freed < 0) {
              throw new IllegalStateException("shrinker " + r.info.name() + " returned " + freed
                  + " from scan; expected objects freed or STOP");
            }
            r.scanned.addAndGet(n);
            r.freed.addAndGet(freed);
            objectsFreed.addAndGet(freed);
            freedTotal += freed;
            remaining -= n;
            if (holds(done)) {
              return freedTotal;
            }
          }
        }
      }
      return freedTotal;
    } finally {
      withLock(() -> reclaimers.remove(task));
    }
  }

  /** {@code reclaim_throttle(VMSCAN_THROTTLE_WRITEBACK)}: wait a bounded while for writeback to complete. */
  private void reclaimThrottle(Task task, Set<TaskFlag> flags) {
    lock.lock();
    try {
      if (!DirtyPolicy.reclaimThrottled(state.usedPages(), state.writebackPages(), flags, settings.dirty())) {
        return;
      }
      throttles++;
      long seen = epoch;
      task.awaitCondition(throttledEdge(bdisWith(true)), lock, changed, () -> epoch != seen || stopped,
          settings.reclaimThrottleWait());
    } finally {
      lock.unlock();
    }
  }

  void release(Allocation a) {
    lock.lock();
    try {
      state.release(a.id());
      epoch++;
      kswapdHopeless = false;
      state.checkInvariants();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    freeListeners.forEach(Runnable::run);
  }

  /** Runs {@code listener} on the freeing thread after every free (workqueues retry worker creation). */
  void onFree(Runnable listener) {
    freeListeners.add(listener);
  }

  /**
   * Runs {@code listener} on the freeing thread after every free, outside the memory monitor, until
   * the returned handle is closed: how a user that must not block (the DLM's master actors holding
   * a reply for want of a buffer) learns when to try a non-waiting allocation again. The listener
   * must not block; it may allocate with NOWAIT/ATOMIC and free.
   */
  public AutoCloseable whenFreed(Runnable listener) {
    Objects.requireNonNull(listener, "listener");
    freeListeners.add(listener);
    return () -> freeListeners.remove(listener);
  }

  /** Registers a shrinker; calls follow registration order. Unregister by closing the handle. */
  public synchronized AutoCloseable register(Shrinker shrinker) {
    Registered r = new Registered(shrinker, new ReclaimPolicy.ShrinkerInfo(shrinker.name(), shrinker.seeks(),
        shrinker.needsFs(), shrinker.needsIo()));
    if (shrinkers.stream().anyMatch(s -> s.info.name().equals(shrinker.name()))) {
      throw new IllegalArgumentException("a shrinker named " + shrinker.name() + " is already registered");
    }
    shrinkers.add(r);
    return () -> shrinkers.remove(r);
  }

  /**
   * A mempool of {@code minElements} elements of {@code elementBytes}, pre-allocated now under
   * {@code mask} (on a task if the mask may wait). Refused (IllegalStateException) if the
   * pre-allocation fails: a reserve that does not exist must not look as if it did.
   */
  public Mempool createMempool(String name, int minElements, long elementBytes, GfpMask mask) {
    Mempool pool = new Mempool(this, name, minElements, elementBytes, mask);
    mempools.add(pool);
    return pool;
  }

  void forget(Mempool pool) {
    mempools.remove(pool);
  }

  // --- dirty and writeback accounting -------------------------------------------------------

  /** {@code pages} allocated pages of {@code bdi} become dirty (accounting only; see {@link #balanceDirtyPages}). */
  public void dirty(String bdi, long pages) {
    withLock(() -> state.dirty(bdi, pages));
  }

  public void startWriteback(String bdi, long pages) {
    withLock(() -> state.startWriteback(bdi, pages));
  }

  /** Writeback of {@code pages} of {@code bdi} completed: wakes throttled writers and reclaimers. */
  public void endWriteback(String bdi, long pages) {
    lock.lock();
    try {
      state.endWriteback(bdi, pages);
      epoch++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Dirty pages dropped without writeback (truncate, invalidate). */
  public void cancelDirty(String bdi, long pages) {
    lock.lock();
    try {
      state.cancelDirty(bdi, pages);
      epoch++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Whether the flusher should write back in the background (node dirty over background-percent). */
  public boolean backgroundWritebackDue() {
    lock.lock();
    try {
      return DirtyPolicy.backgroundWriteback(state.totalPages(), state.dirtyPages(), settings.dirty());
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@code balance_dirty_pages}: after dirtying pages of {@code bdi}, the current task waits (a
   * {@code throttled} OR edge over the devices whose writeback would release it) until it is under
   * its limit. Bounded by {@code tasks.max-wait}; throws {@link Task.WaitTimedOut} beyond it.
   */
  public void balanceDirtyPages(String bdi) {
    Task task = Task.current();
    Set<TaskFlag> flags = task.flags();
    lock.lock();
    try {
      if (!writerThrottledLocked(bdi, flags)) {
        return;
      }
      throttles++;
      boolean local = AllocationPolicy.effectiveFlags(flags).contains(TaskFlag.LOCAL_THROTTLE);
      WaitEdge edge = local ? WaitEdge.throttled(bdi) : throttledEdge(bdisWith(false));
      if (!task.awaitCondition(edge, lock, changed, () -> !writerThrottledLocked(bdi, flags) || stopped,
          settings.maxWait())) {
        throw new Task.WaitTimedOut(task, edge, settings.maxWait());
      }
    } finally {
      lock.unlock();
    }
  }

  private boolean writerThrottledLocked(String bdi, Set<TaskFlag> flags) {
    MemoryState.Bdi b = state.bdi(bdi);
    return DirtyPolicy.writerThrottled(state.totalPages(), state.dirtyAndWriteback(), b.dirty() + b.writeback(),
        flags, settings.dirty());
  }

  private List<String> bdisWith(boolean writebackOnly) {
    List<String> out = new ArrayList<>();
    for (MemoryState.Bdi b : state.bdis()) {
      if (b.writeback() > 0 || (!writebackOnly && b.dirty() > 0)) {
        out.add(b.name());
      }
    }
    return out;
  }

  private static WaitEdge throttledEdge(List<String> bdis) {
    if (bdis.isEmpty()) {
      return WaitEdge.throttled("none");
    }
    return new WaitEdge(EdgeKind.THROTTLED, String.join(",", bdis), Join.OR,
        bdis.stream().map(b -> "bdi:" + b).toList());
  }

  // --- kswapd ---------------------------------------------------------------------------------

  void startKswapd() {
    kswapd = kernel.spawn("kswapd0", EnumSet.of(TaskFlag.MEMALLOC, TaskFlag.KTHREAD, TaskFlag.KSWAPD),
        this::kswapdLoop);
  }

  private void wakeKswapdLocked() {
    if (!kswapdHopeless) {
      kswapdWanted = true;
      kswapdWake.signal();
    }
  }

  /**
   * kswapd: sleeps until an allocation leaves free memory below low, then reclaims with GFP_KERNEL
   * (it may enter filesystem shrinkers) until free memory reaches high or it failed
   * {@code kswapd.max-failures} passes in a row; after that it stays asleep until pages are freed.
   */
  private void kswapdLoop() {
    Task me = Task.current();
    while (true) {
      lock.lock();
      try {
        while (!kswapdWanted && !stopped) {
          me.idle(lock, kswapdWake, () -> kswapdWanted || stopped, settings.maxWait());
        }
        if (stopped) {
          return;
        }
        kswapdWanted = false;
      } finally {
        lock.unlock();
      }
      int failed = 0;
      while (true) {
        lock.lock();
        try {
          if (stopped || !ReclaimPolicy.kswapdContinues(state.freePages(), budget.watermarks(), failed,
              settings.kswapdMaxFailures())) {
            kswapdHopeless = !stopped && state.freePages() < budget.watermarks().high() && failed > 0;
            break;
          }
          kswapdRounds++;
        } finally {
          lock.unlock();
        }
        reclaimThrottle(me, me.flags());
        long freed = reclaim(me, GfpMask.KERNEL, () -> state.freePages() >= budget.watermarks().high());
        failed = freed > 0 ? 0 : failed + 1;
      }
    }
  }

  Kernel.Settings kernelSettings() {
    return settings;
  }

  /** The kswapd task of this member. */
  public Task kswapd() {
    return kswapd;
  }

  void stop() {
    lock.lock();
    try {
      stopped = true;
      changed.signalAll();
      kswapdWake.signalAll();
    } finally {
      lock.unlock();
    }
    mempools.forEach(Mempool::stop);
  }

  // --- snapshot -------------------------------------------------------------------------------

  /** The member's memory for dumps and the detector; never waits for a task. */
  public MemorySnapshot snapshot() {
    lock.lock();
    try {
      List<MemorySnapshot.ShrinkerView> views = new ArrayList<>();
      for (Registered r : shrinkers) {
        views.add(new MemorySnapshot.ShrinkerView(r.info.name(), r.info.seeks(), r.info.needsFs(), r.info.needsIo(),
            r.lastFreeable.get(), r.scanned.get(), r.freed.get(), r.stops.get()));
      }
      Task k = kswapd;
      String kswapdLine = k == null ? "-" : k.endpoint() + " " + k.snapshot().state()
          + (kswapdHopeless ? " (gave up until memory is freed)" : "");
      return new MemorySnapshot(state.totalPages(), budget.pageSize(), state.freePages(), budget.watermarks(),
          kswapdLine, reclaimers.stream().map(Task::endpoint).toList(),
          waiters.entrySet().stream().map(e -> e.getKey().endpoint() + " " + e.getValue().label()).toList(),
          views, mempools.stream().map(Mempool::view).toList(), state.bdis(),
          new MemorySnapshot.Counters(allocations, failures, waits, directReclaims.get(), reserveGrants, kswapdRounds,
              objectsFreed.get(), throttles));
    } finally {
      lock.unlock();
    }
  }

  /** Checks the accounting (tests call it after every step). */
  public void checkInvariants() {
    withLock(state::checkInvariants);
  }

  private boolean holds(BooleanSupplier condition) {
    lock.lock();
    try {
      return condition.getAsBoolean();
    } finally {
      lock.unlock();
    }
  }

  private void withLock(Runnable r) {
    lock.lock();
    try {
      r.run();
    } finally {
      lock.unlock();
    }
  }

  private static final class Registered {
    final Shrinker shrinker;
    final ReclaimPolicy.ShrinkerInfo info;
    final AtomicLong lastFreeable = new AtomicLong();
    final AtomicLong scanned = new AtomicLong();
    final AtomicLong freed = new AtomicLong();
    final AtomicLong stops = new AtomicLong();

    Registered(Shrinker shrinker, ReclaimPolicy.ShrinkerInfo info) {
      this.shrinker = shrinker;
      this.info = info;
    }
  }
}
