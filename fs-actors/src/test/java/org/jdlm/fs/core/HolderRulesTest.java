package org.jdlm.fs.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jdlm.fs.core.HolderRules.RequestKind;
import org.jdlm.fs.core.HolderRules.ShareKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The covers and share tables cell by cell, against literal copies of may_grant's rules. */
class HolderRulesTest {

  // rows UN SH DF EX; columns SH SH/E SH/A DF DF/E DF/A EX EX/E
  private static final String[] COVERS = {
      "0 0 0 0 0 0 0 0",
      "1 1 1 0 0 1 0 0",
      "0 0 1 1 1 1 0 0",
      "1 0 1 1 0 1 1 1",
  };
  // rows/columns SH DF EX EX/n
  private static final String[] SHARE = {
      "1 0 0 0",
      "0 1 0 0",
      "0 0 0 0",
      "0 0 0 1",
  };

  record CoverCell(GlockState glock, RequestKind request, boolean expected) {}

  record ShareCell(ShareKind granted, ShareKind requested, boolean expected) {}

  static List<CoverCell> coverCells() {
    List<CoverCell> cells = new ArrayList<>();
    for (int r = 0; r < COVERS.length; r++) {
      String[] c = COVERS[r].split(" ");
      for (RequestKind k : RequestKind.values()) {
        cells.add(new CoverCell(GlockState.values()[r], k, c[k.ordinal()].equals("1")));
      }
    }
    return cells;
  }

  static List<ShareCell> shareCells() {
    List<ShareCell> cells = new ArrayList<>();
    for (int r = 0; r < SHARE.length; r++) {
      String[] c = SHARE[r].split(" ");
      for (ShareKind k : ShareKind.values()) {
        cells.add(new ShareCell(ShareKind.values()[r], k, c[k.ordinal()].equals("1")));
      }
    }
    return cells;
  }

  @ParameterizedTest
  @MethodSource("coverCells")
  void coversCellMatchesMayGrant(CoverCell cell) {
    assertThat(HolderRules.covers(cell.glock(), cell.request())).as("%s serves %s", cell.glock(), cell.request())
        .isEqualTo(cell.expected());
  }

  @ParameterizedTest
  @MethodSource("shareCells")
  void shareCellMatchesMayGrant(ShareCell cell) {
    assertThat(HolderRules.share(cell.granted(), cell.requested())).as("%s beside %s", cell.requested(), cell.granted())
        .isEqualTo(cell.expected());
  }

  @Test
  void tablesHaveAllCellsAndShareIsSymmetric() {
    assertThat(coverCells()).hasSize(32);
    assertThat(shareCells()).hasSize(16);
    for (ShareKind a : ShareKind.values()) {
      for (ShareKind b : ShareKind.values()) {
        assertThat(HolderRules.share(a, b)).isEqualTo(HolderRules.share(b, a));
      }
    }
  }

  @Test
  void requestKindsFollowTheFlags() {
    assertThat(HolderRules.requestKind(GlockState.SH, Set.of())).isEqualTo(RequestKind.SH);
    assertThat(HolderRules.requestKind(GlockState.SH, Set.of(HolderFlag.ANY))).isEqualTo(RequestKind.SH_ANY);
    assertThat(HolderRules.requestKind(GlockState.DF, Set.of(HolderFlag.EXACT))).isEqualTo(RequestKind.DF_EXACT);
    // EXACT wins over ANY: "only this state" is the stronger demand.
    assertThat(HolderRules.requestKind(GlockState.SH, EnumSet.of(HolderFlag.ANY, HolderFlag.EXACT)))
        .isEqualTo(RequestKind.SH_EXACT);
    assertThat(HolderRules.shareKind(GlockState.EX, Set.of(HolderFlag.NODE_SCOPE))).isEqualTo(ShareKind.EX_NODE_SCOPE);
    assertThatThrownBy(() -> HolderRules.requestKind(GlockState.EX, Set.of(HolderFlag.ANY)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void mayGrantNeedsBothCoverAndShare() {
    Holder shGranted = Holder.request(new HolderId(1), GlockState.SH, Set.of(), 1, "a", "x", 0).grant();
    Holder sh = Holder.request(new HolderId(2), GlockState.SH, Set.of(), 2, "b", "x", 0);
    Holder ex = Holder.request(new HolderId(3), GlockState.EX, Set.of(), 3, "c", "x", 0);
    assertThat(HolderRules.mayGrant(GlockState.EX, shGranted, sh)).isTrue();
    assertThat(HolderRules.mayGrant(GlockState.EX, shGranted, ex)).isFalse();
    assertThat(HolderRules.mayGrant(GlockState.EX, null, ex)).isTrue();
    assertThat(HolderRules.mayGrant(GlockState.DF, null, sh)).isFalse();
  }

  @Test
  void badHolderRequestsAreRejectedWithTheReason() {
    assertThatThrownBy(() -> Holder.request(new HolderId(1), GlockState.UN, Set.of(), 1, "a", "x", 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UN");
    assertThatThrownBy(() -> Holder.request(new HolderId(1), GlockState.EX, Set.of(HolderFlag.ANY), 1, "a", "x", 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ANY");
    assertThatThrownBy(() -> Holder.request(new HolderId(1), GlockState.SH, Set.of(HolderFlag.NODE_SCOPE), 1, "a",
        "x", 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NODE_SCOPE");
  }
}
