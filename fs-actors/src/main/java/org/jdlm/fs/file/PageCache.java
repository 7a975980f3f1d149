package org.jdlm.fs.file;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jdlm.fs.core.Dinode;
import org.jdlm.fs.core.Errno;
import org.jdlm.fs.core.PageState;
import org.jdlm.kernel.Allocation;
import org.jdlm.kernel.AllocationResult;
import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.Memory;
import org.jdlm.kernel.Shrinker;
import org.jdlm.kernel.Task;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.ShrinkControl;
import org.jdlm.kernel.core.WaitEdge;
import org.jdlm.kernel.core.waits.Vertex;

/**
 * One mounted filesystem's page cache on this member: per cached inode its dinode copy and its
 * block-sized pages. A page's memory comes from the member's kernel memory (mask
 * {@code jdlm.fs.file.page-mask}); dirty and writeback pages are accounted to the filesystem's
 * backing device; clean unlocked pages are given back by a shrinker.
 *
 * <p>Each page has a lock owned by a task ({@code PG_locked}). A task that waits for it shows
 * {@code waits-page-lock(<ino>/<index>)} on {@code page:<ino>/<index>} (inode number in hex, as in
 * glock names) in {@code Kernel.tasks()}. The per-inode monitor guards the page map, the states and
 * the owners; it is never held while a task waits or does I/O.
 */
final class PageCache {

  /** A cached inode's file-layer state on this member. */
  static final class CachedInode {
    final long ino;
    final ReentrantLock lock = new ReentrantLock();
    final Condition changed = lock.newCondition();
    /** The dinode as last read or changed under the inode glock; null = read it from the disk. */
    Dinode dinode;
    /** The dinode has changes (size, pointers) not committed yet: only while the glock is EX here. */
    boolean dinodeDirty;
    final TreeMap<Integer, Page> pages = new TreeMap<>();

    CachedInode(long ino) {
      this.ino = ino;
    }

    boolean hasDirty() {
      lock.lock();
      try {
        return dinodeDirty || pages.values().stream().anyMatch(p -> p.state.dirty());
      } finally {
        lock.unlock();
      }
    }

    List<Integer> indexes() {
      lock.lock();
      try {
        return new ArrayList<>(pages.keySet());
      } finally {
        lock.unlock();
      }
    }
  }

  /** One page: its data, state and lock owner (task id, 0 = unlocked). */
  static final class Page {
    final int index;
    final Allocation memory;
    byte[] data;
    PageState state = PageState.NEW;
    long owner;
    /** The owner's registry endpoint ({@code task:NAME#ID}), for the held-by fact; null when unlocked. */
    String ownerEndpoint;

    Page(int index, Allocation memory, int blockSize) {
      this.index = index;
      this.memory = memory;
      this.data = new byte[blockSize];
    }
  }

  private final String fsName;
  private final String bdi;
  private final Memory memory;
  private final FileSettings settings;
  private final int blockSize;
  private final Map<Long, CachedInode> inodes = new ConcurrentHashMap<>();

  PageCache(String fsName, Memory memory, FileSettings settings, int blockSize) {
    this.fsName = fsName;
    this.bdi = "fs:" + fsName;
    this.memory = memory;
    this.settings = settings;
    this.blockSize = blockSize;
  }

  String bdi() {
    return bdi;
  }

  CachedInode inode(long ino) {
    return inodes.computeIfAbsent(ino, CachedInode::new);
  }

  CachedInode cachedOrNull(long ino) {
    return inodes.get(ino);
  }

  List<CachedInode> all() {
    return new ArrayList<>(inodes.values());
  }

  void forget(long ino) {
    inodes.remove(ino);
  }

  static String pageId(long ino, int index) {
    return Long.toHexString(ino) + "/" + index;
  }

  /**
   * {@code find_or_create_page} + {@code lock_page}: the page locked by the current task, created
   * (state NEW, memory allocated in this task with the page mask) when absent. Waits
   * {@code waits-page-lock} while another task owns it.
   */
  Page lockPage(CachedInode ci, int index) throws FsException {
    while (true) {
      Page p = lockIfPresent(ci, index);
      if (p != null) {
        return p;
      }
      AllocationResult mem = memory.allocate(blockSize, settings.pageMask());
      if (mem instanceof AllocationResult.Failed f) {
        throw new FsException(Errno.EIO, "page " + pageId(ci.ino, index) + " of " + fsName + ": no memory: " + f.reason());
      }
      Allocation a = (Allocation) mem;
      ci.lock.lock();
      try {
        if (!ci.pages.containsKey(index)) {
          Page fresh = new Page(index, a, blockSize);
          fresh.owner = Task.current().id();
          fresh.ownerEndpoint = Task.current().endpoint();
          ci.pages.put(index, fresh);
          return fresh;
        }
      } finally {
        ci.lock.unlock();
      }
      a.close(); // another task created it meanwhile: lock that one
    }
  }

  /** The page locked by the current task, or null when it is not cached; waits while another task owns it. */
  Page lockIfPresent(CachedInode ci, int index) {
    Task task = Task.current();
    ci.lock.lock();
    try {
      while (true) {
        Page p = ci.pages.get(index);
        if (p == null) {
          return null;
        }
        if (p.owner == 0) {
          p.owner = task.id();
          p.ownerEndpoint = task.endpoint();
          return p;
        }
        if (p.owner == task.id()) {
          throw new IllegalStateException(task + " locks page " + pageId(ci.ino, index) + " it already holds");
        }
        String id = pageId(ci.ino, index);
        WaitEdge edge = WaitEdge.of(EdgeKind.WAITS_PAGE_LOCK, id, "page:" + id);
        Duration bound = settings.pageLockWait();
        if (!task.awaitCondition(edge, ci.lock, ci.changed, () -> p.owner == 0 || ci.pages.get(index) != p, bound)) {
          throw new Task.WaitTimedOut(task, edge, bound);
        }
      }
    } finally {
      ci.lock.unlock();
    }
  }

