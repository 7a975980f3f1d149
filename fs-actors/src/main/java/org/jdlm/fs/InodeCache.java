package org.jdlm.fs;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jdlm.fs.core.GlockName;
import org.jdlm.fs.core.GlockState;
import org.jdlm.fs.core.GlockType;
import org.jdlm.fs.core.HolderFlag;
import org.jdlm.fs.core.InodeCore;
import org.jdlm.fs.core.InodeEffect;
import org.jdlm.fs.core.InodeLru;
import org.jdlm.fs.core.InodeRules.IopenOutcome;
import org.jdlm.kernel.Allocation;
import org.jdlm.kernel.AllocationResult;
import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.Shrinker;
import org.jdlm.kernel.Task;
import org.jdlm.kernel.Workqueue;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.GfpMask;
import org.jdlm.kernel.core.ShrinkControl;
import org.jdlm.kernel.core.TaskFlag;
import org.jdlm.kernel.core.WaitEdge;

/**
 * One mounted filesystem's inode cache on this member (fs-cycles §2): {@link InodeCore} per inode,
 * the {@link InodeLru}, the inode shrinker and the delete workqueue.
 *
 * <p>Unlike the glocks this is a monitor-guarded kernel object, not an actor, for the same reason
 * {@code Memory} is one: eviction runs <em>synchronously in the task that triggers it</em> — the
 * last {@code iput}, or the reclaiming task inside the shrinker — and that is what closes cycles
 * (a) and (b). The monitor is never held while a task waits (glock calls, memory), so the cache can
 * be inspected while everything else is stuck. Decisions are in {@link InodeCore}/{@link InodeLru};
 * this class carries out their effects in the calling task.
 */
public final class InodeCache implements AutoCloseable {

  /** A cached inode as its users see it: its glocks and the iopen holder it keeps while cached. */
  public static final class Inode {
    private final long ino;
    private final Glocks.GlockRef inodeGlock;
    private final Glocks.GlockRef iopenGlock;
    private final Allocation memory;
    /** Only the task running the inode's lookup or eviction touches it (the core serialises them). */
    private Glocks.GlockHolder iopenHolder;

    private Inode(long ino, Glocks.GlockRef inodeGlock, Glocks.GlockRef iopenGlock, Allocation memory) {
      this.ino = ino;
      this.inodeGlock = inodeGlock;
      this.iopenGlock = iopenGlock;
      this.memory = memory;
    }

    public long ino() {
      return ino;
    }

    public Glocks.GlockRef inodeGlock() {
      return inodeGlock;
    }

    public Glocks.GlockRef iopenGlock() {
      return iopenGlock;
    }
  }

  private final Glocks glocks;
  private final Kernel kernel;
  private final FsSettings settings;
  private final String fsName;
  private final Workqueue deleteWorkqueue;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<Long, InodeCore> cores = new HashMap<>();
  private final Map<Long, Inode> inodes = new HashMap<>();
  private final InodeLru lru;
  private final EvictHooks hooks;
  private final AutoCloseable shrinkerRegistration;
  private long evictions;

  /**
   * What eviction does to the file layer's caches of an inode (the data the glock layer does not
   * own): the page cache, the cached dinode and the blocks. Both run in the evicting task.
   */
  public interface EvictHooks {
    /** No file layer: nothing cached beyond the glocks. */
    EvictHooks NONE = new EvictHooks() {
      @Override
      public void cacheDrop(long ino) { }

      @Override
      public void deallocate(long ino) { }
    };

    /** Case A/C ({@code evict_linked_inode}): write back what is dirty, then drop the inode's caches. */
    void cacheDrop(long ino);

    /** Case B, with the inode glock held EX: free the inode's blocks and its dinode, drop its caches. */
    void deallocate(long ino);
  }

  private InodeCache(String fsName, Glocks glocks, FsSettings settings, EvictHooks hooks) {
    this.hooks = hooks;
    this.fsName = fsName;
    this.glocks = glocks;
    this.kernel = glocks.kernel();
    this.settings = settings;
    this.lru = new InodeLru(settings.inode().lruScanBatch());
    this.deleteWorkqueue = kernel.createWorkqueue("delete_workqueue-" + fsName, settings.deleteActive(), true);
    this.shrinkerRegistration = kernel.memory().register(new InodeShrinker());
  }

  /** The inode cache of filesystem {@code fsName}, whose glocks are {@code glocks}; registers its shrinker. */
  public static InodeCache create(String fsName, Glocks glocks, FsSettings settings) {
    return new InodeCache(fsName, glocks, settings, EvictHooks.NONE);
  }

