package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The rules of {@link LockspaceStatus}, named after them. */
class LockspaceStatusTest {

  /** Rule 1's table: phase (null = running), the coordinated run's fencing wait (null = none), the words. */
  static Stream<Arguments> states() {
    return Stream.of(
        Arguments.of(null, null, "running"),
        Arguments.of(RecoveryPhase.AWAIT_FENCING, null, "stopped"),
        Arguments.of(RecoveryPhase.AWAIT_FENCING, Set.of("n3"), "stopped, waiting for fencing of [n3]"),
        Arguments.of(RecoveryPhase.MEMBERS, null, "recovering: MEMBERS"),
        Arguments.of(RecoveryPhase.REBUILD_LOCKS, null, "recovering: REBUILD_LOCKS"));
  }

  @ParameterizedTest(name = "rule1_{0} / fencing {1}: \"{2}\"")
  @MethodSource("states")
  void rule1_theStateInWords(RecoveryPhase phase, Set<String> awaitingFence, String words) {
    assertThat(new LockspaceStatus().stateText(phase, awaitingFence)).isEqualTo(words);
  }

  @Test
  void rule2_aMemberShowsItsOwnStoppedTimeAfterARecovery() {
    LockspaceStatus status = new LockspaceStatus();
    status.resumed(3, true, 120, List.of("n3"));
    assertThat(status.stateText(null, null))
        .isEqualTo("running (recoveries 1, last: generation 3 after 120 ms stopped, departed [n3])");
  }

  @Test
  void rule2_theCoordinatorShowsItsTimingsUntilTheNextResume() {
    LockspaceStatus status = new LockspaceStatus();
    status.resumed(3, true, 120, List.of());
    Map<RecoveryPhase, Long> phases = new LinkedHashMap<>();
    phases.put(RecoveryPhase.AWAIT_FENCING, 40L);
    phases.put(RecoveryPhase.MEMBERS, 2L);
    phases.put(RecoveryPhase.RESUME, 1L);
    String log = status.coordinatedRunFinished(3, 30, phases, Set.of("n3"), Set.of("n3"));
    assertThat(log).isEqualTo("detection 30 ms, fencing 40 ms, MEMBERS 2 ms, RESUME 1 ms");
    assertThat(status.stateText(null, null)).isEqualTo("running (recoveries 1, last: generation 3: "
        + "detection 30 ms, fencing 40 ms, MEMBERS 2 ms, RESUME 1 ms (departed [n3], fenced [n3]))");
    assertThat(status.lastRunMillis()).containsExactly(Map.entry("detection", 30L), Map.entry("AWAIT_FENCING", 40L),
        Map.entry("MEMBERS", 2L), Map.entry("RESUME", 1L));
    status.resumed(4, true, 7, List.of());
    assertThat(status.stateText(null, null)).isEqualTo("running (recoveries 2, last: generation 4 after 7 ms stopped)");
    assertThat(status.lastRunMillis()).as("kept: the timings of the last run it coordinated").containsKey("detection");
  }

  @Test
  void rule3_theFirstStartIsNotARecoveryAndCountsOnlyGrow() {
    LockspaceStatus status = new LockspaceStatus();
    status.resumed(1, false, 5, List.of());
    assertThat(status.recoveriesCompleted()).isZero();
    assertThat(status.stateText(null, null)).isEqualTo("running");
    status.fenced(List.of("n3"));
    status.fenced(List.of("n2", "n3"));
    assertThat(status.fencedNodes()).containsExactlyInAnyOrder("n2", "n3");
  }

  /** Rule 4's table: locks held, resources mastered, the refusal (null: may leave). */
  static Stream<Arguments> leaves() {
    return Stream.of(
        Arguments.of(0, 0, null),
        Arguments.of(2, 0, "this node still holds 2 lock(s) in lockspace ls"),
        Arguments.of(2, 5, "this node still holds 2 lock(s) in lockspace ls"),
        Arguments.of(0, 5, "this node still masters 5 resource(s) in lockspace ls; wait for the toss delay after the last unlock"));
  }

  @ParameterizedTest(name = "rule4_{0} locks, {1} mastered: {2}")
  @MethodSource("leaves")
  void rule4_aMemberLeavesOnlyWhenNothingIsInUse(int locks, int mastered, String refusal) {
    assertThat(LockspaceStatus.leaveRefusal("ls", locks, mastered)).isEqualTo(refusal);
  }
}
