package org.jdlm.fs.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdlm.fs.core.FileLockPlan.FaultOrder;
import org.jdlm.fs.core.FileLockPlan.Op;
import org.jdlm.fs.core.FileLockPlan.Step;
import org.jdlm.fs.core.FileLockPlan.Target;
import org.junit.jupiter.api.Test;

/** The file layer's decision tables, cell by cell: page states, lock plans, glops actions, paths. */
class FileCoreTablesTest {

  @Test
  void pageStateTransitionsAreExactlyTheDrawnOnes() {
    // rows: from; columns: NEW UPTODATE DIRTY WRITEBACK GONE
    Map<PageState, String> table = Map.of(
        PageState.NEW,       "-  y  y  -  y",
        PageState.UPTODATE,  "-  -  y  -  y",
        PageState.DIRTY,     "-  -  -  y  y",
        PageState.WRITEBACK, "-  y  -  -  -",
        PageState.GONE,      "-  -  -  -  -");
    for (PageState from : PageState.values()) {
      String[] cells = table.get(from).split("\\s+");
      for (PageState to : PageState.values()) {
        boolean legal = cells[to.ordinal()].equals("y");
        if (legal) {
          assertThat(from.transitionTo(to)).as(from + " -> " + to).isEqualTo(to);
        } else {
          assertThatThrownBy(() -> from.transitionTo(to)).as(from + " -> " + to)
              .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot go from " + from);
        }
      }
    }
    assertThat(EnumSet.allOf(PageState.class).stream().filter(PageState::uptodate))
        .containsExactlyInAnyOrder(PageState.UPTODATE, PageState.DIRTY, PageState.WRITEBACK);
    assertThat(EnumSet.allOf(PageState.class).stream().filter(PageState::dirty)).containsExactly(PageState.DIRTY);
  }

  @Test
  void lockPlansFollowGfs2sOrder() {
    GlockState sh = GlockState.SH;
    GlockState ex = GlockState.EX;
    Map<Op, List<Step>> expected = Map.ofEntries(
        Map.entry(Op.LOOKUP, List.of(new Step(Target.DIR, sh))),
        Map.entry(Op.CREATE, List.of(new Step(Target.PARENT_DIR, ex), new Step(Target.RGRP, ex))),
        Map.entry(Op.MKDIR, List.of(new Step(Target.PARENT_DIR, ex), new Step(Target.RGRP, ex))),
        Map.entry(Op.READ, List.of(new Step(Target.INODE, sh), new Step(Target.PAGE, null))),
        Map.entry(Op.WRITE, List.of(new Step(Target.INODE, ex), new Step(Target.RGRP, ex), new Step(Target.PAGE, null))),
        Map.entry(Op.FAULT_READ, List.of(new Step(Target.INODE, sh), new Step(Target.PAGE, null))),
        Map.entry(Op.FAULT_WRITE, List.of(new Step(Target.INODE, ex), new Step(Target.RGRP, ex),
            new Step(Target.PAGE, null))),
        Map.entry(Op.UNLINK, List.of(new Step(Target.PARENT_DIR, ex), new Step(Target.INODE, ex),
            new Step(Target.RGRP, ex))),
        Map.entry(Op.RMDIR, List.of(new Step(Target.PARENT_DIR, ex), new Step(Target.INODE, ex),
            new Step(Target.RGRP, ex))),
        Map.entry(Op.RENAME, List.of(new Step(Target.BOTH_DIRS, ex), new Step(Target.INODE, ex))),
        Map.entry(Op.FSYNC, List.of(new Step(Target.INODE, ex), new Step(Target.PAGE, null))),
        Map.entry(Op.LAST_CLOSE, List.of(new Step(Target.INODE, sh))),
        Map.entry(Op.DEALLOCATE, List.of(new Step(Target.IOPEN, ex), new Step(Target.INODE, ex),
            new Step(Target.RGRP, ex))));
    for (Op op : Op.values()) {
      assertThat(FileLockPlan.steps(op)).as(op.toString()).isEqualTo(expected.get(op));
      List<Step> steps = FileLockPlan.steps(op);
      int page = steps.indexOf(new Step(Target.PAGE, null));
      assertThat(page).as(op + ": the page lock is last when taken").isIn(-1, steps.size() - 1);
    }
    assertThat(FileLockPlan.mode(Op.WRITE, Target.INODE)).isEqualTo(ex);
    assertThatThrownBy(() -> FileLockPlan.mode(Op.READ, Target.RGRP)).hasMessageContaining("READ takes no lock on RGRP");
  }

