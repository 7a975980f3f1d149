package org.jdlm.scenario.chaos.core;

import java.util.List;
import java.util.Map;

/**
 * What one checker found.
 *
 * @param checker    the checker's name
 * @param violations the broken rules; empty when the history passes
 * @param counts     figures for the report (operations seen, increments lost under VALNOTVALID, ...)
 */
public record CheckResult(String checker, List<Violation> violations, Map<String, Long> counts) {

  public CheckResult {
    violations = List.copyOf(violations);
    counts = Map.copyOf(counts);
  }

  public boolean valid() {
    return violations.isEmpty();
  }

  /** The rules broken, for tests and the summary line. */
  public List<String> rules() {
    return violations.stream().map(Violation::rule).toList();
  }
}
