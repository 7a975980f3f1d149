package org.jdlm.fs.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.jdlm.dlm.core.LockMode;
import org.junit.jupiter.api.Test;

/** The debugfs glock dump, line by line (fs-cycles §6.3). */
class GlockDumpTest {

  @Test
  void inodeGlockWaitingForExclusiveInTheDlmPrintsLikeTheCycleBExample() {
    // As fs-cycles §6.3 but for a first request: no DLM lock yet, so no "a"; letters in gflags2str order.
    GlockCore gl = GlockCore.create(GlockName.of(GlockType.INODE, 0x1a2b), GlockSettings.defaults(), 0);
    gl.attachObject(new GlockObject.Inode(21, 6699, 8, 0, 0, 0, 0, false));
    gl.enqueue(new HolderId(1), GlockState.EX, Set.of(HolderFlag.SKIP), 4242, "fence_ipmilan",
        "evict_should_delete+0x1c/0x90 [gfs2]", 0);
    assertThat(GlockDump.format(gl, 0).split("\\R")).containsExactly(
        "G:  s:UN n:2/1a2b f:lqobn t:EX d:EX/0 a:0 v:0 r:2 m:20 p:0",
        " H: s:EX f:Ws e:0 p:4242 [fence_ipmilan] evict_should_delete+0x1c/0x90 [gfs2]",
        " I: n:21/6699 t:8 f:0x00 d:0x00000000 s:0 p:0");
  }

  @Test
  void dueDemotePrintsTheDemoteStateAndMicrosecondsSinceTheRequest() {
    GlockHarness h = new GlockHarness(GlockName.of(GlockType.IOPEN, 0x1a2b));
    h.hold(GlockState.SH);
    h.now = 1000;
    h.bast(LockMode.EX);
    h.now = 2834;
    String[] lines = GlockDump.format(h.gl, h.now).split("\\R");
    assertThat(lines[0]).isEqualTo("G:  s:SH n:5/1a2b f:Daq t:SH d:UN/1834000 a:0 v:0 r:2 m:20 p:0");
    assertThat(lines[1]).isEqualTo(" H: s:SH f:H e:0 p:1001 [task1] caller");
  }

  @Test
  void holdersWithoutATaskOrWithAnEndedTaskSayso() {
    Holder none = Holder.request(new HolderId(1), GlockState.SH, Set.of(HolderFlag.NOPID), 0, null, "x", 0);
    Holder ended = Holder.request(new HolderId(2), GlockState.DF, Set.of(HolderFlag.ASYNC), 7, null, "y", 0);
    assertThat(GlockDump.holderLine(none)).isEqualTo(" H: s:SH f:W e:0 p:0 [(none)] x");
    assertThat(GlockDump.holderLine(ended)).isEqualTo(" H: s:DF f:aW e:0 p:7 [(ended)] y");
  }

  @Test
  void cachedGlockOnTheLruAndRgrpLine() {
    GlockHarness h = new GlockHarness(GlockName.of(GlockType.RGRP, 0x11));
    h.dequeue(h.hold(GlockState.EX));
    h.put();
    h.gl.attachObject(new GlockObject.Rgrp(17, 0, 1000, 990, 12));
    assertThat(GlockDump.format(h.gl, 0).split("\\R")).containsExactly(
        "G:  s:EX n:3/11 f:aLo t:EX d:EX/0 a:0 v:0 r:0 m:20 p:0",
        " R: n:17 f:00 b:1000/990 i:12");
  }

  @Test
  void dlmResourceNameIsTypeAndNumberRightAlignedInHex() {
    assertThat(GlockName.of(GlockType.INODE, 0x805b).dlmResourceName()).isEqualTo("       2            805b");
    assertThat(GlockName.of(GlockType.INODE, 0x805b).dlmResourceName()).hasSize(24);
    assertThat(GlockName.of(GlockType.IOPEN, 0x1c00)).hasToString("5/1c00");
  }

  @Test
  void logFormatPrefixesEveryLineWithTheFsid() {
    GlockHarness h = GlockHarness.inode(0x1c00);
    h.hold(GlockState.SH);
    assertThat(GlockDump.formatForLog("mycluster:gfs0", h.gl, 0).split("\\R")).containsExactly(
        "fsid=mycluster:gfs0: G:  s:SH n:2/1c00 f:aq t:SH d:EX/0 a:0 v:0 r:2 m:20 p:0",
        "fsid=mycluster:gfs0:  H: s:SH f:H e:0 p:1001 [task1] caller");
  }
}
