package org.jdlm.scenario;

/**
 * An error on the line being parsed, at a column. Internal to the parser: it unwinds the parse of
 * one line only and becomes a {@link SyntaxError}; it never leaves {@link ScenarioParser}. Without
 * a stack trace because it is an expected outcome, not a bug.
 */
final class LineError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int column;

  LineError(int column, String message) {
    super(message, null, false, false);
    this.column = column;
  }

  int column() {
    return column;
  }
}
