package org.jdlm.fs.core;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The per-type {@link GlockOps} ({@code fs/gfs2/glops.c}), and the choice of operations for a
 * glock name. Invalidation follows the cache table of {@link GlockState}: a move drops exactly what
 * the target state may not cache, so the two can never disagree.
 */
public final class Glops {

  /** Nondisk lock number of the freeze glock ({@code GFS2_FREEZE_LOCK}); it gets {@link Freeze}. */
  public static final long FREEZE_LOCK = 2;

  private Glops() {}

  /** The operations for a glock name: by type, except the freeze glock among the nondisk locks. */
  public static GlockOps forName(GlockName name) {
    switch (name.type()) {
      case INODE:
        return Inode.INSTANCE;
      case RGRP:
        return Rgrp.INSTANCE;
      case IOPEN:
        return Iopen.INSTANCE;
      case NONDISK:
        return name.number() == FREEZE_LOCK ? Freeze.INSTANCE : new Plain(GlockType.NONDISK);
      case FLOCK:
      case PLOCK:
      case META:
      case QUOTA:
      case JOURNAL:
        return new Plain(name.type());
      default:
        throw new IllegalArgumentException("no glock operations for type " + name.type());
    }
  }

  /**
   * Cache work for what the cache table lets {@code from} hold and {@code target} not. (GFS2 calls
   * {@code go_inval} on every move to UN or DF, also from UN where nothing is cached; skipping that
   * no-op saves a glops round and changes nothing.)
   */
  static Set<CacheWork> dropFor(GlockState from, GlockState target, boolean hasData) {
    EnumSet<CacheWork> work = EnumSet.noneOf(CacheWork.class);
    if (from.mayCacheMetadata() && !target.mayCacheMetadata()) {
      work.add(CacheWork.TRUNCATE_METADATA);
    }
    if (hasData && from.mayCacheData() && !target.mayCacheData()) {
      work.add(CacheWork.TRUNCATE_DATA);
    }
    return work;
  }

  /** Types with no operations of their own (meta, flock, plock, quota, journal, nondisk). */
  public record Plain(GlockType type) implements GlockOps {  }

  /** Inode glocks ({@code gfs2_inode_glops}). */
  public static final class Inode implements GlockOps {
    public static final Inode INSTANCE = new Inode();

    private Inode() {}

    @Override
    public GlockType type() {
      return GlockType.INODE;
    }

    /**
     * {@code inode_go_sync}: leaving EX, shared writable mmaps must go (they could dirty pages
     * after the sync); leaving DF, direct I/O in flight must finish; if dirty, flush the journal
     * for this glock, write back metadata and data and empty the AIL — the "write back before
     * release" rule cycles (a) and (e) depend on.
     */
    @Override
    public Set<CacheWork> sync(GlockState from, GlockState target, boolean dirty) {
      EnumSet<CacheWork> work = EnumSet.noneOf(CacheWork.class);
      if (from == GlockState.EX && target != GlockState.EX) {
        work.add(CacheWork.UNMAP_SHARED_MMAPS);
      }
      if (from == GlockState.DF && target != GlockState.DF) {
        work.add(CacheWork.WAIT_DIRECT_IO);
      }
      if (dirty) {
        work.addAll(EnumSet.of(CacheWork.FLUSH_LOG, CacheWork.WRITE_METADATA, CacheWork.WRITE_DATA,
            CacheWork.EMPTY_AIL));
      }
      return work;
    }

    /**
     * {@code inode_go_inval}: to UN drop metadata (so the dinode is read again: instantiate
     * needed), ACLs and the dir hash, and the data; to DF only the data (DF caches metadata).
     */
    @Override
    public Set<CacheWork> invalidate(GlockState from, GlockState target) {
      EnumSet<CacheWork> work = EnumSet.noneOf(CacheWork.class);
      work.addAll(dropFor(from, target, true));
      if (work.contains(CacheWork.TRUNCATE_METADATA)) {
        work.add(CacheWork.FORGET_ACLS_AND_DIR_HASH);
      }
      return work;
    }

    /** {@code inode_go_demote_ok}: never for the jindex and rindex system inodes. */
    @Override
    public boolean demoteOk(Set<GlockFlag> flags, GlockObject object) {
      return !(object instanceof GlockObject.Inode) || !((GlockObject.Inode) object).system();
    }