  @Test
  void faultOrderIsTheSwitchCycleEIsAbout() {
    assertThat(FileLockPlan.faultOrder(Op.FAULT_READ, FaultOrder.GLOCK_FIRST)).containsExactly(Target.INODE, Target.PAGE);
    assertThat(FileLockPlan.faultOrder(Op.FAULT_WRITE, FaultOrder.PAGE_FIRST)).containsExactly(Target.PAGE, Target.INODE);
    assertThatThrownBy(() -> FileLockPlan.faultOrder(Op.READ, FaultOrder.PAGE_FIRST)).hasMessageContaining("not a fault");
  }

  @Test
  void renameLocksDistinctDirectoriesInInodeNumberOrderOnEveryMember() {
    assertThat(FileLockPlan.renameDirs(90, 50)).containsExactly(50, 90);
    assertThat(FileLockPlan.renameDirs(50, 90)).containsExactly(50, 90);
    assertThat(FileLockPlan.renameDirs(70, 70)).containsExactly(70);
  }

  /** Every inode glock move, clean and dirty, against what the page cache must do. */
  @Test
  void inodeGlopsActionsForEveryMove() {
    GlockOps ops = Glops.forName(GlockName.of(GlockType.INODE, 1));
    // from -> target : {write when dirty, drop pages, drop dinode}
    record Row(GlockState from, GlockState to, boolean drops, boolean dropsDinode) {}
    List<Row> rows = List.of(
        new Row(GlockState.EX, GlockState.UN, true, true),
        new Row(GlockState.EX, GlockState.SH, false, false),
        new Row(GlockState.EX, GlockState.DF, true, false),
        new Row(GlockState.SH, GlockState.UN, true, true),
        new Row(GlockState.SH, GlockState.EX, false, false),
        new Row(GlockState.UN, GlockState.EX, false, false),
        new Row(GlockState.UN, GlockState.SH, false, false));
    for (Row r : rows) {
      for (boolean dirty : new boolean[] {false, true}) {
        InodeGlopsPlan p = InodeGlopsPlan.of(ops.sync(r.from(), r.to(), dirty), ops.invalidate(r.from(), r.to()));
        String what = r.from() + "->" + r.to() + (dirty ? " dirty" : " clean");
        assertThat(p.writeData()).as(what + " writes data").isEqualTo(dirty);
        assertThat(p.commitDinode()).as(what + " commits the dinode").isEqualTo(dirty);
        assertThat(p.dropPages()).as(what + " drops pages").isEqualTo(r.drops());
        assertThat(p.dropDinode()).as(what + " drops the dinode").isEqualTo(r.dropsDinode());
      }
    }
    assertThat(InodeGlopsPlan.of(Set.of(), Set.of()).nothing()).isTrue();
  }

  @Test
  void pathRules() throws Exception {
    assertThat(PathRules.components("/")).isEmpty();
    assertThat(PathRules.components("//a///b/")).containsExactly("a", "b");
    assertThat(PathRules.split("/a/b")).isEqualTo(new PathRules.Split(List.of("a"), "b"));
    assertThatThrownBy(() -> PathRules.components("a/b")).hasMessageContaining("a/b: not absolute");
    assertThatThrownBy(() -> PathRules.components("")).hasMessageContaining("empty path");
    assertThatThrownBy(() -> PathRules.components("/a/../b")).hasMessageContaining("'..' is not supported");
    assertThatThrownBy(() -> PathRules.split("/")).hasMessageContaining("the root has no parent");
    assertThatThrownBy(() -> PathRules.components("/" + "y".repeat(56))).hasMessageContaining("longer than 55 bytes");
    assertThat(PathRules.isWithin(List.of("a", "b"), List.of("a"))).isTrue();
    assertThat(PathRules.isWithin(List.of("a"), List.of("a"))).isTrue();
    assertThat(PathRules.isWithin(List.of("ab"), List.of("a"))).isFalse();
  }
}
