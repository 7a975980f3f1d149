package org.jdlm.scenario.chaos;

import java.util.Locale;

/** The client workloads of a chaos run (issue 12; {@code fs} waits for the filesystem). */
public enum Workload {
  /** EX on a few hot resources; read-increment-write of a fenced register in the critical section. */
  MUTEX,
  /** PR readers and EX writers of multi-part values; readers must never see a torn value. */
  RW,
  /** Increment a counter in the value block under EX. */
  LVB_COUNTER;

  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static Workload parse(String label) {
    for (Workload w : values()) {
      if (w.label().equals(label)) {
        return w;
      }
    }
    throw new IllegalArgumentException("unknown workload '" + label + "': expected mutex, rw or lvb-counter");
  }
}