  /** The inode cache of a filesystem whose file layer caches data: eviction calls {@code hooks}. */
  public static InodeCache create(String fsName, Glocks glocks, FsSettings settings, EvictHooks hooks) {
    return new InodeCache(fsName, glocks, settings, hooks);
  }

  /**
   * {@code gfs2_inode_lookup}: the inode with a reference. A miss reads it in in this task: its
   * memory ({@code GFP_NOFS}), the inode glock reference and the iopen glock held SH. A lookup of
   * an inode being read in or evicted waits for that to finish.
   */
  public Inode iget(long ino) {
    Task task = Task.current();
    lock.lock();
    try {
      while (true) {
        InodeCore core = cores.get(ino);
        if (core == null) {
          core = new InodeCore(ino, settings.inode().iopenUpgradeTimeoutMillis());
          cores.put(ino, core);
          break;
        }
        List<InodeEffect> effects = core.iget();
        if (effects.isEmpty()) {
          return inodes.get(ino);
        }
        InodeEffect.WaitOnInode w = (InodeEffect.WaitOnInode) effects.get(0);
        InodeCore seen = core;
        task.awaitCondition(WaitEdge.of(EdgeKind.WAITS_REPLY, "I_" + w.reason(), endpoint(ino)), lock, changed,
            () -> cores.get(ino) != seen || (seen.state() != InodeCore.State.NEW
                && seen.state() != InodeCore.State.FREEING), settings.glockWait());
      }
    } finally {
      lock.unlock();
    }
    return readIn(ino);
  }

