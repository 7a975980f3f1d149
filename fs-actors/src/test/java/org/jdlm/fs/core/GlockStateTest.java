package org.jdlm.fs.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.fs.core.GlockState.CacheRight;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every cell of the glock state tables against a literal copy of fs-cycles §1.2 / gfs2-glocks.rst. */
class GlockStateTest {

  // state: DLM mode, then cache metadata, cache data, dirty data, dirty metadata.
  private static final String[] TABLE = {
      "UN NL 0 0 0 0",
      "SH PR 1 1 0 0",
      "DF CW 1 0 0 0",
      "EX EX 1 1 1 1",
  };

  record Cell(GlockState state, CacheRight right, boolean expected) {}

  static List<Cell> cacheCells() {
    List<Cell> cells = new ArrayList<>();
    for (String row : TABLE) {
      String[] c = row.split(" ");
      for (CacheRight r : CacheRight.values()) {
        cells.add(new Cell(GlockState.valueOf(c[0]), r, c[2 + r.ordinal()].equals("1")));
      }
    }
    return cells;
  }

  @ParameterizedTest
  @MethodSource("cacheCells")
  void cacheRightCellMatchesGlocksRst(Cell cell) {
    assertThat(cell.state().allows(cell.right())).as("%s %s", cell.state(), cell.right()).isEqualTo(cell.expected());
  }

  @Test
  void tableHasAllCells() {
    assertThat(cacheCells()).hasSize(16);
  }

  @Test
  void dlmModeOfEveryStateAndBack() {
    for (String row : TABLE) {
      String[] c = row.split(" ");
      GlockState s = GlockState.valueOf(c[0]);
      assertThat(s.dlmMode()).isEqualTo(LockMode.valueOf(c[1]));
      assertThat(GlockState.ofDlmMode(LockMode.valueOf(c[1]))).isEqualTo(s);
    }
    assertThatThrownBy(() -> GlockState.ofDlmMode(LockMode.PW)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PW");
  }

  @Test
  void bastRequestedModeMapsToTheStateWeMustDropTo() {
    // gdlm_bast: EX -> UN, CW -> DF, PR -> SH; anything else is not a glock request.
    assertThat(GlockState.demoteTargetForBast(LockMode.EX)).isEqualTo(GlockState.UN);
    assertThat(GlockState.demoteTargetForBast(LockMode.CW)).isEqualTo(GlockState.DF);
    assertThat(GlockState.demoteTargetForBast(LockMode.PR)).isEqualTo(GlockState.SH);
    for (LockMode m : List.of(LockMode.NL, LockMode.CR, LockMode.PW)) {
      assertThatThrownBy(() -> GlockState.demoteTargetForBast(m)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(m.name());
    }
  }

  @Test
  void onlyExMayBeDirty() {
    assertThat(GlockState.EX.mayDirty()).isTrue();
    assertThat(GlockState.SH.mayDirty() || GlockState.DF.mayDirty() || GlockState.UN.mayDirty()).isFalse();
  }
}
