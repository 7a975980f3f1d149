package org.jdlm.common.wire;

import java.util.List;

/**
 * The wire registrations are inconsistent: an id outside its module's range, an id or a class used
 * twice, a registrations class that cannot be loaded, overlapping ranges. Raised at start-up, with
 * every problem found listed one per line, so that a bad build never joins a cluster.
 */
public final class WireRegistrationException extends IllegalStateException {

  private final List<String> problems;

  WireRegistrationException(List<String> problems) {
    super("invalid jdlm wire registrations (jdlm.wire.registrations / jdlm.wire.id-ranges):\n  - "
        + String.join("\n  - ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Each problem as one sentence, in the order found. */
  public List<String> problems() {
    return problems;
  }
}
