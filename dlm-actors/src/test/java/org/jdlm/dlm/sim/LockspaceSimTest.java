package org.jdlm.dlm.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Runs the seeded lockspace simulation ({@link LockspaceSim}): thousands of seeds of the protocol
 * as shipped must keep every invariant, and with either of issue 4's fixes undone the simulation
 * must find a failing seed.
 *
 * <p>Settings: {@code -Djdlm.sim.seeds=N} (how many seeds, default 2000), {@code -Djdlm.sim.seed=S}
 * with {@link #replayOneSeed} (replay one seed and print its full trace), {@code -Djdlm.sim.variant=V}
 * (replay it with a fix undone) and {@code -Djdlm.sim.profile=P} (the fault mix it ran with).
 */
class LockspaceSimTest {

  private static final int SEEDS = Integer.getInteger("jdlm.sim.seeds", 2000);

  @Test
  void thousandsOfSeedsKeepEveryInvariant() {
    keepEveryInvariant(LockspaceSim.Profile.MIXED, SEEDS);
  }

  @Test
  void restartsOfTheCoordinatorKeepEveryInvariant() {
    keepEveryInvariant(LockspaceSim.Profile.COORDINATOR_RESTARTS, SEEDS / 4);
  }

  @Test
  void joinsWithABlackholedLinkToTheCoordinatorKeepEveryInvariant() {
    keepEveryInvariant(LockspaceSim.Profile.BLACKHOLED_JOIN, SEEDS / 4);
  }

  private static void keepEveryInvariant(LockspaceSim.Profile profile, int seeds) {
    long started = System.nanoTime();
    for (long seed = 1; seed <= seeds; seed++) {
      try {
        new LockspaceSim(seed, LockspaceSim.Variant.FIXED, profile, false).run();
      } catch (LockspaceSim.Failure f) {
        System.err.println(f.getMessage());
        throw new AssertionError("seed " + seed + " broke an invariant (schedule and state printed above):\n"
            + f.getMessage().lines().limit(3).reduce("", (a, b) -> a + b + "\n"), f);
      }
    }
    System.out.printf("lockspace simulation: %d seeds (%s) kept every invariant in %d ms%n", seeds, profile,
        (System.nanoTime() - started) / 1_000_000);
  }

  @Test
  void aSeedReplaysToTheSameEndState() {
    String first = new LockspaceSim(42, LockspaceSim.Variant.FIXED, false).run();
    String second = new LockspaceSim(42, LockspaceSim.Variant.FIXED, false).run();
    assertThat(second).isEqualTo(first);
  }

  /** Issue 4, "a false Terminated": believing every reported termination drops a restarted member for good. */
  @Test
  void findsTheFalseTerminationBugWhenItsFixIsUndone() {
    LockspaceSim.Failure found = firstFailure(LockspaceSim.Variant.BELIEVE_EVERY_TERMINATION,
        LockspaceSim.Profile.MIXED);
    assertThat(found).as("a failing seed with terminations believed").isNotNull();
  }

  /** Issue 4, "a lost StopAck": without the coordinator's retry Hello the barrier waits for good. */
  @Test
  void findsTheLostStopAckBugWhenItsFixIsUndone() {
    LockspaceSim.Failure found = firstFailure(LockspaceSim.Variant.NO_BARRIER_RETRY,
        LockspaceSim.Profile.BLACKHOLED_JOIN);
    assertThat(found).as("a failing seed without the barrier retry").isNotNull();
  }

  private static LockspaceSim.Failure firstFailure(LockspaceSim.Variant variant, LockspaceSim.Profile profile) {
    for (long seed = 1; seed <= SEEDS; seed++) {
      try {
        new LockspaceSim(seed, variant, profile, false).run();
      } catch (LockspaceSim.Failure f) {
        System.out.println("found with " + variant + " at seed " + seed + ":\n"
            + f.getMessage().lines().limit(4).reduce("", (a, b) -> a + b + "\n"));
        return f;
      }
    }
    return null;
  }

  /** Replays {@code -Djdlm.sim.seed} with its full trace; without the property there is nothing to replay. */
  @Test
  void replayOneSeed() {
    String seed = System.getProperty("jdlm.sim.seed");
    if (seed == null) {
      return;
    }
    LockspaceSim.Variant variant = LockspaceSim.Variant.valueOf(System.getProperty("jdlm.sim.variant", "FIXED"));
    LockspaceSim.Profile profile = LockspaceSim.Profile.valueOf(System.getProperty("jdlm.sim.profile", "MIXED"));
    try {
      System.out.println(new LockspaceSim(Long.parseLong(seed), variant, profile, true).run());
    } catch (LockspaceSim.Failure f) {
      System.err.println(f.getMessage());
      throw f;
    }
  }
}
