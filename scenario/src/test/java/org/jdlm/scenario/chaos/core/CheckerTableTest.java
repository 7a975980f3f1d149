package org.jdlm.scenario.chaos.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jdlm.scenario.chaos.core.H.h;
import static org.jdlm.scenario.chaos.core.H.t;
import static org.jdlm.dlm.core.LockMode.EX;
import static org.jdlm.dlm.core.LockMode.PR;
import static org.jdlm.scenario.chaos.core.Event.Type.FAIL;
import static org.jdlm.scenario.chaos.core.Event.Type.INFO;
import static org.jdlm.scenario.chaos.core.Event.Type.OK;

import java.util.List;
import java.util.stream.Stream;
import org.jdlm.scenario.chaos.core.Event.OpKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each checker against hand-built histories: every case holds exactly the violation named (or
 * none), and the checker must report exactly those rules, each with evidence.
 */
class CheckerTableTest {

  private static Arguments c(String name, History history, String... rules) {
    return Arguments.of(name, history, List.of(rules));
  }

  static Stream<Arguments> exclusion() {
    return Stream.of(
        c("one holder after another", h().acquire(1, "r", EX, 0, 10, t(1)).release(1, "r", 20, 25)
            .acquire(2, "r", EX, 5, 30, t(2)).release(2, "r", 40, 45).build()),
        c("two holders overlap", h().acquire(1, "r", EX, 0, 10, t(1)).release(1, "r", 50, 55)
            .acquire(2, "r", EX, 5, 30, t(2)).release(2, "r", 60, 65).build(), "overlap"),
        c("the later grant comes before the earlier release is invoked, by one tick",
            h().acquire(1, "r", EX, 0, 10, t(1)).release(1, "r", 31, 35)
                .acquire(2, "r", EX, 5, 30, t(2)).release(2, "r", 60, 65).build(), "overlap"),
        c("grant right at the release invoke is not an overlap (release may apply at once)",
            h().acquire(1, "r", EX, 0, 10, t(1)).release(1, "r", 30, 35)
                .acquire(2, "r", EX, 5, 30, t(2)).build()),
        c("never released and never fenced", h().acquire(1, "r", EX, 0, 10, t(1))
            .acquire(2, "r", EX, 5, 30, t(2)).build(), "overlap"),
        c("earlier holder fenced before the later grant",
            h().acquire(1, "r", EX, 0, 10, t(1)).fenced("n1", 0, 20).acquire(2, "r", EX, 5, 30, t(2))
                .release(1, "r", 50, 55).build()),
        c("fenced too late", h().acquire(1, "r", EX, 0, 10, t(1)).fenced("n1", 0, 40)
            .acquire(2, "r", EX, 5, 30, t(2)).release(1, "r", 50, 55).build(), "overlap"),
        c("a different incarnation fenced does not excuse",
            h().acquire(1, "r", EX, 0, 10, t(1)).fenced("n1", 1, 20).acquire(2, "r", EX, 5, 30, t(2))
                .release(1, "r", 50, 55).build(), "overlap"),
        c("holder killed before the later grant",
            h().acquire(1, "r", EX, 0, 10, t(1)).faultStart(1, FaultKind.KILL, 20, "n1")
                .acquire(2, "r", EX, 5, 30, t(2)).build()),
        c("overlap on different resources is fine", h().acquire(1, "r", EX, 0, 10, t(1))
            .acquire(2, "s", EX, 5, 30, t(2)).build()),
        c("PR holders overlap freely", h().acquire(1, "r", PR, 0, 10, t(1)).acquire(2, "r", PR, 5, 30, t(1))
            .build()),
        c("an acquire that ended in info may never have been granted",
            h().acquire(1, "r", EX, 0, 10, t(1)).acquireInfo(2, "r", EX, 5, 30).release(1, "r", 50, 55).build()),
        c("three holders at once: two overlaps with the first, one between the others",
            h().acquire(1, "r", EX, 0, 10, t(1)).acquire(2, "r", EX, 0, 20, t(2)).acquire(3, "r", EX, 0, 30, t(3))
                .build(), "overlap", "overlap", "overlap"));
  }