  private Inode readIn(long ino) {
    AllocationResult mem = kernel.memory().allocate(settings.inodeBytes(), GfpMask.NOFS);
    if (mem instanceof AllocationResult.Failed f) {
      forget(ino);
      throw new Glocks.OutOfMemory(GlockName.of(GlockType.INODE, ino), f.reason());
    }
    Glocks.GlockRef inodeGlock = glocks.get(GlockName.of(GlockType.INODE, ino));
    Glocks.GlockRef iopenGlock = glocks.get(GlockName.of(GlockType.IOPEN, ino));
    Inode inode = new Inode(ino, inodeGlock, iopenGlock, (Allocation) mem);
    Glocks.NqResult r = glocks.nq(iopenGlock, GlockState.SH, Set.of(), "gfs2_inode_lookup");
    boolean iopenHeld = r instanceof Glocks.Granted;
    if (iopenHeld) {
      inode.iopenHolder = ((Glocks.Granted) r).holder();
    }
    lock.lock();
    try {
      cores.get(ino).instantiated(1, iopenHeld);
      inodes.put(ino, inode);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    return inode;
  }

  private void forget(long ino) {
    lock.lock();
    try {
      cores.remove(ino);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** {@code iput}: the last one keeps the inode cached or evicts it now, in this task. */
  public void iput(Inode inode) {
    InodeCore.Context ctx = inReclaim() ? InodeCore.Context.RECLAIM : InodeCore.Context.NORMAL;
    run(inode, locked(() -> core(inode.ino()).iput(ctx)));
  }

  /** The last link went (a local unlink): the last {@code iput} deallocates if no other node has it open. */
  public void unlink(Inode inode) {
    locked(() -> core(inode.ino()).setNlink(0));
  }

  /**
   * {@code drop_caches} for inodes: evicts every unused cached inode on the LRU now, in this task
   * (as the shrinker would, but with no memory pressure and no mask). Returns how many.
   */
  public int dropUnused() {
    int evicted = 0;
    // A referenced inode is rotated once (second chance), so a pass that only rotated goes again.
    for (boolean progress = true; progress; ) {
      List<Inode> victims = new ArrayList<>();
      List<List<InodeEffect>> plans = new ArrayList<>();
      lock.lock();
      try {
        InodeLru.ScanResult r = lru.scan(lru.order().size(), GfpMask.KERNEL,
            ino -> cores.containsKey(ino) ? cores.get(ino).candidate() : null);
        progress = !r.toEvict().isEmpty() || !r.rotated().isEmpty();
        for (long ino : r.toEvict()) {
          List<InodeEffect> effects = cores.get(ino).evictFromLru(InodeCore.Context.NORMAL);
          effects.forEach(lru::apply);
          victims.add(inodes.get(ino));
          plans.add(effects);
        }
      } finally {
        lock.unlock();
      }
      for (int i = 0; i < victims.size(); i++) {
        run(victims.get(i), plans.get(i));
      }
      evicted += victims.size();
    }
    return evicted;
  }

  /** Inodes cached now, and the LRU in order (oldest first). */
  public Stats stats() {
    lock.lock();
    try {
      return new Stats(cores.size(), lru.order(), evictions);
    } finally {
      lock.unlock();
    }
  }

  /** What {@link #stats()} reports. */
  public record Stats(int inodes, List<Long> lru, long evictions) {
    public Stats {
      lru = List.copyOf(lru);
    }
  }

  public Workqueue deleteWorkqueue() {
    return deleteWorkqueue;
  }

  /**
   * Unregisters the inode shrinker and gives the cached inodes' memory back (they are discarded, not
   * evicted: an orderly unmount comes later; their glocks go with the glock layer's close).
   */
  @Override
  public void close() {
    try {
      shrinkerRegistration.close();
    } catch (Exception e) {
      throw new IllegalStateException("inode shrinker of " + fsName + " did not unregister", e);
    }
    List<Inode> discarded;
    lock.lock();
    try {
      discarded = new ArrayList<>(inodes.values());
      inodes.clear();
      cores.clear();
    } finally {
      lock.unlock();
    }
    for (Inode i : discarded) {
      try {
        i.memory.close();
      } catch (IllegalStateException alreadyFreed) {
        // an eviction that was running freed it first
      }
    }
  }

  /** {@code inode:0x1a2b}, the endpoint of a task waiting on an inode. */
  static String endpoint(long ino) {
    return "inode:0x" + Long.toHexString(ino);
  }

  private static boolean inReclaim() {
    Task t = Task.currentOrNull();
    return t != null && t.flags().contains(TaskFlag.MEMALLOC);
  }

  private InodeCore core(long ino) {
    InodeCore c = cores.get(ino);
    if (c == null) {
      throw new IllegalStateException("inode 0x" + Long.toHexString(ino) + " is not cached on " + fsName);
    }
    return c;
  }

  private List<InodeEffect> locked(java.util.function.Supplier<List<InodeEffect>> step) {
    lock.lock();
    try {
      List<InodeEffect> effects = step.get();
      for (InodeEffect e : effects) {
        lru.apply(e);
      }
      return effects;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Carries out an inode's effects in order, in the current task: LRU changes under the monitor,
   * everything that waits (glocks, write back) outside it; each answer goes back to the core.
   */
  private void run(Inode inode, List<InodeEffect> first) {
    Deque<InodeEffect> todo = new ArrayDeque<>(first);
    long ino = inode.ino();
    while (!todo.isEmpty()) {
      InodeEffect e = todo.poll();
      if (e instanceof InodeEffect.AddToLru || e instanceof InodeEffect.RemoveFromLru) {
        continue; // applied under the monitor by locked()
      } else if (e instanceof InodeEffect.QueueDeleteWork) {
        deleteWorkqueue.queue("delete_work 0x" + Long.toHexString(ino), () -> deleteWork(ino));
      } else if (e instanceof InodeEffect.TryIopenExclusive) {
        dropIopen(inode);
        Glocks.NqResult r = glocks.nq(inode.iopenGlock(), GlockState.EX, Set.of(HolderFlag.TRY_1CB,
            HolderFlag.NOCACHE), "gfs2_evict_inode");
        IopenOutcome o = granted(inode, r) ? IopenOutcome.TRY_GRANTED : IopenOutcome.TRY_FAILED;
        todo.addAll(locked(() -> core(ino).iopen(o)));
      } else if (e instanceof InodeEffect.WaitIopenExclusive w) {
        Glocks.NqResult r = glocks.nq(inode.iopenGlock(), GlockState.EX, Set.of(HolderFlag.NOCACHE),
            "gfs2_evict_inode", Duration.ofMillis(w.timeoutMillis()));
        IopenOutcome o = granted(inode, r) ? IopenOutcome.WAIT_GRANTED : IopenOutcome.WAIT_TIMED_OUT;
        todo.addAll(locked(() -> core(ino).iopen(o)));
      } else if (e instanceof InodeEffect.CacheDrop) {
        hooks.cacheDrop(ino);
        todo.addAll(locked(() -> core(ino).evictStepsDone()));
      } else if (e instanceof InodeEffect.Deallocate) {
        Glocks.NqResult r = glocks.nq(inode.inodeGlock(), GlockState.EX, Set.of(HolderFlag.SKIP), "gfs2_evict_inode");
        if (r instanceof Glocks.Granted g) {
          try {
            hooks.deallocate(ino);
          } finally {
            glocks.dq(g.holder());
          }
        }
        todo.addAll(locked(() -> core(ino).evictStepsDone()));
      } else if (e instanceof InodeEffect.ReleaseGlocks rel) {
        dropIopen(inode);
        if (rel.async() && settings.putAsyncInReclaim()) {
          glocks.putAsync(inode.iopenGlock());
          glocks.putAsync(inode.inodeGlock());
        } else {
          // Seed-era gfs2_evict_inode: a final put here sends the DLM unlock from this task (cycle (a)).
          glocks.put(inode.iopenGlock());
          glocks.put(inode.inodeGlock());
        }
      } else if (e instanceof InodeEffect.Freed) {
        lock.lock();
        try {
          cores.remove(ino);
          inodes.remove(ino);
          evictions++;
          changed.signalAll();
        } finally {
          lock.unlock();
        }
        inode.memory.close();
      } else {
        throw new IllegalStateException("inode 0x" + Long.toHexString(ino) + ": no handler for effect " + e);
      }
    }
  }

  private boolean granted(Inode inode, Glocks.NqResult r) {
    if (r instanceof Glocks.Granted g) {
      inode.iopenHolder = g.holder();
      return true;
    }
    return false;
  }

  private void dropIopen(Inode inode) {
    if (inode.iopenHolder != null) {
      glocks.dq(inode.iopenHolder);
      inode.iopenHolder = null;
    }
  }

  /** {@code delete_work_func} on the delete workqueue: a cached unlinked inode is evicted (and deleted) here. */
  private void deleteWork(long ino) {
    Inode inode;
    List<InodeEffect> effects;
    lock.lock();
    try {
      InodeCore core = cores.get(ino);
      if (core == null) {
        return;
      }
      core.deleteWorkRan();
      inode = inodes.get(ino);
      effects = core.state() == InodeCore.State.CACHED ? core.evictFromLru(InodeCore.Context.NORMAL) : List.of();
      effects.forEach(lru::apply);
    } finally {
      lock.unlock();
    }
    if (!effects.isEmpty()) {
      run(inode, effects);
    }
  }

  // ---- inspection and drop_caches (scenario statements `expect nX cached`, `nX drop-caches`) ----

  /** Whether inode {@code ino} is in the cache now (in use, cached on the LRU, or being read in/evicted). */
  public boolean isCached(long ino) {
    lock.lock();
    try {
      InodeCore core = cores.get(ino);
      return core != null && core.state() != InodeCore.State.FREED;
    } finally {
      lock.unlock();
    }
  }

  /**
   * {@code echo 2 > /proc/sys/vm/drop_caches} for this filesystem: evicts every unused inode on the
   * LRU, in the calling task (which therefore may wait for glocks, as {@code drop_slab} does).
   * Returns how many were evicted.
   */
  public long dropCaches() {
    InodeShrinker shrinker = new InodeShrinker();
    long total = 0;
    while (true) {
      long n = shrinker.scan(new ShrinkControl(GfpMask.KERNEL, Task.current().flags(), Task.current().name(), Integer.MAX_VALUE));
      if (n == Shrinker.STOP || n <= 0) {
        return total;
      }
      total += n;
    }
  }

  /**
   * {@code super_cache_scan} → {@code prune_icache_sb}: the inode shrinker. Whatever it picks is
   * evicted synchronously in the reclaiming task, which therefore may wait for glocks (and, with
   * {@code put-async-in-reclaim = off}, send a final put's DLM unlock): how cycles (a) and (b) close.
   */
  private final class InodeShrinker implements Shrinker {
    @Override
    public String name() {
      return "inode_cache:" + fsName;
    }

    @Override
    public boolean needsFs() {
      return true;
    }

    @Override
    public long countFreeable(ShrinkControl control) {
      lock.lock();
      try {
        int n = lru.countFreeable();
        return n == 0 ? EMPTY : n;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public long scan(ShrinkControl control) {
      List<Inode> victims = new ArrayList<>();
      List<List<InodeEffect>> plans = new ArrayList<>();
      lock.lock();
      try {
        InodeLru.ScanResult r = lru.scan((int) Math.min(Integer.MAX_VALUE, control.nrToScan()), control.mask(),
            ino -> cores.containsKey(ino) ? cores.get(ino).candidate() : null);
        if (r.stop()) {
          return STOP;
        }
        for (long ino : r.toEvict()) {
          List<InodeEffect> effects = cores.get(ino).evictFromLru(InodeCore.Context.RECLAIM);
          effects.forEach(lru::apply);
          victims.add(inodes.get(ino));
          plans.add(effects);
        }
      } finally {
        lock.unlock();
      }
      for (int i = 0; i < victims.size(); i++) {
        run(victims.get(i), plans.get(i));
      }
      return victims.size();
    }
  }
}
