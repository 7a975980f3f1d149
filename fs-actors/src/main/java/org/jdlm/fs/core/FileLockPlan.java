package org.jdlm.fs.core;

import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * Which locks each file operation takes, in which mode and in which order: one table, read by the
 * file layer and printed in docs/filesystem.md. GFS2's order (glocks.rst): parent directory glocks
 * before children, siblings by inode number, then rgrp glocks, and the page lock last — except in
 * the fault path when {@link FaultOrder#PAGE_FIRST} is chosen, which is the order that closes cycle
 * (e) (fs-cycles §5.5).
 *
 * <pre>
 *  op            lock 1              lock 2                 lock 3             lock 4
 *  LOOKUP        each dir SH (one at a time, dropped before the next)
 *  CREATE        parent dir EX       rgrp EX (dinode)
 *  MKDIR         parent dir EX       rgrp EX (dinode)
 *  READ          inode SH            page locks
 *  WRITE         inode EX            rgrp EX (allocation)   page locks
 *  FAULT_READ    inode SH            page lock              (PAGE_FIRST: page lock, then inode SH)
 *  FAULT_WRITE   inode EX            rgrp EX (allocation)   page lock  (PAGE_FIRST: page lock first)
 *  UNLINK        parent dir EX       inode EX               rgrp EX (mark UNLINKED)
 *  RMDIR         parent dir EX       inode EX               rgrp EX (free)
 *  RENAME        both dirs EX, by inode number              moved inode EX
 *  FSYNC         inode EX (only when something is dirty)    page locks
 *  LAST_CLOSE    inode SH (refresh nlink)
 *  DEALLOCATE    iopen EX (try, then bounded wait)          inode EX (SKIP)    rgrps EX ascending
 * </pre>
 */
public final class FileLockPlan {
  private FileLockPlan() {}

  /** The file operations that take glocks. */
  public enum Op { LOOKUP, CREATE, MKDIR, READ, WRITE, FAULT_READ, FAULT_WRITE, UNLINK, RMDIR, RENAME, FSYNC,
    LAST_CLOSE, DEALLOCATE }

  /** What a lock is taken on. */
  public enum Target { DIR, PARENT_DIR, BOTH_DIRS, INODE, IOPEN, RGRP, PAGE }

  /** One lock of an operation: its target and mode (null for a page lock, which has none). */
  public record Step(Target target, GlockState state) {}

  /**
   * Fault path order. GLOCK_FIRST is GFS2 since "gfs2: Rework read and page fault locking"
   * (v5.8): the fault takes the inode glock, then the page lock, so the page lock is last as
   * everywhere else. PAGE_FIRST is the older order ({@code ->readpage} and {@code ->readahead}
   * called with the page already locked, then the glock; S4 and the v5.8-rc readahead hang): a task
   * can hold a page lock while waiting for the glock whose demote must lock that page.
   */
  public enum FaultOrder { GLOCK_FIRST, PAGE_FIRST }

  private static final Map<Op, List<Step>> TABLE = Map.ofEntries(
      Map.entry(Op.LOOKUP, List.of(new Step(Target.DIR, GlockState.SH))),
      Map.entry(Op.CREATE, List.of(new Step(Target.PARENT_DIR, GlockState.EX), new Step(Target.RGRP, GlockState.EX))),
      Map.entry(Op.MKDIR, List.of(new Step(Target.PARENT_DIR, GlockState.EX), new Step(Target.RGRP, GlockState.EX))),
      Map.entry(Op.READ, List.of(new Step(Target.INODE, GlockState.SH), new Step(Target.PAGE, null))),
      Map.entry(Op.WRITE, List.of(new Step(Target.INODE, GlockState.EX), new Step(Target.RGRP, GlockState.EX),
          new Step(Target.PAGE, null))),
      Map.entry(Op.FAULT_READ, List.of(new Step(Target.INODE, GlockState.SH), new Step(Target.PAGE, null))),
      Map.entry(Op.FAULT_WRITE, List.of(new Step(Target.INODE, GlockState.EX), new Step(Target.RGRP, GlockState.EX),
          new Step(Target.PAGE, null))),
      Map.entry(Op.UNLINK, List.of(new Step(Target.PARENT_DIR, GlockState.EX), new Step(Target.INODE, GlockState.EX),
          new Step(Target.RGRP, GlockState.EX))),
      Map.entry(Op.RMDIR, List.of(new Step(Target.PARENT_DIR, GlockState.EX), new Step(Target.INODE, GlockState.EX),
          new Step(Target.RGRP, GlockState.EX))),
      Map.entry(Op.RENAME, List.of(new Step(Target.BOTH_DIRS, GlockState.EX), new Step(Target.INODE, GlockState.EX))),
      Map.entry(Op.FSYNC, List.of(new Step(Target.INODE, GlockState.EX), new Step(Target.PAGE, null))),
      Map.entry(Op.LAST_CLOSE, List.of(new Step(Target.INODE, GlockState.SH))),
      Map.entry(Op.DEALLOCATE, List.of(new Step(Target.IOPEN, GlockState.EX), new Step(Target.INODE, GlockState.EX),
          new Step(Target.RGRP, GlockState.EX))));

  /** The locks of {@code op} in the order they are taken (fault ops: {@link FaultOrder#GLOCK_FIRST}). */
  public static List<Step> steps(Op op) {
    return TABLE.get(op);
  }

  /** The mode {@code op} holds the glock of {@code target} in; fails for a target the op does not lock. */
  public static GlockState mode(Op op, Target target) {
    return TABLE.get(op).stream().filter(s -> s.target() == target).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(op + " takes no lock on " + target)).state();
  }

  /**
   * The fault path's order: the inode glock in the mode of {@code op}, and the page lock, in the
   * order {@code order} names (rgrp EX for an allocation nests inside the inode glock either way).
   */
  public static List<Target> faultOrder(Op op, FaultOrder order) {
    if (op != Op.FAULT_READ && op != Op.FAULT_WRITE) {
      throw new IllegalArgumentException(op + " is not a fault");
    }
    return order == FaultOrder.GLOCK_FIRST ? List.of(Target.INODE, Target.PAGE) : List.of(Target.PAGE, Target.INODE);
  }

  /**
   * The directory glocks of a rename, in the order taken: distinct, ascending inode number
   * (siblings by number; the model keeps no parent links, so "parent before child" between the two
   * directories is not known and the number order is the whole rule — the cross-node ABBA of
   * variant d′ cannot form, since every member uses the same order).
   */
  public static long[] renameDirs(long fromDir, long toDir) {
    return LongStream.of(fromDir, toDir).distinct().sorted().toArray();
  }
}
