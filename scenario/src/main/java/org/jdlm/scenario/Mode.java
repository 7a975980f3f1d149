package org.jdlm.scenario;

/**
 * The six lock modes as written in scenario files (brief §6, semantics §1). The runner maps them to the
 * core's {@code LockMode} by {@link #name()}; the order here is the spec's order, weakest first.
 */
public enum Mode {
  NL, CR, CW, PR, PW, EX
}