    @Override
    public Set<CacheWork> instantiate() {
      return Set.of(CacheWork.READ_DINODE);
    }

    @Override
    public List<String> dump(GlockObject object) {
      return Iopen.inodeLine(object);
    }
  }

  /** Resource-group glocks ({@code gfs2_rgrp_glops}). */
  public static final class Rgrp implements GlockOps {
    public static final Rgrp INSTANCE = new Rgrp();

    private Rgrp() {}

    @Override
    public GlockType type() {
      return GlockType.RGRP;
    }

    /** {@code rgrp_go_sync}: if dirty, flush the log, write back the bitmaps, empty the AIL. */
    @Override
    public Set<CacheWork> sync(GlockState from, GlockState target, boolean dirty) {
      return dirty ? EnumSet.of(CacheWork.FLUSH_LOG, CacheWork.WRITE_METADATA, CacheWork.EMPTY_AIL) : Set.of();
    }

    /** {@code rgrp_go_inval}: to UN release the bitmaps and truncate the rgrp's metadata range. */
    @Override
    public Set<CacheWork> invalidate(GlockState from, GlockState target) {
      Set<CacheWork> drop = dropFor(from, target, false);
      if (drop.isEmpty()) {
        return drop;
      }
      EnumSet<CacheWork> work = EnumSet.copyOf(drop);
      work.add(CacheWork.RELEASE_BITMAPS);
      return work;
    }

    @Override
    public Set<CacheWork> instantiate() {
      return Set.of(CacheWork.READ_RGRP);
    }

    @Override
    public List<String> dump(GlockObject object) {
      if (object instanceof GlockObject.Rgrp) {
        GlockObject.Rgrp r = (GlockObject.Rgrp) object;
        return List.of(String.format(" R: n:%d f:%02x b:%d/%d i:%d", r.addr(), r.flags(), r.freeBlocks(),
            r.freeClone(), r.freeDinodes()));
      }
      return List.of();
    }
  }

  /** iopen glocks ({@code gfs2_iopen_glops}; fs-cycles §2.2). */
  public static final class Iopen implements GlockOps {
    public static final Iopen INSTANCE = new Iopen();

    private Iopen() {}

    @Override
    public GlockType type() {
      return GlockType.IOPEN;
    }

    /** {@code iopen_go_demote_ok}: not while delete work is queued for it. */
    @Override
    public boolean demoteOk(Set<GlockFlag> flags, GlockObject object) {
      return !flags.contains(GlockFlag.TRY_TO_EVICT) && !flags.contains(GlockFlag.VERIFY_DELETE);
    }

    /**
     * {@code iopen_go_callback}: another node wants our iopen lock dropped to UN while we hold SH
     * with the inode cached: it is trying to delete the inode, so try to evict ours.
     */
    @Override
    public CallbackAction callback(GlockState current, GlockState demoteTo, boolean remote, GlockObject object) {
      return remote && current == GlockState.SH && demoteTo == GlockState.UN && object instanceof GlockObject.Inode
          ? CallbackAction.QUEUE_TRY_TO_EVICT : CallbackAction.NONE;
    }

    @Override
    public List<String> dump(GlockObject object) {
      return inodeLine(object);
    }

    static List<String> inodeLine(GlockObject object) {
      if (object instanceof GlockObject.Inode) {
        GlockObject.Inode i = (GlockObject.Inode) object;
        return List.of(String.format(" I: n:%d/%d t:%d f:0x%02x d:0x%08x s:%d p:%d", i.formalIno(), i.diskAddr(),
            i.fileType(), i.inodeFlags(), i.diskFlags(), i.size(), i.dataPages()));
      }
      return List.of();
    }
  }

  /** The freeze glock ({@code gfs2_freeze_glops}). */
  public static final class Freeze implements GlockOps {
    public static final Freeze INSTANCE = new Freeze();

    private Freeze() {}

    @Override
    public GlockType type() {
      return GlockType.NONDISK;
    }

    /** {@code freeze_go_sync}: another node takes the freeze lock EX, so freeze the local fs first. */
    @Override
    public Set<CacheWork> sync(GlockState from, GlockState target, boolean dirty) {
      return from == GlockState.SH && target != GlockState.SH ? Set.of(CacheWork.FREEZE_FS) : Set.of();
    }
  }
}
