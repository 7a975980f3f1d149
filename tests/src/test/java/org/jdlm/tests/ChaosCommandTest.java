package org.jdlm.tests;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@code dlm chaos} end to end, short: two rounds on an in-process cluster of five (seed 2 has a
 * double failure in round 2, so both kinds of round run). Long runs, on real JVMs with SIGSTOP as
 * well, are the command's job (README "Chaos runs"), not the default test run's.
 *
 * <p>KNOWN ISSUE (tag {@code known-issue}, excluded from the default run): under CI load the
 * second victim's restart once timed out joining: every member had stopped for the view with the
 * new incarnation of n1, which had the lowest address and so coordinated, and no recovery run ever
 * started (docs/recovery.md "Known limits"). It passes on an idle machine (3 of 3) and with
 * {@code -Dtest.excludedGroups=slow}.
 */
class ChaosCommandTest {

  @Test
  @org.junit.jupiter.api.Tag("known-issue")
  void aShortInprocChaosRunPassesEveryRoundAndNamesItsSeed() {
    CliRun run = CliRun.of("chaos", "--mode", "inproc", "--nodes", "5", "--rounds", "2", "--seed", "2");
    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    assertThat(run.out()).contains("chaos: seed 2, 5 nodes, 2 rounds, mode inproc", "PASS chaos-2.scen",
        "chaos: 2 rounds passed (seed 2)");
  }
}
