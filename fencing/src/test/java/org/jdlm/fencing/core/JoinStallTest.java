package org.jdlm.fencing.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jdlm.fencing.core.JoinStall.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A welcomed member that nobody else knows starts its join over; any other wait is left alone. */
class JoinStallTest {

  private static final long AFTER = 10_000;

  /** One observation after a first one at 0 with the same inputs, at AFTER: what is decided. */
  @ParameterizedTest(name = "joining={0} wasMember={1} seenByAnother={2} -> {3}")
  @CsvSource({
      "true,  false, false, REJOIN", // welcomed, unknown to the others: the case
      "true,  false, true,  WAIT",   // known to the others: convergence may legitimately wait
      "false, false, false, WAIT",   // not welcomed yet: Pekko's join retries apply
      "false, true,  false, WAIT",   // WeaklyUp/Up/...: a member the others know
      "false, true,  true,  WAIT",
  })
  void onlyAJoiningMemberNobodyHasSeenRejoins(boolean joining, boolean wasMember, boolean seen, Verdict expected) {
    JoinStall stall = new JoinStall(AFTER);
    assertThat(stall.observe(0, joining, wasMember, seen)).isEqualTo(Verdict.WAIT);
    assertThat(stall.observe(AFTER, joining, wasMember, seen)).isEqualTo(expected);
  }

  @Test
  void theBoundIsCountedFromTheFirstUnseenObservation() {
    JoinStall stall = new JoinStall(AFTER);
    assertThat(stall.observe(5_000, true, false, false)).isEqualTo(Verdict.WAIT);
    assertThat(stall.observe(14_999, true, false, false)).isEqualTo(Verdict.WAIT);
    assertThat(stall.stalledFor(14_999)).isEqualTo(9_999);
    assertThat(stall.observe(15_000, true, false, false)).isEqualTo(Verdict.REJOIN);
  }

  @Test
  void beingSeenByAnotherMemberStartsTheCountOver() {
    JoinStall stall = new JoinStall(AFTER);
    stall.observe(0, true, false, false);
    stall.observe(9_000, true, false, true);
    assertThat(stall.observe(12_000, true, false, false)).isEqualTo(Verdict.WAIT);
    assertThat(stall.observe(22_000, true, false, false)).isEqualTo(Verdict.REJOIN);
  }

  @Test
  void aMemberThatWasOnceMoreThanJoiningNeverRejoins() {
    JoinStall stall = new JoinStall(AFTER);
    stall.observe(0, false, true, true);
    assertThat(stall.observe(1, true, false, false)).isEqualTo(Verdict.WAIT);
    assertThat(stall.observe(100 * AFTER, true, false, false)).isEqualTo(Verdict.WAIT);
  }

  @Test
  void aBoundBelowOneMillisecondIsRefusedWithTheValue() {
    assertThatThrownBy(() -> new JoinStall(0)).hasMessageContaining("not 0");
  }
}
