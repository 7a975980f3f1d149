package org.jdlm.scenario;

/**
 * Where something sits in a scenario file: file name, 1-based line, 1-based column.
 * Columns count characters (a tab is one column), which is what editors show for ASCII files.
 */
public record Position(String file, int line, int column) {

  public Position {
    if (file == null) {
      throw new IllegalArgumentException("file name must not be null");
    }
    if (line < 1 || column < 1) {
      throw new IllegalArgumentException("line and column are 1-based, got " + line + ":" + column);
    }
  }

  /** {@code file:line:col}, the prefix of every syntax error (brief §6). */
  @Override
  public String toString() {
    return file + ":" + line + ":" + column;
  }
}