  static Stream<Arguments> fencedRegister() {
    return Stream.of(
        c("increasing tokens, count matches", h().write(1, "x", 1, t(1), 0, 10, OK).write(2, "x", 2, t(2), 20, 30, OK)
            .write(3, "x", 3, t(3), 40, 50, OK).finalValue("x", 3, 100).build()),
        c("a stale write rejected is fine", h().write(1, "x", 1, t(2), 0, 10, OK).write(2, "x", 1, t(1), 20, 30, FAIL)
            .finalValue("x", 1, 100).build()),
        c("token going back accepted", h().write(1, "x", 1, t(2), 0, 10, OK).write(2, "x", 2, t(1), 20, 30, OK)
            .finalValue("x", 2, 100).build(), "token-not-increasing"),
        c("equal token from another process", h().write(1, "x", 1, t(2), 0, 10, OK)
            .write(2, "x", 2, t(2), 20, 30, OK).finalValue("x", 2, 100).build(), "token-not-increasing"),
        c("equal token from the same grant writing again", h().write(1, "x", 1, t(2), 0, 10, OK)
            .write(1, "x", 2, t(2), 20, 30, OK).finalValue("x", 2, 100).build()),
        c("concurrent writes are not ordered", h().write(1, "x", 1, t(2), 0, 30, OK)
            .write(2, "x", 2, t(1), 10, 20, OK).finalValue("x", 2, 100).build()),
        c("write from a fenced incarnation accepted", h().fenced("n1", 0, 5).write(1, "x", 1, t(1), 10, 20, OK)
            .finalValue("x", 1, 100).build(), "write-from-fenced"),
        c("write from a fenced incarnation rejected", h().fenced("n1", 0, 5).write(1, "x", 1, t(1), 10, 20, FAIL)
            .finalValue("x", 0, 100).build()),
        c("accepted without token", h().write(1, "x", 1, null, 0, 10, OK).finalValue("x", 1, 100).build(),
            "write-without-token"),
        c("lost update", h().write(1, "x", 1, t(1), 0, 10, OK).write(2, "x", 1, t(2), 20, 30, OK)
            .finalValue("x", 1, 100).build(), "lost-update"),
        c("indeterminate write may count", h().write(1, "x", 1, t(1), 0, 10, OK).write(2, "x", 2, t(2), 20, 30, INFO)
            .finalValue("x", 2, 100).build()),
        c("indeterminate write may not count", h().write(1, "x", 1, t(1), 0, 10, OK)
            .write(2, "x", 2, t(2), 20, 30, INFO).finalValue("x", 1, 100).build()),
        c("more than acknowledged plus indeterminate", h().write(1, "x", 1, t(1), 0, 10, OK)
            .write(2, "x", 2, t(2), 20, 30, INFO).finalValue("x", 3, 100).build(), "phantom-update"));
  }

  static Stream<Arguments> lvbCounter() {
    return Stream.of(
        c("a chain of increments", h().inc(1, "c", 0L, t(1), false, 0, 10, OK).inc(2, "c", 1L, t(2), false, 20, 30, OK)
            .inc(3, "c", 2L, t(3), false, 40, 50, OK).finalValue("c", 3, 100).build()),
        c("completion order differs from grant order: tokens decide",
            h().inc(1, "c", 0L, t(1), false, 0, 40, OK).inc(2, "c", 1L, t(2), false, 20, 30, OK)
                .finalValue("c", 2, 100).build()),
        c("a lost increment", h().inc(1, "c", 0L, t(1), false, 0, 10, OK).inc(2, "c", 0L, t(2), false, 20, 30, OK)
            .finalValue("c", 1, 100).build(), "lost-increment"),
        c("the final value lost an increment", h().inc(1, "c", 0L, t(1), false, 0, 10, OK)
            .inc(2, "c", 1L, t(2), false, 20, 30, OK).finalValue("c", 1, 100).build(), "lost-increment"),
        c("a value from nowhere", h().inc(1, "c", 0L, t(1), false, 0, 10, OK).inc(2, "c", 5L, t(2), false, 20, 30, OK)
            .finalValue("c", 6, 100).build(), "phantom-increment"),
        c("loss under VALNOTVALID is counted, not a violation",
            h().inc(1, "c", 0L, t(1), false, 0, 10, OK).inc(2, "c", 1L, t(2), false, 20, 30, OK)
                .inc(3, "c", 0L, t(2, 1), true, 40, 50, OK).finalValue("c", 1, 100).build()),
        c("a failed increment changes nothing", h().inc(1, "c", 0L, t(1), false, 0, 10, OK)
            .inc(2, "c", null, null, false, 20, 30, FAIL).inc(3, "c", 1L, t(2), false, 40, 50, OK)
            .finalValue("c", 2, 100).build()),
        c("a granted increment with unknown unlock may have written",
            h().inc(1, "c", 0L, t(1), false, 0, 10, INFO).inc(2, "c", 1L, t(2), false, 20, 30, OK)
                .finalValue("c", 2, 100).build()),
        c("... or not", h().inc(1, "c", 0L, t(1), false, 0, 10, INFO).inc(2, "c", 0L, t(2), false, 20, 30, OK)
            .finalValue("c", 1, 100).build()),
        c("an increment with unknown grant widens the range",
            h().inc(1, "c", null, null, false, 0, 10, INFO).inc(2, "c", 1L, t(2), false, 20, 30, OK)
                .finalValue("c", 2, 100).build()));
  }

