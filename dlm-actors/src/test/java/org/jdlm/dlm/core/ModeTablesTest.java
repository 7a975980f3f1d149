package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every cell of the three mode tables against a literal copy of semantics §1. */
class ModeTablesTest {

  // Literal copies of semantics §1.1 / §1.2 / §1.3, rows NL..EX (LVB: first row is "new (IV)").
  private static final String[] COMPAT = {
      "1 1 1 1 1 1",
      "1 1 1 1 1 0",
      "1 1 1 0 0 0",
      "1 1 0 1 0 0",
      "1 1 0 0 0 0",
      "1 0 0 0 0 0",
  };
  private static final String[] QUECVT = {
      "0 1 1 1 1 1",
      "0 0 1 1 1 1",
      "0 0 0 1 1 1",
      "0 0 1 0 1 1",
      "0 0 0 0 0 1",
      "0 0 0 0 0 0",
  };
  private static final String[] LVB = {
      "R R R R R R",
      "R R R R R R",
      "- R R R R R",
      "- - R R R R",
      "- - - R R R",
      "W W W W W R",
      "W W W W W W",
  };

  record Cell(LockMode row, LockMode col, String expected) {}

  static List<Cell> compatCells() {
    return cells(COMPAT, 0);
  }

  static List<Cell> quecvtCells() {
    return cells(QUECVT, 0);
  }

  static List<Cell> lvbCells() {
    return cells(LVB, 1);
  }

  /** rowOffset 1: the first literal row is the IV row (row = null). */
  private static List<Cell> cells(String[] table, int rowOffset) {
    List<Cell> cells = new ArrayList<>();
    for (int r = 0; r < table.length; r++) {
      String[] cols = table[r].split(" ");
      for (int c = 0; c < 6; c++) {
        LockMode row = r - rowOffset < 0 ? null : LockMode.ofValue(r - rowOffset);
        cells.add(new Cell(row, LockMode.ofValue(c), cols[c]));
      }
    }
    return cells;
  }

  @ParameterizedTest(name = "compatible({0}) held={0}")
  @MethodSource("compatCells")
  void compatibilityCellMatchesSpecTable(Cell cell) {
    assertThat(ModeTables.compatible(cell.row(), cell.col()))
        .as("compat[%s][%s]", cell.row(), cell.col())
        .isEqualTo(cell.expected().equals("1"));
  }

  @ParameterizedTest
  @MethodSource("quecvtCells")
  void quecvtCellMatchesSpecTable(Cell cell) {
    assertThat(ModeTables.quecvtAllowed(cell.row(), cell.col()))
        .as("quecvt[%s][%s]", cell.row(), cell.col())
        .isEqualTo(cell.expected().equals("1"));
  }

  @ParameterizedTest
  @MethodSource("lvbCells")
  void lvbDirectionCellMatchesSpecTable(Cell cell) {
    ModeTables.LvbOp expected = switch (cell.expected()) {
      case "R" -> ModeTables.LvbOp.READ;
      case "W" -> ModeTables.LvbOp.WRITE;
      default -> ModeTables.LvbOp.NONE;
    };
    assertThat(ModeTables.lvbOperation(cell.row(), cell.col()))
        .as("lvb[%s][%s]", LockMode.nameOf(cell.row()), cell.col())
        .isEqualTo(expected);
  }

  @Test
  void tablesHaveAllCells() {
    assertThat(compatCells()).hasSize(36);
    assertThat(quecvtCells()).hasSize(36);
    assertThat(lvbCells()).hasSize(42); // 36 + the new (IV) row
  }

  @Test
  void compatibilityIsSymmetric() {
    for (LockMode a : LockMode.values()) {
      for (LockMode b : LockMode.values()) {
        assertThat(ModeTables.compatible(a, b)).as("%s/%s", a, b).isEqualTo(ModeTables.compatible(b, a));
      }
    }
  }

  @Test
  void noModeIsCompatibleWithEverything() {
    for (LockMode m : LockMode.values()) {
      assertThat(ModeTables.compatible(null, m)).isTrue();
      assertThat(ModeTables.compatible(m, null)).isTrue();
    }
  }

  @Test
  void onlyMiddleConversionIsNeitherUpNorDown() {
    assertThat(ModeTables.isDownConversion(LockMode.PR, LockMode.CW)).isFalse();
    assertThat(ModeTables.isDownConversion(LockMode.CW, LockMode.PR)).isFalse();
    assertThat(ModeTables.isMiddleConversion(LockMode.PR, LockMode.CW)).isTrue();
    assertThat(ModeTables.isDownConversion(LockMode.EX, LockMode.NL)).isTrue();
    assertThat(ModeTables.isDownConversion(LockMode.PW, LockMode.CW)).isTrue();
    assertThat(ModeTables.isDownConversion(LockMode.NL, LockMode.EX)).isFalse();
    assertThat(ModeTables.isDownConversion(LockMode.PR, LockMode.PR)).isFalse();
  }

  @Test
  void modesHaveKernelValuesAndParseByName() {
    assertThat(LockMode.NL.value()).isZero();
    assertThat(LockMode.EX.value()).isEqualTo(5);
    assertThat(LockMode.parse("pw")).isEqualTo(LockMode.PW);
    assertThatThrownBy(() -> LockMode.parse("XX"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'XX'").hasMessageContaining("NL, CR");
    assertThatThrownBy(() -> LockMode.ofValue(6))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("6");
  }
}