  void unlock(CachedInode ci, Page p) {
    ci.lock.lock();
    try {
      if (p.owner != Task.current().id()) {
        throw new IllegalStateException("page " + pageId(ci.ino, p.index) + " unlocked by " + Task.current()
            + ", not its owner " + p.owner);
      }
      p.owner = 0;
      p.ownerEndpoint = null;
      ci.changed.signalAll();
    } finally {
      ci.lock.unlock();
    }
  }

  /**
   * The page locks' ownership facts for the member's wait-for graph: {@code page:<ino>/<index>
   * --held-by--> task:NAME#ID} for every locked page, so a {@code waits-page-lock} edge leads on to
   * the task that must progress (cycle (e)). Reads each inode under its monitor, never waits on a
   * task.
   */
  Kernel.FactSource facts(String member) {
    return (sink, toDetector) -> {
      for (CachedInode ci : all()) {
        ci.lock.lock();
        try {
          for (Page p : ci.pages.values()) {
            String owner = p.ownerEndpoint;
            if (owner != null) {
              sink.heldBy(Vertex.local(member, "page:" + pageId(ci.ino, p.index)),
                  List.of(Vertex.local(member, owner)));
            }
          }
        } finally {
          ci.lock.unlock();
        }
      }
    };
  }

  /** Moves a page the current task has locked to {@code next}, keeping the device's dirty accounting. */
  void setState(CachedInode ci, Page p, PageState next) {
    ci.lock.lock();
    try {
      PageState from = p.state;
      p.state = from.transitionTo(next);
      if (from != PageState.DIRTY && next == PageState.DIRTY) {
        memory.dirty(bdi, 1);
      } else if (from == PageState.DIRTY && next == PageState.WRITEBACK) {
        memory.startWriteback(bdi, 1);
      } else if (from == PageState.WRITEBACK && next == PageState.UPTODATE) {
        memory.endWriteback(bdi, 1);
      } else if (from == PageState.DIRTY && next == PageState.GONE) {
        memory.cancelDirty(bdi, 1);
      }
    } finally {
      ci.lock.unlock();
    }
  }

  /** Removes a page the current task has locked ({@code delete_from_page_cache}) and frees its memory. */
  void remove(CachedInode ci, Page p) {
    setState(ci, p, PageState.GONE);
    ci.lock.lock();
    try {
      ci.pages.remove(p.index, p);
      p.owner = 0;
      p.ownerEndpoint = null;
      ci.changed.signalAll();
    } finally {
      ci.lock.unlock();
    }
    p.memory.close();
  }

  /**
   * Drops every clean page that nobody has locked ({@code invalidate_mapping_pages}, drop_caches,
   * the shrinker): dirty, writeback and locked pages stay. Never waits. Returns pages dropped.
   */
  long dropClean(CachedInode ci, long max, boolean tryOnly) {
    List<Page> dropped = new ArrayList<>();
    if (tryOnly) {
      if (!ci.lock.tryLock()) {
        return 0;
      }
    } else {
      ci.lock.lock();
    }
    try {
      for (Page p : new ArrayList<>(ci.pages.values())) {
        if (dropped.size() >= max) {
          break;
        }
        if (p.owner == 0 && p.state == PageState.UPTODATE) {
          p.state = p.state.transitionTo(PageState.GONE);
          ci.pages.remove(p.index);
          dropped.add(p);
        }
      }
      ci.changed.signalAll();
    } finally {
      ci.lock.unlock();
    }
    dropped.forEach(p -> p.memory.close());
    return dropped.size();
  }

  /** Pages cached and dirty pages, over every inode (a snapshot, for stats and tests). */
  long[] counts() {
    long cached = 0;
    long dirty = 0;
    for (CachedInode ci : all()) {
      ci.lock.lock();
      try {
        cached += ci.pages.size();
        dirty += ci.pages.values().stream().filter(p -> p.state.dirty()).count();
      } finally {
        ci.lock.unlock();
      }
    }
    return new long[] {cached, dirty};
  }

  /**
   * The page-cache shrinker. Dropping a clean page needs neither filesystem nor I/O re-entry (a
   * clean page is just forgotten), so it runs under every blocking mask, GFP_NOFS included, as
   * Linux reclaims clean file pages under GFP_NOFS. It never writes back and never waits: locked,
   * dirty and writeback pages are skipped, and an inode whose monitor is busy is passed over.
   */
  Shrinker shrinker() {
    return new Shrinker() {
      @Override
      public String name() {
        return "page_cache:" + fsName;
      }

      @Override
      public int seeks() {
        return 1;
      }

      @Override
      public boolean needsFs() {
        return false;
      }

      @Override
      public boolean needsIo() {
        return false;
      }

      @Override
      public long countFreeable(ShrinkControl control) {
        long n = 0;
        for (CachedInode ci : all()) {
          if (ci.lock.tryLock()) {
            try {
              n += ci.pages.values().stream().filter(p -> p.owner == 0 && p.state == PageState.UPTODATE).count();
            } finally {
              ci.lock.unlock();
            }
          }
        }
        return n == 0 ? EMPTY : n;
      }

      @Override
      public long scan(ShrinkControl control) {
        long freed = 0;
        for (CachedInode ci : all()) {
          if (freed >= control.nrToScan()) {
            break;
          }
          freed += dropClean(ci, control.nrToScan() - freed, true);
        }
        return freed;
      }
    };
  }
}