  static Stream<Arguments> rw() {
    return Stream.of(
        c("whole values", h().writeParts(1, "v", List.of(1L, 1L, 1L), 0, 10).readParts(2, "v", List.of(1L, 1L, 1L), 20, 30)
            .build()),
        c("initial value", h().readParts(2, "v", List.of(0L, 0L), 0, 5).build()),
        c("half-written value", h().writeParts(1, "v", List.of(1L, 1L, 1L), 0, 10)
            .readParts(2, "v", List.of(1L, 0L, 0L), 5, 30).build(), "torn-read"),
        c("stale value", h().writeParts(1, "v", List.of(1L, 1L), 0, 10).writeParts(1, "v", List.of(2L, 2L), 20, 30)
            .readParts(2, "v", List.of(1L, 1L), 40, 50).build(), "stale-read"),
        c("concurrent write may or may not be seen", h().writeParts(1, "v", List.of(1L, 1L), 0, 10)
            .writeParts(1, "v", List.of(2L, 2L), 20, 50).readParts(2, "v", List.of(1L, 1L), 30, 40).build()),
        c("a version nobody wrote", h().readParts(2, "v", List.of(7L, 7L), 40, 50).build(), "phantom-read"));
  }

  static Stream<Arguments> tokens() {
    return Stream.of(
        c("growing tokens", h().acquire(1, "r", EX, 0, 10, t(1)).acquire(2, "r", EX, 20, 30, t(2)).build()),
        c("across a whole-cluster restart the generation grows",
            h().acquire(1, "r", EX, 0, 10, t(1, 9)).fault(1, FaultKind.RESTART, 15, 18, "n1", "n2")
                .acquire(2, "r", EX, 20, 30, t(2, 1)).build()),
        c("token goes back after a restart", h().acquire(1, "r", EX, 0, 10, t(2, 3))
            .fault(1, FaultKind.RESTART, 15, 18, "n1", "n2").acquire(2, "r", EX, 20, 30, t(1, 4)).build(),
            "token-back"),
        c("EX reusing a token", h().acquire(1, "r", EX, 0, 10, t(1)).acquire(2, "r", EX, 20, 30, t(1)).build(),
            "token-back"),
        c("PR holders may share a token", h().acquire(1, "r", PR, 0, 10, t(1)).acquire(2, "r", PR, 20, 30, t(1))
            .build()),
        c("PR after EX must be newer", h().acquire(1, "r", EX, 0, 10, t(1)).acquire(2, "r", PR, 20, 30, t(1))
            .build(), "token-back"),
        c("concurrent grants are not ordered", h().acquire(1, "r", PR, 0, 30, t(2)).acquire(2, "r", PR, 5, 20, t(1))
            .build()),
        c("PR granted early, callback late: a PR released before its ok proves nothing (seen on the real DLM)",
            h().acquire(6, "r", PR, 0, 50, t(118)).acquire(2, "r", PR, 10, 20, t(119)).release(2, "r", 30, 35).build()),
        c("EX released before a later ok: the later grant must be newer",
            h().acquire(1, "r", EX, 0, 20, t(5)).acquire(2, "r", EX, 10, 50, t(4)).release(1, "r", 30, 35).build(),
            "token-back"),
        c("tokens of other resources do not matter", h().acquire(1, "r", EX, 0, 10, t(5))
            .acquire(2, "s", EX, 20, 30, t(1)).build()));
  }

