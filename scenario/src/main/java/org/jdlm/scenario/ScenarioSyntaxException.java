package org.jdlm.scenario;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The only exception {@link ScenarioParser} throws: the file is not a valid scenario. Carries every
 * error found (one per line at most, in line order, up to the configured limit); the message is
 * those errors, one {@code file:line:col: message} per line, ready to print. The CLI exits with
 * status 2 on it (brief §6).
 */
public final class ScenarioSyntaxException extends Exception {

  private static final long serialVersionUID = 1L;

  private final transient List<SyntaxError> errors;

  public ScenarioSyntaxException(List<SyntaxError> errors) {
    super(render(errors));
    this.errors = List.copyOf(errors);
  }

  /** The errors in line order; never empty. */
  public List<SyntaxError> errors() {
    return errors;
  }

  private static String render(List<SyntaxError> errors) {
    if (errors == null || errors.isEmpty()) {
      throw new IllegalArgumentException("a syntax exception needs at least one error");
    }
    return errors.stream().map(SyntaxError::toString).collect(Collectors.joining("\n"));
  }
}
