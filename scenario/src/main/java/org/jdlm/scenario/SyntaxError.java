package org.jdlm.scenario;

/** One error found in a scenario file, printed as {@code file:line:col: message} (brief §6). */
public record SyntaxError(Position position, String message) {

  public SyntaxError {
    if (position == null || message == null || message.isEmpty()) {
      throw new IllegalArgumentException("a syntax error needs a position and a message");
    }
  }

  @Override
  public String toString() {
    return position + ": " + message;
  }
}
