package org.jdlm.fs.file;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.jdlm.fs.FsSettings;
import org.jdlm.fs.GlockCacheOps;
import org.jdlm.fs.Glocks;
import org.jdlm.fs.InodeCache;
import org.jdlm.fs.LockModule;
import org.jdlm.fs.core.BlockState;
import org.jdlm.fs.core.Dinode;
import org.jdlm.fs.core.DirectoryBlock;
import org.jdlm.fs.core.Errno;
import org.jdlm.fs.core.FileLockPlan;
import org.jdlm.fs.core.FileLockPlan.Op;
import org.jdlm.fs.core.FileLockPlan.Target;
import org.jdlm.fs.core.GlockEffect;
import org.jdlm.fs.core.GlockName;
import org.jdlm.fs.core.GlockState;
import org.jdlm.fs.core.GlockType;
import org.jdlm.fs.core.InodeGlopsPlan;
import org.jdlm.fs.core.PageState;
import org.jdlm.fs.core.PathRules;
import org.jdlm.fs.core.RgrpBitmap;
import org.jdlm.fs.core.Superblock;
import org.jdlm.fs.disk.BlockDevice;
import org.jdlm.fs.disk.BlockWrite;
import org.jdlm.fs.disk.DiskError;
import org.jdlm.fs.disk.MetadataWriter;
import org.jdlm.fs.file.PageCache.CachedInode;
import org.jdlm.fs.file.PageCache.Page;
import org.jdlm.kernel.Kernel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One mounted jdlm filesystem on one member: the file operations a kernel task calls, over the
 * glocks ({@link Glocks}), the inode cache ({@link InodeCache}), this member's {@link PageCache} and
 * the shared {@link BlockDevice}. Every operation runs in the calling kernel task and takes its
 * glocks in the order of {@link FileLockPlan}; every metadata change goes through the
 * {@link MetadataWriter} as one transaction, and file data is written in place before the
 * metadata commit that points at it (ordered mode).
 *
 * <p>Coherence comes from the inode glock's {@code go_sync}/{@code go_inval}
 * ({@link #runGlops}): before the glock leaves EX the dirty pages are written and the dinode
 * committed; before it drops to UN the pages and the cached dinode are forgotten, so the next
 * holder on another member reads the disk. A dirty page exists only while the inode glock is EX
 * on this member.
 */
public final class FileSystem implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FileSystem.class);

  /** An open file on this member ({@code struct file}): keeps its inode cached and referenced. */
  public static final class Handle {
    private final String path;
    private final InodeCache.Inode inode;
    private volatile boolean closed;

    private Handle(String path, InodeCache.Inode inode) {
      this.path = path;
      this.inode = inode;
    }

    public long ino() {
      return inode.ino();
    }

    public String path() {
      return path;
    }
  }

  /** A shared writable mapping of an open file ({@code mmap(MAP_SHARED)}); each touch faults. */
  public record Mapping(Handle handle) {}

  /** How a mapped page is touched. */
  public enum Access { READ, WRITE }

  /** {@code stat}: the inode number and its dinode fields. */
  public record Stat(long ino, Dinode.Mode mode, int nlink, long size, int blocks) {}

  /** Counts for tests and dumps. */
  public record Stats(int cachedInodes, long cachedPages, long dirtyPages, long deallocations) {}

  private final String fsName;
  private final Kernel kernel;
  private final BlockDevice device;
  private final MetadataWriter writer;
  private final Superblock sb;
  private final int jid;
  private final int blockSize;
  private final FileSettings settings;
  private final PageCache pages;
  private final Map<Long, Integer> opens = new HashMap<>();
  private final AtomicLong deallocations = new AtomicLong();
  private final AtomicLong generations;
  private volatile boolean withdrawn;
  private Glocks glocks;
  private InodeCache inodes;
  private AutoCloseable shrinker;
  private AutoCloseable facts;

  private FileSystem(String fsName, Kernel kernel, BlockDevice device, MetadataWriter writer, Superblock sb, int jid,
                     FileSettings settings) {
    this.fsName = fsName;
    this.kernel = kernel;
    this.device = device;
    this.writer = writer;
    this.sb = sb;
    this.jid = jid;
    this.blockSize = sb.blockSize();
    this.settings = settings;
    this.pages = new PageCache(fsName, kernel.memory(), settings, blockSize);
    this.generations = new AtomicLong((long) jid << 40);
  }

  /**
   * {@code mkfs}: writes a fresh filesystem on {@code device}: the superblock, {@code journals}
   * empty journal regions of {@code journalBlocks}, resource groups of up to {@code rgrpDataBlocks}
   * data blocks each, and the empty root directory. Returns the layout.
   */
  public static Superblock mkfs(BlockDevice device, int journals, int journalBlocks, int rgrpDataBlocks)
      throws DiskError {
    Superblock sb = Superblock.layout(device.blockSize(), device.blockCount(), journals, journalBlocks, rgrpDataBlocks);
    device.write(0, sb.encode());
    for (Superblock.Region j : sb.journals()) {
      for (int b = j.first(); b < j.first() + j.blocks(); b++) {
        device.write(b, new byte[0]);
      }
    }
    for (Superblock.Rgrp r : sb.rgrps()) {
      RgrpBitmap bm = RgrpBitmap.empty(r);
      if (r.index() == 0) {
        bm = bm.allocate(1, BlockState.DINODE).bitmap();
      }
      device.write(r.header(), bm.encode(sb.blockSize()));
    }
    device.write((int) sb.rootIno(), Dinode.fresh(Dinode.Mode.DIRECTORY, 1, sb.blockSize()).encode(sb.blockSize()));
    return sb;
  }

  /**
   * Mounts the filesystem on {@code device} on this member as journal {@code jid}: its glocks over
   * {@code module} (one DLM lockspace per filesystem, or lock_nolock), its inode cache and page
   * cache in {@code kernel}, metadata through {@code writer}.
   */
  public static FileSystem mount(ActorSystem<?> system, String fsName, Kernel kernel, LockModule module, int lvbLength,
                                 BlockDevice device, MetadataWriter writer, int jid, FsSettings fsSettings,
                                 FileSettings settings) throws FsException {
    Superblock sb;
    try {
      sb = Superblock.decode(device.read(0));
    } catch (DiskError | IllegalArgumentException e) {
      throw new FsException(Errno.EIO, "mount " + fsName + " on " + device.name() + ": " + e.getMessage());
    }
    if (sb.blockSize() != device.blockSize()) {
      throw new FsException(Errno.EINVAL, "mount " + fsName + ": superblock says " + sb.blockSize()
          + "-byte blocks, the device has " + device.blockSize());
    }
    if (jid < 0 || jid >= sb.journals().size()) {
      throw new FsException(Errno.EINVAL, "mount " + fsName + ": journal " + jid + " does not exist (the filesystem has "
          + sb.journals().size() + ")");
    }
    FileSystem fs = new FileSystem(fsName, kernel, device, writer, sb, jid, settings);
    fs.glocks = Glocks.mount(system, fsName, kernel, module, lvbLength, fs.cacheOps(), fsSettings);
    fs.inodes = InodeCache.create(fsName, fs.glocks, fsSettings, fs.new Evict());
    fs.shrinker = kernel.memory().register(fs.pages.shrinker());
    fs.facts = kernel.addFactSource("pages:" + fsName, fs.pages.facts(kernel.member()));
    return fs;
  }

  public Superblock superblock() {
    return sb;
  }

  /** This member's journal region, for the journal layer. */
  public Superblock.Region journal() {
    return sb.journals().get(jid);
  }

  public Glocks glocks() {
    return glocks;
  }

  public InodeCache inodes() {
    return inodes;
  }

  /** This member's page cache (package tests hold page locks directly). */
  PageCache pageCache() {
    return pages;
  }

  public String bdi() {
    return pages.bdi();
  }

  public Stats stats() {
    long[] c = pages.counts();
    return new Stats(pages.all().size(), c[0], c[1], deallocations.get());
  }

  // --- the glock cache hook (go_sync / go_inval) --------------------------------------------

  private GlockCacheOps cacheOps() {
    return this::runGlops;
  }

  /**
   * The inode glock's {@code go_sync} then {@code go_inval}, in the task driving the flight (a glock
   * worker for a demote). Truncation locks every page, so a task holding a page lock while it
   * waits for this glock closes cycle (e) here.
   */
  private void runGlops(GlockName name, GlockEffect.RunGlops glops) {
    if (name.type() != GlockType.INODE) {
      return; // rgrp bitmaps and directories are never cached: nothing to write back or drop
    }
    CachedInode ci = pages.cachedOrNull(name.number());
    InodeGlopsPlan plan = InodeGlopsPlan.of(glops.sync(), glops.invalidate());
    if (ci == null || plan.nothing()) {
      return;
    }
    if (plan.writeData() || plan.commitDinode()) {
      try {
        writeback(ci);
      } catch (DiskError e) {
        withdraw("write back of inode " + Long.toHexString(ci.ino) + " before a demote", e);
      }
    }
    if (plan.dropPages()) {
      truncate(ci);
    }
    if (plan.dropDinode()) {
      ci.lock.lock();
      try {
        ci.dinode = null;
        ci.dinodeDirty = false;
      } finally {
        ci.lock.unlock();
      }
    }
  }

  /**
   * Writes every dirty page in place (each under its page lock), then commits the dinode if it
   * changed: data before the metadata that points at it.
   */
  private void writeback(CachedInode ci) throws DiskError {
    for (int index : ci.indexes()) {
      Page p = pages.lockIfPresent(ci, index);
      if (p == null) {
        continue;
      }
      try {
        if (p.state.dirty()) {
          int block = dinodeOf(ci).block(index);
          if (block == 0) {
            throw new IllegalStateException("dirty page " + PageCache.pageId(ci.ino, index) + " has no block");
          }
          pages.setState(ci, p, PageState.WRITEBACK);
          try {
            device.write(block, p.data);
          } finally {
            pages.setState(ci, p, PageState.UPTODATE);
          }
        }
      } finally {
        pages.unlock(ci, p);
      }
    }
    Dinode d;
    ci.lock.lock();
    try {
      d = ci.dinodeDirty ? ci.dinode : null;
      ci.dinodeDirty = false;
    } finally {
      ci.lock.unlock();
    }
    if (d != null) {
      writer.commit(List.of(new BlockWrite((int) ci.ino, d.encode(blockSize))));
    }
  }

  private Dinode dinodeOf(CachedInode ci) {
    ci.lock.lock();
    try {
      if (ci.dinode == null) {
        throw new IllegalStateException("inode " + Long.toHexString(ci.ino) + " has dirty pages but no dinode");
      }
      return ci.dinode;
    } finally {
      ci.lock.unlock();
    }
  }

  /** {@code truncate_inode_pages}: lock each page and drop it. */
  private void truncate(CachedInode ci) {
    for (int index : ci.indexes()) {
      Page p = pages.lockIfPresent(ci, index);
      if (p != null) {
        if (p.state == PageState.WRITEBACK) {
          throw new IllegalStateException("page " + PageCache.pageId(ci.ino, index) + " truncated under writeback");
        }
        pages.remove(ci, p);
      }
    }
  }

  private void withdraw(String what, DiskError e) {
    withdrawn = true;
    log.error("{}: withdrawn after {} failed: {}", fsName, what, e.getMessage());
  }

  // --- eviction hooks -----------------------------------------------------------------------

  /** What eviction does to the file layer (called by the inode cache in the evicting task). */
  private final class Evict implements InodeCache.EvictHooks {
    @Override
    public void cacheDrop(long ino) {
      CachedInode ci = pages.cachedOrNull(ino);
      if (ci == null) {
        return;
      }
      if (ci.hasDirty()) {
        // evict_linked_inode: dirty data exists only under EX, so this takes it (cached: no DLM traffic).
        Glocks.NqResult r = glocks.nq(GlockName.of(GlockType.INODE, ino), GlockState.EX, Set.of());
        if (r instanceof Glocks.Granted g) {
          try {
            writeback(ci);
          } catch (DiskError e) {
            withdraw("write back of evicted inode " + Long.toHexString(ino), e);
          } finally {
            glocks.dq(g.holder());
          }
        }
      }
      truncate(ci);
      pages.forget(ino);
    }

    @Override
    public void deallocate(long ino) {
      try {
        deallocateBlocks(ino);
      } catch (DiskError | FsException e) {
        log.error("{}: deallocation of inode {} failed: {}", fsName, Long.toHexString(ino), e.getMessage());
        if (e instanceof DiskError de) {
          withdraw("deallocation of inode " + Long.toHexString(ino), de);
        }
      }
    }
  }

  /**
   * {@code evict_unlinked_inode} with the inode glock EX held: frees the data blocks and the dinode
   * in one transaction, under the rgrp glocks in ascending order. Exactly once cluster-wide: the
   * dinode's bitmap state must still be UNLINKED, which the transaction changes to FREE.
   */
  private void deallocateBlocks(long ino) throws DiskError, FsException {
    CachedInode ci = pages.cachedOrNull(ino);
    Dinode d = null;
    if (ci != null) {
      ci.lock.lock();
      try {
        d = ci.dinode; // cached under this EX: it has pointers not committed yet
      } finally {
        ci.lock.unlock();
      }
    }
    if (d == null) {
      d = Dinode.decode(ino, device.read((int) ino));
    }
    Map<Superblock.Rgrp, List<Integer>> byRgrp = new TreeMap<>((a, b) -> Integer.compare(a.index(), b.index()));
    byRgrp.computeIfAbsent(sb.rgrpOf(ino), r -> new ArrayList<>());
    for (int b : d.dataBlocks()) {
      byRgrp.computeIfAbsent(sb.rgrpOf(b), r -> new ArrayList<>()).add(b);
    }
    List<Glocks.GlockHolder> held = new ArrayList<>();
    try {
      List<BlockWrite> tx = new ArrayList<>();
      for (Map.Entry<Superblock.Rgrp, List<Integer>> e : byRgrp.entrySet()) {
        held.add(hold(rgrpGlock(e.getKey()), FileLockPlan.mode(Op.DEALLOCATE, Target.RGRP), "gfs2_evict_inode"));
        RgrpBitmap bm = RgrpBitmap.decode(e.getKey(), device.read(e.getKey().header()));
        if (e.getKey().contains((int) ino)) {
          if (bm.state((int) ino) != BlockState.UNLINKED) {
            // Another member deleted it already (or it was never unlinked): nothing to free twice.
            log.info("{}: inode {} is {} on disk, not unlinked: already deallocated", fsName, Long.toHexString(ino),
                bm.state((int) ino));
            tx.clear();
            break;
          }
          bm = bm.set(List.of((int) ino), BlockState.FREE, BlockState.UNLINKED);
        }
        bm = bm.set(e.getValue(), BlockState.FREE, BlockState.DATA);
        tx.add(new BlockWrite(e.getKey().header(), bm.encode(blockSize)));
      }
      if (!tx.isEmpty()) {
        tx.add(new BlockWrite((int) ino, new byte[0]));
        writer.commit(tx);
        deallocations.incrementAndGet();
      }
    } finally {
      for (int i = held.size() - 1; i >= 0; i--) {
        glocks.dq(held.get(i));
      }
    }
    if (ci != null) {
      truncateDiscarding(ci);
      pages.forget(ino);
    }
  }

  /** Drops every page of a deleted inode, dirty ones included (their blocks are free now). */
  private void truncateDiscarding(CachedInode ci) {
    for (int index : ci.indexes()) {
      Page p = pages.lockIfPresent(ci, index);
      if (p != null) {
        pages.remove(ci, p);
      }
    }
    ci.lock.lock();
    try {
      ci.dinode = null;
      ci.dinodeDirty = false;
    } finally {
      ci.lock.unlock();
    }
  }

  // --- glock helpers ------------------------------------------------------------------------

  private static GlockName rgrpGlock(Superblock.Rgrp r) {
    return GlockName.of(GlockType.RGRP, r.header());
  }

  private static GlockName inodeGlock(long ino) {
    return GlockName.of(GlockType.INODE, ino);
  }

  private Glocks.GlockHolder hold(GlockName name, GlockState state, String caller) throws FsException {
    return granted(glocks.nq(name, state, Set.of()), caller);
  }

  private Glocks.GlockHolder hold(Glocks.GlockRef ref, GlockState state, String caller) throws FsException {
    return granted(glocks.nq(ref, state, Set.of(), caller), caller);
  }

  private static Glocks.GlockHolder granted(Glocks.NqResult r, String caller) throws FsException {
    if (r instanceof Glocks.Granted g) {
      return g.holder();
    }
    Glocks.Failed f = (Glocks.Failed) r;
    throw new FsException(Errno.EIO, caller + ": glock " + f.name() + " not granted: " + f.error());
  }

  private void release(List<Glocks.GlockHolder> held) {
    for (int i = held.size() - 1; i >= 0; i--) {
      glocks.dq(held.get(i));
    }
    held.clear();
  }

  private void checkMounted(String op, String path) throws FsException {
    if (withdrawn) {
      throw new FsException(Errno.EIO, op + " " + path + ": " + fsName + " is withdrawn (a write to the disk failed)");
    }
  }

  private FsException io(String op, String path, DiskError e) {
    if (e.kind() == DiskError.Kind.FENCED) {
      withdraw(op + " " + path, e);
    }
    return new FsException(Errno.EIO, op + " " + path + ": " + e.getMessage());
  }

  private static List<String> components(String op, String path) throws FsException {
    try {
      return PathRules.components(path);
    } catch (PathRules.PathError e) {
      throw new FsException(Errno.EINVAL, op + " " + e.getMessage());
    }
  }

  private static PathRules.Split split(String op, String path) throws FsException {
    try {
      return PathRules.split(path);
    } catch (PathRules.PathError e) {
      throw new FsException(Errno.EINVAL, op + " " + e.getMessage());
    }
  }

  private static String join(List<String> comps) {
    return "/" + String.join("/", comps);
  }

  /**
   * Path walk: each directory's glock SH in turn, read from the disk, released before the next
   * ({@link Op#LOOKUP}). Returns the inode of {@code comps}.
   */
  private long resolve(String op, String path, List<String> comps) throws FsException, DiskError {
    long cur = sb.rootIno();
    for (int i = 0; i < comps.size(); i++) {
      Glocks.GlockHolder h = hold(inodeGlock(cur), FileLockPlan.mode(Op.LOOKUP, Target.DIR), "gfs2_lookup");
      try {
        Directory dir = Directory.read(device, cur);
        if (!dir.dinode.isDirectory()) {
          throw new FsException(Errno.ENOTDIR, op + " " + path + ": " + join(comps.subList(0, i)) + " is not a directory");
        }
        DirectoryBlock.Entry e = dir.find(comps.get(i));
        if (e == null) {
          throw new FsException(Errno.ENOENT, op + " " + path + ": " + join(comps.subList(0, i + 1)) + " does not exist");
        }
        cur = e.ino();
      } finally {
        glocks.dq(h);
      }
    }
    return cur;
  }

  // --- namespace operations -----------------------------------------------------------------

  /** The inode number {@code path} names. */
  public long lookup(String path) throws FsException {
    checkMounted("lookup", path);
    try {
      return resolve("lookup", path, components("lookup", path));
    } catch (DiskError e) {
      throw io("lookup", path, e);
    }
  }

  /** {@code stat}: read under the inode glock SH. */
  public Stat stat(String path) throws FsException {
    long ino = lookup(path);
    try {
      Glocks.GlockHolder h = hold(inodeGlock(ino), GlockState.SH, "gfs2_getattr");
      try {
        CachedInode ci = pages.cachedOrNull(ino);
        Dinode d = ci != null ? dinode(ci) : Dinode.decode(ino, device.read((int) ino));
        return new Stat(ino, d.mode(), d.nlink(), d.size(), d.dataBlocks().size());
      } finally {
        glocks.dq(h);
      }
    } catch (DiskError e) {
      throw io("stat", path, e);
    }
  }

  /** Creates an empty regular file; returns its inode number. */
  public long create(String path) throws FsException {
    return createInode("create", path, Dinode.Mode.FILE, Op.CREATE);
  }

  /** Creates an empty directory; returns its inode number. */
  public long mkdir(String path) throws FsException {
    return createInode("mkdir", path, Dinode.Mode.DIRECTORY, Op.MKDIR);
  }

  /** Parent dir EX, then the rgrp EX of the new dinode (its allocation), one transaction. */
  private long createInode(String op, String path, Dinode.Mode mode, Op plan) throws FsException {
    checkMounted(op, path);
    PathRules.Split s = split(op, path);
    try {
      long parent = resolve(op, path, s.parent());
      Glocks.GlockHolder h = hold(inodeGlock(parent), FileLockPlan.mode(plan, Target.PARENT_DIR), "gfs2_create_inode");
      try {
        Directory dir = Directory.read(device, parent);
        if (!dir.dinode.isDirectory()) {
          throw new FsException(Errno.ENOTDIR, op + " " + path + ": " + join(s.parent()) + " is not a directory");
        }
        if (dir.find(s.name()) != null) {
          throw new FsException(Errno.EEXIST, op + " " + path + ": exists");
        }
        int ino = allocate(op, path, 1, BlockState.DINODE).get(0);
        List<BlockWrite> tx = new ArrayList<>();
        if (!dir.add(s.name(), ino)) {
          if (!dir.canGrow()) {
            free(List.of(ino));
            throw new FsException(Errno.EMLINK, op + " " + path + ": directory " + join(s.parent()) + " is full");
          }
          dir.addBlock(allocate(op, path, 1, BlockState.DATA).get(0));
          dir.add(s.name(), ino);
        }
        Dinode fresh = Dinode.fresh(mode, generations.incrementAndGet(), blockSize);
        tx.add(new BlockWrite(ino, fresh.encode(blockSize)));
        tx.addAll(dir.writes());
        writer.commit(tx);
        return ino;
      } finally {
        glocks.dq(h);
      }
    } catch (DiskError e) {
      throw io(op, path, e);
    }
  }

  /**
   * Removes a file's name: parent dir EX, then (with the inode cached, so iopen SH) the inode EX and
   * the rgrp EX; the dinode's nlink goes to 0 and its bitmap state to UNLINKED in one transaction.
   * The last {@code iput} cluster-wide deallocates it (through the iopen glock, in the inode cache).
   */
  public void unlink(String path) throws FsException {
    checkMounted("unlink", path);
    PathRules.Split s = split("unlink", path);
    InodeCache.Inode inode = null;
    List<Glocks.GlockHolder> held = new ArrayList<>();
    try {
      long parent = resolve("unlink", path, s.parent());
      held.add(hold(inodeGlock(parent), FileLockPlan.mode(Op.UNLINK, Target.PARENT_DIR), "gfs2_unlink"));
      Directory dir = Directory.read(device, parent);
      if (!dir.dinode.isDirectory()) {
        throw new FsException(Errno.ENOTDIR, "unlink " + path + ": " + join(s.parent()) + " is not a directory");
      }
      DirectoryBlock.Entry e = dir.find(s.name());
      if (e == null) {
        throw new FsException(Errno.ENOENT, "unlink " + path + ": does not exist");
      }
      inode = inodes.iget(e.ino());
      CachedInode ci = pages.inode(e.ino());
      held.add(hold(inode.inodeGlock(), FileLockPlan.mode(Op.UNLINK, Target.INODE), "gfs2_unlink"));
      Dinode d = dinode(ci);
      if (d.isDirectory()) {
        throw new FsException(Errno.EISDIR, "unlink " + path + ": is a directory (use rmdir)");
      }
      Superblock.Rgrp rg = sb.rgrpOf(e.ino());
      held.add(hold(rgrpGlock(rg), FileLockPlan.mode(Op.UNLINK, Target.RGRP), "gfs2_unlink"));
      RgrpBitmap bm = RgrpBitmap.decode(rg, device.read(rg.header()));
      dir.remove(s.name());
      writebackData(ci); // ordered: data in place before the dinode that points at it
      Dinode unlinked = dinode(ci).withNlink(0);
      List<BlockWrite> tx = new ArrayList<>(dir.writes());
      tx.add(new BlockWrite((int) e.ino(), unlinked.encode(blockSize)));
      tx.add(new BlockWrite(rg.header(), bm.set(List.of((int) e.ino()), BlockState.UNLINKED, BlockState.DINODE)
          .encode(blockSize)));
      writer.commit(tx);
      ci.lock.lock();
      try {
        ci.dinode = unlinked;
        ci.dinodeDirty = false;
      } finally {
        ci.lock.unlock();
      }
      release(held);
      inodes.unlink(inode);
    } catch (DiskError e) {
      throw io("unlink", path, e);
    } finally {
      release(held);
      if (inode != null) {
        inodes.iput(inode); // after every holder went: the last iput may deallocate (inode EX)
      }
    }
  }

  /** Removes an empty directory: parent EX, the directory's glock EX, its rgrps EX ascending; freed at once. */
  public void rmdir(String path) throws FsException {
    checkMounted("rmdir", path);
    PathRules.Split s = split("rmdir", path);
    List<Glocks.GlockHolder> held = new ArrayList<>();
    try {
      long parent = resolve("rmdir", path, s.parent());
      held.add(hold(inodeGlock(parent), FileLockPlan.mode(Op.RMDIR, Target.PARENT_DIR), "gfs2_rmdir"));
      Directory dir = Directory.read(device, parent);
      DirectoryBlock.Entry e = dir.find(s.name());
      if (e == null) {
        throw new FsException(Errno.ENOENT, "rmdir " + path + ": does not exist");
      }
      held.add(hold(inodeGlock(e.ino()), FileLockPlan.mode(Op.RMDIR, Target.INODE), "gfs2_rmdir"));
      Directory victim = Directory.read(device, e.ino());
      if (!victim.dinode.isDirectory()) {
        throw new FsException(Errno.ENOTDIR, "rmdir " + path + ": is not a directory");
      }
      if (!victim.isEmpty()) {
        throw new FsException(Errno.ENOTEMPTY, "rmdir " + path + ": has " + victim.entries().size() + " entries");
      }
      dir.remove(s.name());
      List<BlockWrite> tx = new ArrayList<>(dir.writes());
      tx.addAll(freeWrites(e.ino(), victim.dataBlocks(), BlockState.DINODE, held));
      tx.add(new BlockWrite((int) e.ino(), new byte[0]));
      writer.commit(tx);
    } catch (DiskError e) {
      throw io("rmdir", path, e);
    } finally {
      release(held);
    }
  }

  /**
   * Moves {@code from} to {@code to}: both parent directories' glocks EX in inode-number order, then
   * the moved inode's glock EX; one transaction. An existing target is refused (EEXIST: this model
   * does not replace), and a directory cannot move below itself (EINVAL).
   */
  public void rename(String from, String to) throws FsException {
    String what = from + " -> " + to;
    checkMounted("rename", what);
    PathRules.Split src = split("rename", from);
    PathRules.Split dst = split("rename", to);
    List<String> srcPath = new ArrayList<>(src.parent());
    srcPath.add(src.name());
    if (PathRules.isWithin(dst.parent(), srcPath)) {
      // Checked on the paths before any glock: the moved directory would also be a parent to lock.
      throw new FsException(Errno.EINVAL, "rename " + what + ": a directory cannot move below itself");
    }
    List<Glocks.GlockHolder> held = new ArrayList<>();
    try {
      long srcDir = resolve("rename", from, src.parent());
      long dstDir = resolve("rename", to, dst.parent());
      Map<Long, Directory> dirs = new HashMap<>();
      for (long d : FileLockPlan.renameDirs(srcDir, dstDir)) {
        held.add(hold(inodeGlock(d), FileLockPlan.mode(Op.RENAME, Target.BOTH_DIRS), "gfs2_rename"));
        Directory dir = Directory.read(device, d);
        if (!dir.dinode.isDirectory()) {
          throw new FsException(Errno.ENOTDIR, "rename " + what + ": a parent is not a directory");
        }
        dirs.put(d, dir);
      }
      Directory sd = dirs.get(srcDir);
      Directory dd = dirs.get(dstDir);
      DirectoryBlock.Entry e = sd.find(src.name());
      if (e == null) {
        throw new FsException(Errno.ENOENT, "rename " + what + ": " + from + " does not exist");
      }
      if (dd.find(dst.name()) != null) {
        throw new FsException(Errno.EEXIST, "rename " + what + ": " + to + " exists");
      }
      held.add(hold(inodeGlock(e.ino()), FileLockPlan.mode(Op.RENAME, Target.INODE), "gfs2_rename"));
      sd.remove(src.name());
      if (!dd.add(dst.name(), e.ino())) {
        if (!dd.canGrow()) {
          throw new FsException(Errno.EMLINK, "rename " + what + ": directory " + join(dst.parent()) + " is full");
        }
        dd.addBlock(allocate("rename", what, 1, BlockState.DATA).get(0));
        dd.add(dst.name(), e.ino());
      }
      List<BlockWrite> tx = new ArrayList<>(sd.writes());
      if (dd != sd) {
        tx.addAll(dd.writes());
      }
      writer.commit(tx);
    } catch (DiskError e) {
      throw io("rename", what, e);
    } finally {
      release(held);
    }
  }

  // --- open files ---------------------------------------------------------------------------

  /** Opens a regular file: the inode cached and referenced (iopen SH) until {@link #close}. */
  public Handle open(String path) throws FsException {
    checkMounted("open", path);
    long ino = lookup(path);
    InodeCache.Inode inode = inodes.iget(ino);
    boolean ok = false;
    try {
      CachedInode ci = pages.inode(ino);
      Glocks.GlockHolder h = hold(inode.inodeGlock(), GlockState.SH, "gfs2_open");
      try {
        if (dinode(ci).isDirectory()) {
          throw new FsException(Errno.EISDIR, "open " + path + ": is a directory");
        }
      } finally {
        glocks.dq(h);
      }
      synchronized (opens) {
        opens.merge(ino, 1, Integer::sum);
      }
      ok = true;
      return new Handle(path, inode);
    } catch (DiskError e) {
      throw io("open", path, e);
    } finally {
      if (!ok) {
        inodes.iput(inode);
      }
    }
  }

  /**
   * Closes a handle. The last close on this member refreshes nlink under the inode glock SH (another
   * member may have unlinked the file meanwhile) before the {@code iput}, so the inode cache knows
   * whether this may be the last user cluster-wide and must deallocate.
   */
  public void close(Handle handle) throws FsException {
    if (handle.closed) {
      throw new FsException(Errno.EBADF, "close " + handle.path + ": already closed");
    }
    handle.closed = true;
    boolean last;
    synchronized (opens) {
      last = opens.merge(handle.ino(), -1, Integer::sum) == 0;
      if (last) {
        opens.remove(handle.ino());
      }
    }
    try {
      if (last && !withdrawn) {
        Glocks.GlockHolder h = hold(handle.inode.inodeGlock(), FileLockPlan.mode(Op.LAST_CLOSE, Target.INODE),
            "gfs2_release");
        int nlink;
        try {
          nlink = dinode(pages.inode(handle.ino())).nlink();
        } finally {
          glocks.dq(h);
        }
        if (nlink == 0) {
          inodes.unlink(handle.inode);
        }
      }
    } catch (DiskError e) {
      throw io("close", handle.path, e);
    } finally {
      inodes.iput(handle.inode);
    }
  }

  private void checkOpen(String op, Handle handle) throws FsException {
    if (handle.closed) {
      throw new FsException(Errno.EBADF, op + " " + handle.path + ": handle is closed");
    }
    checkMounted(op, handle.path);
  }

  /** The cached dinode, read from the disk first when the last demote dropped it; needs the glock held. */
  private Dinode dinode(CachedInode ci) throws DiskError {
    ci.lock.lock();
    try {
      if (ci.dinode != null) {
        return ci.dinode;
      }
    } finally {
      ci.lock.unlock();
    }
    Dinode d = Dinode.decode(ci.ino, device.read((int) ci.ino));
    ci.lock.lock();
    try {
      if (ci.dinode == null) {
        ci.dinode = d;
      }
      return ci.dinode;
    } finally {
      ci.lock.unlock();
    }
  }

  /** Makes a locked page uptodate: a hole or a newly allocated block reads as zeros. */
  private void fill(CachedInode ci, Page p, Dinode d, boolean fresh) throws DiskError {
    if (p.state.uptodate()) {
      return;
    }
    int block = d.block(p.index);
    p.data = block == 0 || fresh ? new byte[blockSize] : device.read(block);
    pages.setState(ci, p, PageState.UPTODATE);
  }

  /** {@code read}: the inode glock SH, then each page under its lock (read in when not uptodate). */
  public byte[] read(Handle handle, long offset, int length) throws FsException {
    checkOpen("read", handle);
    if (offset < 0 || length < 0) {
      throw new FsException(Errno.EINVAL, "read " + handle.path + ": offset " + offset + " length " + length);
    }
    CachedInode ci = pages.inode(handle.ino());
    try {
      Glocks.GlockHolder h = hold(handle.inode.inodeGlock(), FileLockPlan.mode(Op.READ, Target.INODE), "gfs2_file_read_iter");
      try {
        Dinode d = dinode(ci);
        long end = Math.min(offset + length, d.size());
        if (end <= offset) {
          return new byte[0];
        }
        byte[] out = new byte[(int) (end - offset)];
        for (int idx = (int) (offset / blockSize); (long) idx * blockSize < end; idx++) {
          Page p = pages.lockPage(ci, idx);
          try {
            fill(ci, p, d, false);
            copyOut(p, idx, offset, end, out);
          } finally {
            pages.unlock(ci, p);
          }
        }
        return out;
      } finally {
        glocks.dq(h);
      }
    } catch (DiskError e) {
      throw io("read", handle.path, e);
    }
  }

  private void copyOut(Page p, int idx, long offset, long end, byte[] out) {
    long pageStart = (long) idx * blockSize;
    long from = Math.max(offset, pageStart);
    long to = Math.min(end, pageStart + blockSize);
    System.arraycopy(p.data, (int) (from - pageStart), out, (int) (from - offset), (int) (to - from));
  }

  /**
   * {@code write}: the inode glock EX; blocks for holes allocated under the rgrp glock EX; each page
   * dirtied under its lock; size grown in the cached dinode; the glock marked dirty, so its demote
   * writes back. Throttled afterwards by the kernel's dirty accounting for this filesystem's bdi.
   */
  public void write(Handle handle, long offset, byte[] data) throws FsException {
    checkOpen("write", handle);
    if (offset < 0) {
      throw new FsException(Errno.EINVAL, "write " + handle.path + ": offset " + offset);
    }
    if (data.length == 0) {
      return;
    }
    CachedInode ci = pages.inode(handle.ino());
    long end = offset + data.length;
    try {
      Glocks.GlockHolder h = hold(handle.inode.inodeGlock(), FileLockPlan.mode(Op.WRITE, Target.INODE),
          "gfs2_file_write_iter");
      try {
        int first = (int) (offset / blockSize);
        int last = (int) ((end - 1) / blockSize);
        Set<Integer> fresh = mapBlocks(ci, first, last, "write", handle.path);
        for (int idx = first; idx <= last; idx++) {
          int i = idx;
          dirtyPage(ci, idx, fresh.contains(idx), p -> {
            long pageStart = (long) i * blockSize;
            long from = Math.max(offset, pageStart);
            long to = Math.min(end, pageStart + blockSize);
            System.arraycopy(data, (int) (from - offset), p.data, (int) (from - pageStart), (int) (to - from));
          });
        }
        ci.lock.lock();
        try {
          if (end > ci.dinode.size()) {
            ci.dinode = ci.dinode.withSize(end);
          }
          ci.dinodeDirty = true;
        } finally {
          ci.lock.unlock();
        }
        glocks.markDirty(h);
        if (kernel.memory().backgroundWritebackDue()) {
          writeback(ci); // no flusher thread in the model: the writer starts its own inode's writeback
        }
      } finally {
        glocks.dq(h);
      }
    } catch (DiskError e) {
      throw io("write", handle.path, e);
    }
    kernel.memory().balanceDirtyPages(pages.bdi());
  }

  /**
   * Gives every file block {@code first..last} a disk block (the inode glock EX is held): holes are
   * allocated under the rgrp glock EX and recorded in the cached dinode. Returns the new ones.
   */
  private Set<Integer> mapBlocks(CachedInode ci, int first, int last, String op, String path)
      throws FsException, DiskError {
    if (last >= Dinode.pointers(blockSize)) {
      throw new FsException(Errno.EFBIG, op + " " + path + ": block " + last + " is beyond the largest file ("
          + Dinode.pointers(blockSize) + " blocks of " + blockSize + " bytes)");
    }
    Dinode d = dinode(ci);
    List<Integer> holes = new ArrayList<>();
    for (int idx = first; idx <= last; idx++) {
      if (d.block(idx) == 0) {
        holes.add(idx);
      }
    }
    if (holes.isEmpty()) {
      return Set.of();
    }
    List<Integer> blocks = allocate(op, path, holes.size(), BlockState.DATA);
    ci.lock.lock();
    try {
      Dinode next = ci.dinode;
      for (int i = 0; i < holes.size(); i++) {
        next = next.withBlock(holes.get(i), blocks.get(i));
      }
      ci.dinode = next;
      ci.dinodeDirty = true;
    } finally {
      ci.lock.unlock();
    }
    return Set.copyOf(holes);
  }

  private void dirtyPage(CachedInode ci, int idx, boolean fresh, Consumer<Page> change)
      throws FsException, DiskError {
    Page p = pages.lockPage(ci, idx);
    try {
      fill(ci, p, dinode(ci), fresh);
      change.accept(p);
      if (!p.state.dirty()) {
        pages.setState(ci, p, PageState.DIRTY);
      }
    } finally {
      pages.unlock(ci, p);
    }
  }

  /** Writes dirty pages in place without committing the dinode (the caller's transaction will). */
  private void writebackData(CachedInode ci) throws DiskError {
    boolean dinodeDirty;
    ci.lock.lock();
    try {
      dinodeDirty = ci.dinodeDirty;
      ci.dinodeDirty = false;
    } finally {
      ci.lock.unlock();
    }
    writeback(ci);
    ci.lock.lock();
    try {
      ci.dinodeDirty = dinodeDirty;
    } finally {
      ci.lock.unlock();
    }
  }

  /** {@code fsync}: when something of the file is dirty here, its glock EX (cached) and write back. */
  public void fsync(Handle handle) throws FsException {
    checkOpen("fsync", handle);
    CachedInode ci = pages.inode(handle.ino());
    if (!ci.hasDirty()) {
      return;
    }
    try {
      Glocks.GlockHolder h = hold(handle.inode.inodeGlock(), FileLockPlan.mode(Op.FSYNC, Target.INODE), "gfs2_fsync");
      try {
        writeback(ci);
      } finally {
        glocks.dq(h);
      }
    } catch (DiskError e) {
      throw io("fsync", handle.path, e);
    }
  }

  /** {@code sync}: every cached inode with dirty data written back and committed. */
  public void sync() throws FsException {
    checkMounted("sync", "/");
    for (CachedInode ci : pages.all()) {
      if (!ci.hasDirty()) {
        continue;
      }
      try {
        Glocks.GlockHolder h = hold(inodeGlock(ci.ino), FileLockPlan.mode(Op.FSYNC, Target.INODE), "gfs2_sync_fs");
        try {
          writeback(ci);
        } finally {
          glocks.dq(h);
        }
      } catch (DiskError e) {
        throw io("sync", "/", e);
      }
    }
  }

  /** {@code echo 3 > drop_caches}: clean unlocked pages, then every unused cached inode. Returns pages dropped. */
  public long dropCaches() {
    long dropped = 0;
    for (CachedInode ci : pages.all()) {
      dropped += pages.dropClean(ci, Long.MAX_VALUE, false);
    }
    inodes.dropUnused();
    return dropped;
  }

  // --- mmap ---------------------------------------------------------------------------------

  /** {@code mmap(MAP_SHARED, PROT_READ|PROT_WRITE)} of an open file. */
  public Mapping mmap(Handle handle) throws FsException {
    checkOpen("mmap", handle);
    return new Mapping(handle);
  }

  /**
   * A touch of mapped page {@code page}: the fault path. READ is {@code filemap_fault}: the inode
   * glock SH and the page lock, the page read in if needed; WRITE is {@code page_mkwrite}: the
   * glock EX, the block allocated if a hole, the page dirtied. The order of the page lock and the
   * glock is {@code jdlm.fs.file.fault-order}. Returns the page's contents. A page at or beyond
   * the end of the file is EFAULT (SIGBUS).
   */
  public byte[] touch(Mapping mapping, int page, Access access) throws FsException {
    return fault(mapping, page, access, p -> { });
  }

  /** A store through the mapping: a write fault on each page it covers, the bytes copied under the page lock. */
  public void store(Mapping mapping, long offset, byte[] data) throws FsException {
    long end = offset + data.length;
    for (long idx = offset / blockSize; idx * blockSize < end; idx++) {
      long pageStart = idx * blockSize;
      fault(mapping, (int) idx, Access.WRITE, p -> {
        long from = Math.max(offset, pageStart);
        long to = Math.min(end, pageStart + blockSize);
        System.arraycopy(data, (int) (from - offset), p.data, (int) (from - pageStart), (int) (to - from));
      });
    }
  }

  /** A load through the mapping: a read fault on each page it covers. */
  public byte[] load(Mapping mapping, long offset, int length) throws FsException {
    byte[] out = new byte[length];
    long end = offset + length;
    for (long idx = offset / blockSize; idx * blockSize < end; idx++) {
      byte[] page = touch(mapping, (int) idx, Access.READ);
      long pageStart = idx * blockSize;
      long from = Math.max(offset, pageStart);
      long to = Math.min(end, pageStart + blockSize);
      System.arraycopy(page, (int) (from - pageStart), out, (int) (from - offset), (int) (to - from));
    }
    return out;
  }

  private byte[] fault(Mapping mapping, int index, Access access, Consumer<Page> change) throws FsException {
    Handle handle = mapping.handle();
    String what = "fault on " + handle.path + " page " + index;
    checkOpen("fault", handle);
    if (index < 0) {
      throw new FsException(Errno.EFAULT, what + ": negative page");
    }
    Op op = access == Access.READ ? Op.FAULT_READ : Op.FAULT_WRITE;
    CachedInode ci = pages.inode(handle.ino());
    boolean pageFirst = FileLockPlan.faultOrder(op, settings.faultOrder()).get(0) == Target.PAGE;
    Page p = null;
    Glocks.GlockHolder h = null;
    try {
      if (pageFirst) {
        p = pages.lockPage(ci, index); // the older order: page locked, then the glock (cycle e)
      }
      h = hold(handle.inode.inodeGlock(), FileLockPlan.mode(op, Target.INODE), access == Access.READ ? "gfs2_fault"
          : "gfs2_page_mkwrite");
      Dinode d = dinode(ci);
      if ((long) index * blockSize >= d.size()) {
        throw new FsException(Errno.EFAULT, what + ": beyond the end of the file (" + d.size() + " bytes)");
      }
      boolean fresh = false;
      if (access == Access.WRITE) {
        fresh = !mapBlocks(ci, index, index, "fault", handle.path).isEmpty();
      }
      if (!pageFirst) {
        p = pages.lockPage(ci, index);
      }
      fill(ci, p, dinode(ci), fresh);
      change.accept(p);
      if (access == Access.WRITE) {
        if (!p.state.dirty()) {
          pages.setState(ci, p, PageState.DIRTY);
        }
        glocks.markDirty(h);
      }
      return p.data.clone();
    } catch (DiskError e) {
      throw io("fault", handle.path, e);
    } finally {
      if (p != null) {
        if (p.state == PageState.NEW) {
          pages.remove(ci, p); // nothing was read into it (EFAULT): do not leave an empty page behind
        } else {
          pages.unlock(ci, p);
        }
      }
      if (h != null) {
        glocks.dq(h);
      }
    }
  }

  // --- allocation ---------------------------------------------------------------------------

  /**
   * Allocates {@code count} blocks in state {@code as}: one rgrp glock EX at a time, starting at the
   * group this journal prefers (members allocate from different groups, as GFS2's rgrp preference
   * does), each group's bitmap committed in its own transaction. When the disk has fewer free
   * blocks the ones taken are given back and the answer is ENOSPC.
   */
  private List<Integer> allocate(String op, String path, int count, BlockState as) throws FsException, DiskError {
    List<Integer> got = new ArrayList<>();
    int n = sb.rgrps().size();
    for (int k = 0; k < n && got.size() < count; k++) {
      Superblock.Rgrp r = sb.rgrps().get((jid + k) % n);
      Glocks.GlockHolder h = hold(rgrpGlock(r), FileLockPlan.mode(Op.WRITE, Target.RGRP), "gfs2_inplace_reserve");
      try {
        RgrpBitmap bm = RgrpBitmap.decode(r, device.read(r.header()));
        if (bm.free() == 0) {
          continue;
        }
        RgrpBitmap.Allocated a = bm.allocate(count - got.size(), as);
        writer.commit(List.of(new BlockWrite(r.header(), a.bitmap().encode(blockSize))));
        got.addAll(a.blocks());
      } finally {
        glocks.dq(h);
      }
    }
    if (got.size() < count) {
      free(got);
      throw new FsException(Errno.ENOSPC, op + " " + path + ": " + count + " blocks needed, " + got.size() + " free");
    }
    return got;
  }

  /** Gives blocks just allocated back (their rgrps EX ascending, one transaction). */
  private void free(List<Integer> blocks) throws FsException, DiskError {
    if (blocks.isEmpty()) {
      return;
    }
    List<Glocks.GlockHolder> held = new ArrayList<>();
    try {
      writer.commit(freeWrites(-1, blocks, BlockState.DATA, held));
    } finally {
      release(held);
    }
  }

  /**
   * The bitmap writes that free {@code dinode} (when not -1, from {@code dinodeState}) and
   * {@code blocks} (from DATA or DINODE), taking each rgrp glock EX in ascending order into {@code held}.
   */
  private List<BlockWrite> freeWrites(long dinode, List<Integer> blocks, BlockState dinodeState,
                                      List<Glocks.GlockHolder> held) throws FsException, DiskError {
    Map<Superblock.Rgrp, List<Integer>> byRgrp = new TreeMap<>((a, b) -> Integer.compare(a.index(), b.index()));
    for (int b : blocks) {
      byRgrp.computeIfAbsent(sb.rgrpOf(b), r -> new ArrayList<>()).add(b);
    }
    if (dinode >= 0) {
      byRgrp.computeIfAbsent(sb.rgrpOf(dinode), r -> new ArrayList<>());
    }
    List<BlockWrite> out = new ArrayList<>();
    for (Map.Entry<Superblock.Rgrp, List<Integer>> e : byRgrp.entrySet()) {
      held.add(hold(rgrpGlock(e.getKey()), GlockState.EX, "gfs2_free_blocks"));
      RgrpBitmap bm = RgrpBitmap.decode(e.getKey(), device.read(e.getKey().header()));
      if (dinode >= 0 && e.getKey().contains((int) dinode)) {
        bm = bm.set(List.of((int) dinode), BlockState.FREE, dinodeState);
      }
      bm = bm.set(e.getValue(), BlockState.FREE, BlockState.DATA, BlockState.DINODE);
      out.add(new BlockWrite(e.getKey().header(), bm.encode(blockSize)));
    }
    return out;
  }

  /**
   * The state of {@code block} in its rgrp's bitmap on the disk, read without a glock (an fsck-like
   * look for tests and dumps; a concurrent allocation may change it right after).
   */
  public BlockState diskBlockState(int block) throws FsException {
    try {
      Superblock.Rgrp r = sb.rgrpOf(block);
      return RgrpBitmap.decode(r, device.read(r.header())).state(block);
    } catch (DiskError e) {
      throw new FsException(Errno.EIO, "bitmap of block " + block + ": " + e.getMessage());
    }
  }

  /** Free blocks over every rgrp on the disk, read without glocks (as {@link #diskBlockState}). */
  public int diskFreeBlocks() throws FsException {
    int free = 0;
    try {
      for (Superblock.Rgrp r : sb.rgrps()) {
        free += RgrpBitmap.decode(r, device.read(r.header())).free();
      }
    } catch (DiskError e) {
      throw new FsException(Errno.EIO, "bitmaps: " + e.getMessage());
    }
    return free;
  }

  /** Unregisters the page-cache shrinker and the page facts, and unmounts the glock layer (no orderly write back yet: sync first). */
  @Override
  public void close() {
    try {
      shrinker.close();
      facts.close();
    } catch (Exception e) {
      throw new IllegalStateException("page cache shrinker of " + fsName + " did not unregister", e);
    }
    inodes.close();
    glocks.close();
  }

  @Override
  public String toString() {
    return "FileSystem[" + fsName + " jid=" + jid + " " + Arrays.asList(device.name()) + "]";
  }
}