  static Stream<Arguments> liveness() {
    return Stream.of(
        c("progress after the faults", h().fault(1, FaultKind.KILL, 0, 100, "n3").acquire(1, "r", EX, 110, 120, t(1))
            .release(1, "r", 130, 140).acquire(1, "r", EX, 1_000, 1_010, t(2)).build()),
        c("no progress within the bound", h().fault(1, FaultKind.KILL, 0, 100, "n3")
            .acquire(1, "r", EX, 110, 900, t(1)).release(1, "r", 910, 920).build(), "no-progress"),
        c("a request that hangs", h().acquire(1, "r", EX, 0, 10, t(1)).invoke(2, OpKind.ACQUIRE, "r", 20)
            .release(1, "r", 600, 610).acquire(1, "r", EX, 620, 630, t(2)).build(), "hang", "no-progress"),
        c("a pending request of a killed member is not a hang",
            h().invoke(2, OpKind.ACQUIRE, "r", 20).faultStart(1, FaultKind.KILL, 30, "n2")
                .event(new Event.FaultEnd(60, 0, 1, FaultKind.KILL, List.of("n2")))
                .acquire(1, "r", EX, 70, 80, t(1)).release(1, "r", 700, 710).build()),
        c("too short to tell", h().fault(1, FaultKind.SLOW, 0, 100, "n3").acquire(1, "r", EX, 110, 120, t(1))
            .build(), "too-short"),
        c("a zombie's request after its incarnation was fenced is not a hang",
            h().fenced("n2", 0, 10).invoke(2, OpKind.ACQUIRE, "r", 20)
                .acquire(1, "r", EX, 30, 40, t(1)).release(1, "r", 700, 710).build()),
        c("a process that began late is judged from its own start",
            h().fault(1, FaultKind.KILL, 0, 100, "n3").acquire(1, "r", EX, 110, 120, t(1)).release(1, "r", 130, 140)
                .acquire(3, "r", EX, 800, 1_200, t(2)).release(3, "r", 1_210, 1_220)
                .acquire(1, "r", EX, 1_400, 1_410, t(3)).build()),
        c("a process that began late and made no progress within the bound",
            h().fault(1, FaultKind.KILL, 0, 100, "n3").acquire(1, "r", EX, 110, 120, t(1)).release(1, "r", 130, 140)
                .acquire(3, "r", EX, 800, 1_400, t(2)).release(3, "r", 1_410, 1_420)
                .acquire(1, "r", EX, 1_500, 1_510, t(3)).build(), "no-progress"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("exclusion")
  void exclusion(String name, History history, List<String> rules) {
    expect(new ExclusionChecker(), history, rules);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fencedRegister")
  void fencedRegister(String name, History history, List<String> rules) {
    expect(new FencedRegisterChecker(), history, rules);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("lvbCounter")
  void lvbCounter(String name, History history, List<String> rules) {
    expect(new LvbCounterChecker(), history, rules);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rw")
  void rwConsistency(String name, History history, List<String> rules) {
    expect(new RwConsistencyChecker(), history, rules);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tokens")
  void tokenMonotonic(String name, History history, List<String> rules) {
    expect(new TokenMonotonicChecker(), history, rules);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("liveness")
  void liveness(String name, History history, List<String> rules) {
    expect(new LivenessChecker(500), history, rules);
  }

  @org.junit.jupiter.api.Test
  void lossUnderValNotValidIsCounted() {
    CheckResult result = new LvbCounterChecker().check(h().inc(1, "c", 0L, t(1), false, 0, 10, OK)
        .inc(2, "c", 1L, t(2), false, 20, 30, OK).inc(3, "c", 0L, t(2, 1), true, 40, 50, OK)
        .finalValue("c", 1, 100).build());
    assertThat(result.valid()).isTrue();
    assertThat(result.counts()).containsEntry("lost-under-valnotvalid", 2L).containsEntry("valnotvalid-reports", 1L)
        .containsEntry("acknowledged-increments", 3L);
  }

  private static void expect(Checker checker, History history, List<String> rules) {
    CheckResult result = checker.check(history);
    assertThat(result.rules()).as(result.violations().toString()).containsExactlyInAnyOrderElementsOf(rules);
    assertThat(result.violations()).allSatisfy(v -> {
      if (!v.rule().equals("too-short")) {
        assertThat(v.evidence()).isNotEmpty();
      }
    });
    assertThat(result.valid()).isEqualTo(rules.isEmpty());
  }
}
