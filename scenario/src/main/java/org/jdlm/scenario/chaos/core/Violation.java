package org.jdlm.scenario.chaos.core;

import java.util.List;

/**
 * One broken rule, with the events that prove it.
 *
 * @param rule     the rule's short name, e.g. {@code overlap}, {@code token-back}
 * @param message  what happened, in words
 * @param evidence the events that show it
 */
public record Violation(String rule, String message, List<Event> evidence) {
  public Violation {
    evidence = List.copyOf(evidence);
  }
}
