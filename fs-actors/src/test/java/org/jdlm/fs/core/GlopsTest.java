package org.jdlm.fs.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jdlm.fs.core.CacheWork.FORGET_ACLS_AND_DIR_HASH;
import static org.jdlm.fs.core.CacheWork.RELEASE_BITMAPS;
import static org.jdlm.fs.core.CacheWork.TRUNCATE_DATA;
import static org.jdlm.fs.core.CacheWork.TRUNCATE_METADATA;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Per-type operations: what each type drops, writes back and allows (glops.c, fs-cycles §1.9). */
class GlopsTest {

  // Inode go_inval per move (rows from, columns to: UN, DF); "-" = nothing.
  //   from    to UN                          to DF
  private static final String[][] INODE_INVAL = {
      {"UN", "-", "-"},
      {"SH", "TRUNCATE_METADATA TRUNCATE_DATA FORGET_ACLS_AND_DIR_HASH", "TRUNCATE_DATA"},
      {"DF", "TRUNCATE_METADATA FORGET_ACLS_AND_DIR_HASH", "-"},
      {"EX", "TRUNCATE_METADATA TRUNCATE_DATA FORGET_ACLS_AND_DIR_HASH", "TRUNCATE_DATA"},
  };

  private static Set<CacheWork> parse(String cell) {
    EnumSet<CacheWork> s = EnumSet.noneOf(CacheWork.class);
    if (!cell.equals("-")) {
      for (String w : cell.split(" ")) {
        s.add(CacheWork.valueOf(w));
      }
    }
    return s;
  }

  @Test
  void inodeInvalidationDropsWhatTheTargetMayNotCache() {
    for (String[] row : INODE_INVAL) {
      GlockState from = GlockState.valueOf(row[0]);
      assertThat(Glops.Inode.INSTANCE.invalidate(from, GlockState.UN)).as("%s>UN", from).isEqualTo(parse(row[1]));
      assertThat(Glops.Inode.INSTANCE.invalidate(from, GlockState.DF)).as("%s>DF", from).isEqualTo(parse(row[2]));
    }
  }

  @Test
  void rgrpInvalidationReleasesBitmapsOnlyWhenGoingToUnlocked() {
    assertThat(Glops.Rgrp.INSTANCE.invalidate(GlockState.EX, GlockState.UN))
        .containsExactlyInAnyOrder(TRUNCATE_METADATA, RELEASE_BITMAPS);
    assertThat(Glops.Rgrp.INSTANCE.invalidate(GlockState.EX, GlockState.DF)).isEmpty();
    assertThat(Glops.Rgrp.INSTANCE.sync(GlockState.EX, GlockState.UN, false)).isEmpty();
    assertThat(Glops.Rgrp.INSTANCE.sync(GlockState.EX, GlockState.UN, true)).contains(CacheWork.FLUSH_LOG);
  }

  @Test
  void inodeSyncWritesBackOnlyWhenDirtyAndUnmapsWhenLeavingExclusive() {
    assertThat(Glops.Inode.INSTANCE.sync(GlockState.SH, GlockState.UN, false)).isEmpty();
    assertThat(Glops.Inode.INSTANCE.sync(GlockState.EX, GlockState.SH, false)).containsExactly(CacheWork.UNMAP_SHARED_MMAPS);
    assertThat(Glops.Inode.INSTANCE.sync(GlockState.DF, GlockState.UN, false)).containsExactly(CacheWork.WAIT_DIRECT_IO);
    assertThat(Glops.Inode.INSTANCE.sync(GlockState.EX, GlockState.UN, true)).contains(CacheWork.FLUSH_LOG,
        CacheWork.WRITE_DATA, CacheWork.WRITE_METADATA, CacheWork.EMPTY_AIL);
  }

  @Test
  void freezeGlockFreezesTheFilesystemWhenItsSharedLockIsTakenAway() {
    GlockOps freeze = Glops.forName(GlockName.of(GlockType.NONDISK, Glops.FREEZE_LOCK));
    assertThat(freeze).isSameAs(Glops.Freeze.INSTANCE);
    assertThat(freeze.sync(GlockState.SH, GlockState.UN, false)).containsExactly(CacheWork.FREEZE_FS);
    assertThat(Glops.forName(GlockName.of(GlockType.NONDISK, 1))).isInstanceOf(Glops.Plain.class);
  }

  @Test
  void everyTypeHasOperationsOfItsOwnType() {
    for (GlockType t : GlockType.values()) {
      assertThat(Glops.forName(GlockName.of(t, 7)).type()).isEqualTo(t);
      assertThat(GlockType.ofNumber(t.number())).isEqualTo(t);
    }
    assertThat(GlockType.INODE.number()).isEqualTo(2);
    assertThat(GlockType.IOPEN.number()).isEqualTo(5);
    assertThat(GlockType.JOURNAL.number()).isEqualTo(9);
  }

  @Test
  void iopenCallbackQueuesDeleteWorkOnlyForARemoteUnlockWhileSharedWithTheInodeCached() {
    GlockObject inode = new GlockObject.Inode(1, 2, 8, 0, 0, 0, 0, false);
    GlockOps iopen = Glops.Iopen.INSTANCE;
    assertThat(iopen.callback(GlockState.SH, GlockState.UN, true, inode)).isEqualTo(GlockOps.CallbackAction.QUEUE_TRY_TO_EVICT);
    assertThat(iopen.callback(GlockState.SH, GlockState.UN, false, inode)).isEqualTo(GlockOps.CallbackAction.NONE);
    assertThat(iopen.callback(GlockState.SH, GlockState.UN, true, null)).isEqualTo(GlockOps.CallbackAction.NONE);
    assertThat(iopen.callback(GlockState.EX, GlockState.UN, true, inode)).isEqualTo(GlockOps.CallbackAction.NONE);
    assertThat(iopen.demoteOk(Set.of(GlockFlag.TRY_TO_EVICT), inode)).isFalse();
    assertThat(Glops.Inode.INSTANCE.invalidate(GlockState.SH, GlockState.UN)).contains(FORGET_ACLS_AND_DIR_HASH, TRUNCATE_DATA);
  }
}
