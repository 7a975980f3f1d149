package org.jdlm.kernel.core.waits;

import java.util.Objects;

/**
 * Report ids {@code <scenario>-<n>} (fs-cycles §5.0), one counter shared by the deadlock detector
 * and the livelock monitors of a run, so every block a run prints has its own id.
 * Not thread-safe, like its users.
 */
public final class ReportIds {
  private final String scenario;
  private int next = 1;

  public ReportIds(String scenario) {
    Objects.requireNonNull(scenario, "scenario");
    if (scenario.isBlank() || scenario.contains(" ")) {
      throw new IllegalArgumentException("scenario id must be one word, got '" + scenario + "'");
    }
    this.scenario = scenario;
  }

  public String next() {
    return scenario + "-" + next++;
  }
}
