package org.jdlm.scenario.chaos.core;

import java.util.Locale;

/** The faults a chaos run injects (issue 12), with their names in a printed schedule. */
public enum FaultKind {
  /** SIGKILL; the member comes back as a new incarnation when the fault ends. */
  KILL,
  /** SIGSTOP for less than the failure detector's bound: the cluster must ride it out. */
  PAUSE_SHORT,
  /** SIGSTOP for longer than the bound: the member is downed and fenced, then resumes as a zombie. */
  PAUSE_LONG,
  /** A clean stop; the member starts again as a new incarnation when the fault ends. */
  RESTART,
  /** The targets are cut off from the other members (both ways or one way). */
  PARTITION,
  /** CPU starvation of the targets. */
  SLOW;

  /** The schedule name: lower case with dashes ({@code pause-short}). */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The kind for a schedule name; a clear error naming the accepted names otherwise. */
  public static FaultKind parse(String label) {
    for (FaultKind kind : values()) {
      if (kind.label().equals(label)) {
        return kind;
      }
    }
    throw new IllegalArgumentException("unknown fault kind '" + label
        + "': expected one of kill, pause-short, pause-long, restart, partition, slow");
  }
}
