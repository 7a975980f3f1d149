package org.jdlm.scenario.chaos.core;

import java.util.List;

/** The checkers of a chaos run, in report order. */
public final class Checkers {

  private Checkers() {}

  /** Every checker; {@code livenessBoundNanos} is the time clients get to recover after the faults. */
  public static List<Checker> all(long livenessBoundNanos) {
    return List.of(new ExclusionChecker(), new FencedRegisterChecker(), new LvbCounterChecker(),
        new RwConsistencyChecker(), new TokenMonotonicChecker(), new LivenessChecker(livenessBoundNanos));
  }

  /** Runs every checker over {@code history}. */
  public static List<CheckResult> run(History history, long livenessBoundNanos) {
    return all(livenessBoundNanos).stream().map(c -> c.check(history)).toList();
  }
}
