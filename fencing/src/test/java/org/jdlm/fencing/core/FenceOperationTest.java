package org.jdlm.fencing.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.jdlm.fencing.core.FenceOperation.AllocateMemory;
import org.jdlm.fencing.core.FenceOperation.AwaitingMemory;
import org.jdlm.fencing.core.FenceOperation.ConfirmAll;
import org.jdlm.fencing.core.FenceOperation.Confirmed;
import org.jdlm.fencing.core.FenceOperation.Dropped;
import org.jdlm.fencing.core.FenceOperation.Effect;
import org.jdlm.fencing.core.FenceOperation.FreeMemory;
import org.jdlm.fencing.core.FenceOperation.RecordFenced;
import org.jdlm.fencing.core.FenceOperation.Recording;
import org.jdlm.fencing.core.FenceOperation.ReportFailure;
import org.jdlm.fencing.core.FenceOperation.Require;
import org.jdlm.fencing.core.FenceOperation.Retrying;
import org.jdlm.fencing.core.FenceOperation.RunAgent;
import org.jdlm.fencing.core.FenceOperation.Running;
import org.jdlm.fencing.core.FenceOperation.ScheduleRecordRetry;
import org.jdlm.fencing.core.FenceOperation.ScheduleRetry;
import org.jdlm.fencing.core.FenceOperation.WithdrawMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FenceOperationTest {
  private static final FenceOperation.Target N3 = new FenceOperation.Target("n3", 33, "pekko://jdlm@127.0.0.1:2553", 0);
  private static final Duration MIN = Duration.ofMillis(100);
  private static final Duration MAX = Duration.ofMillis(350);

  private static FenceOperation op(Require require, String... agents) {
    return new FenceOperation(N3, new FenceOperation.Settings(List.of(agents), require, MIN, MAX, Duration.ofMillis(50)));
  }

  /** One table row: inputs applied in order to a fresh [storage, power] operation, then the expected end. */
  record Row(String name, Require require, List<Function<FenceOperation, FenceOperation.Outcome>> inputs,
             FenceOperation.State state, List<Effect> lastEffects) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Function<FenceOperation, FenceOperation.Outcome> start = FenceOperation::start;

  private static Function<FenceOperation, FenceOperation.Outcome> granted(int a) {
    return o -> o.memoryGranted(a);
  }

  private static Function<FenceOperation, FenceOperation.Outcome> ok(int a, int i) {
    return o -> o.agentSucceeded(a, i);
  }

  private static Function<FenceOperation, FenceOperation.Outcome> fail(int a, int i) {
    return o -> o.agentFailed(a, i, "boom");
  }

  static Stream<Row> rows() {
    return Stream.of(
        new Row("start asks for memory before any agent runs", Require.ANY, List.of(start),
            new AwaitingMemory(1), List.of(new AllocateMemory(1))),
        new Row("memory granted runs the first agent", Require.ANY, List.of(start, granted(1)),
            new Running(1, 0, "storage"), List.of(new RunAgent(1, 0, "storage"))),
        new Row("any: first success frees memory and records", Require.ANY, List.of(start, granted(1), ok(1, 0)),
            new Recording("storage"), List.of(new FreeMemory(1), new RecordFenced("storage"))),
        new Row("any: a failure falls through to the next agent", Require.ANY, List.of(start, granted(1), fail(1, 0)),
            new Running(1, 1, "power"), List.of(new ReportFailure(1, "storage", "boom"), new RunAgent(1, 1, "power"))),
        new Row("any: every agent failed frees memory and backs off", Require.ANY,
            List.of(start, granted(1), fail(1, 0), fail(1, 1)),
            new Retrying(1, MIN), List.of(new ReportFailure(1, "power", "boom"), new FreeMemory(1), new ScheduleRetry(1, MIN))),
        new Row("retry due starts the next attempt with memory again", Require.ANY,
            List.of(start, granted(1), fail(1, 0), fail(1, 1), o -> o.retryDue(1)),
            new AwaitingMemory(2), List.of(new AllocateMemory(2))),
        new Row("second failed attempt doubles the backoff", Require.ANY,
            List.of(start, granted(1), fail(1, 0), fail(1, 1), o -> o.retryDue(1), granted(2), fail(2, 0), fail(2, 1)),
            new Retrying(2, MIN.multipliedBy(2)), List.of(new ReportFailure(2, "power", "boom"), new FreeMemory(2),
                new ScheduleRetry(2, MIN.multipliedBy(2)))),
        new Row("all: success of the first agent runs the second", Require.ALL, List.of(start, granted(1), ok(1, 0)),
            new Running(1, 1, "power"), List.of(new RunAgent(1, 1, "power"))),
        new Row("all: both succeeded records both", Require.ALL, List.of(start, granted(1), ok(1, 0), ok(1, 1)),
            new Recording("storage+power"), List.of(new FreeMemory(1), new RecordFenced("storage+power"))),
        new Row("all: one failure fails the attempt", Require.ALL, List.of(start, granted(1), fail(1, 0)),
            new Retrying(1, MIN), List.of(new ReportFailure(1, "storage", "boom"), new FreeMemory(1), new ScheduleRetry(1, MIN))),
        new Row("memory refused fails the attempt without running agents", Require.ANY,
            List.of(start, o -> o.memoryRefused(1, "ATOMIC may not wait")),
            new Retrying(1, MIN), List.of(new ReportFailure(1, "memory", "ATOMIC may not wait"), new ScheduleRetry(1, MIN))),
        new Row("authority answer confirms and answers everyone", Require.ANY,
            List.of(start, granted(1), ok(1, 0), o -> o.recorded(7)),
            new Confirmed(7, "storage"), List.of(new ConfirmAll(7, "storage"))),
        new Row("authority unreachable: record retried later", Require.ANY,
            List.of(start, granted(1), ok(1, 0), o -> o.recordFailed("ask timed out")),
            new Recording("storage"), List.of(new ReportFailure(0, "authority", "ask timed out"),
                new ScheduleRecordRetry(Duration.ofMillis(50)))),
        new Row("record retry asks the authority again", Require.ANY,
            List.of(start, granted(1), ok(1, 0), o -> o.recordFailed("x"), FenceOperation::recordRetryDue),
            new Recording("storage"), List.of(new RecordFenced("storage"))),
        new Row("fence_ack while waiting for memory withdraws the allocation", Require.ANY,
            List.of(start, o -> o.manualAck("ops")),
            new Recording("manual:ops"), List.of(new WithdrawMemory(1), new RecordFenced("manual:ops"))),
        new Row("fence_ack while an agent runs returns its memory", Require.ANY,
            List.of(start, granted(1), o -> o.manualAck("ops")),
            new Recording("manual:ops"), List.of(new FreeMemory(1), new RecordFenced("manual:ops"))),
        new Row("fence_ack while backing off records at once", Require.ANY,
            List.of(start, granted(1), fail(1, 0), fail(1, 1), o -> o.manualAck("ops")),
            new Recording("manual:ops"), List.of(new RecordFenced("manual:ops"))),
        new Row("an agent answering after fence_ack is dropped", Require.ANY,
            List.of(start, granted(1), o -> o.manualAck("ops"), ok(1, 0)),
            new Recording("manual:ops"), List.of(new Dropped("success of agent #0 attempt 1 in Recording[agent=manual:ops]"))),
        new Row("a memory grant arriving after fence_ack is handed straight back", Require.ANY,
            List.of(start, o -> o.manualAck("ops"), granted(1)),
            new Recording("manual:ops"), List.of(new FreeMemory(1),
                new Dropped("memory grant of attempt 1 in Recording[agent=manual:ops]"))),
        new Row("a result of an earlier attempt is dropped", Require.ANY,
            List.of(start, granted(1), fail(1, 0), fail(1, 1), o -> o.retryDue(1), granted(2), fail(1, 1)),
            new Running(2, 0, "storage"), List.of(new Dropped("failure of agent #1 attempt 1 in Running[attempt=2, agentIndex=0, agent=storage]: boom"))),
        new Row("a stale retry timer is dropped", Require.ANY,
            List.of(start, granted(1), fail(1, 0), fail(1, 1), o -> o.retryDue(1), o -> o.retryDue(1)),
            new AwaitingMemory(2), List.of(new Dropped("retry timer after attempt 1 in AwaitingMemory[attempt=2]"))),
        new Row("fence_ack after confirmation changes nothing", Require.ANY,
            List.of(start, granted(1), ok(1, 0), o -> o.recorded(3), o -> o.manualAck("ops")),
            new Confirmed(3, "storage"), List.of(new Dropped("fence_ack by ops in Confirmed[generation=3, agent=storage]"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void transitionsFollowTheDiagram(Row row) {
    FenceOperation op = op(row.require(), "storage", "power");
    FenceOperation.Outcome last = null;
    for (Function<FenceOperation, FenceOperation.Outcome> input : row.inputs()) {
      last = input.apply(op);
      op.checkInvariants();
    }
    assertThat(op.state()).isEqualTo(row.state());
    assertThat(last.state()).isEqualTo(row.state());
    assertThat(last.effects()).isEqualTo(row.lastEffects());
  }

  static Stream<Arguments> backoffs() {
    return Stream.of(Arguments.of(1, 100), Arguments.of(2, 200), Arguments.of(3, 350), Arguments.of(4, 350),
        Arguments.of(1000, 350));
  }

  @ParameterizedTest(name = "after failed attempt {0} wait {1} ms")
  @MethodSource("backoffs")
  void backoffDoublesUpToTheBound(int failedAttempt, long millis) {
    assertThat(op(Require.ANY, "power").backoff(failedAttempt)).isEqualTo(Duration.ofMillis(millis));
  }

  @Test
  void illegalTransitionIsABug() {
    assertThatThrownBy(() -> new FenceOperation.Confirmed(1, "x").transitionTo(new FenceOperation.Requested()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("Confirmed");
    assertThatThrownBy(() -> new FenceOperation.Recording("x").transitionTo(new Retrying(1, MIN)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void badSettingsAreRefusedWithTheValue() {
    assertThatThrownBy(() -> new FenceOperation.Settings(List.of(), Require.ANY, MIN, MAX, MIN))
        .hasMessageContaining("jdlm.fencing.agents");
    assertThatThrownBy(() -> new FenceOperation.Settings(List.of("power", "power"), Require.ANY, MIN, MAX, MIN))
        .hasMessageContaining("[power, power]");
    assertThatThrownBy(() -> new FenceOperation.Settings(List.of("power"), Require.ANY, MAX, MIN, MIN))
        .hasMessageContaining("max-backoff");
  }

  // ---- property: whatever arrives, in whatever order ----

  @Provide
  Arbitrary<List<Integer>> inputs() {
    return Arbitraries.integers().between(0, 9).list().ofMaxSize(40);
  }

  /**
   * Under any sequence of (possibly stale, duplicated or reordered) inputs: the operation is only
   * confirmed through the authority after an agent success or an operator ack; every memory grant
   * that was accepted is matched by exactly one free or withdraw; confirmation is final.
   */
  @Property
  void confirmationNeedsASuccessAndMemoryIsNeverLeaked(@ForAll("inputs") List<Integer> inputs) {
    FenceOperation op = op(Require.ANY, "storage", "power", "watchdog");
    List<Effect> effects = new ArrayList<>(op.start().effects());
    boolean successOrAck = false;
    Long confirmedAt = null;
    for (int code : inputs) {
      FenceOperation.State s = op.state();
      int attempt = s instanceof Running r ? r.attempt() : s instanceof AwaitingMemory a ? a.attempt()
          : s instanceof Retrying r ? r.failedAttempt() : 1;
      int index = s instanceof Running r ? r.agentIndex() : 0;
      FenceOperation.Outcome out = switch (code) {
        case 0 -> op.memoryGranted(attempt);
        case 1 -> op.memoryRefused(attempt, "no");
        case 2 -> op.agentSucceeded(attempt, index);
        case 3, 4 -> op.agentFailed(attempt, index, "no");
        case 5 -> op.retryDue(attempt);
        case 6 -> op.recorded(10 + effects.size());
        case 7 -> op.recordFailed("slow");
        case 8 -> op.manualAck("ops");
        default -> op.agentSucceeded(attempt - 1, index); // stale
      };
      op.checkInvariants();
      if ((code == 2 || code == 8) && out.effects().stream().anyMatch(e -> e instanceof RecordFenced)) {
        successOrAck = true;
      }
      for (Effect e : out.effects()) {
        if (e instanceof ConfirmAll c) {
          assertThat(successOrAck).as("confirmed without a success or an ack").isTrue();
          assertThat(confirmedAt).as("confirmed twice").isNull();
          confirmedAt = c.generation();
        }
      }
      effects.addAll(out.effects());
    }
    if (confirmedAt != null) {
      assertThat(op.state()).isEqualTo(new Confirmed(confirmedAt, ((Confirmed) op.state()).agent()));
    }
    // Memory accounting: every allocation requested is returned unless still in use or refused.
    for (int attempt = 1; attempt <= 50; attempt++) {
      int a = attempt;
      long allocs = effects.stream().filter(e -> e.equals(new AllocateMemory(a))).count();
      long returns = effects.stream().filter(e -> e.equals(new FreeMemory(a)) || e.equals(new WithdrawMemory(a))).count();
      boolean stillHeld = op.state() instanceof Running r && r.attempt() == a
          || op.state() instanceof AwaitingMemory m && m.attempt() == a;
      assertThat(allocs).isLessThanOrEqualTo(1);
      boolean refused = effects.stream().anyMatch(e -> e instanceof ReportFailure f && f.attempt() == a && f.step().equals("memory"));
      if (allocs == 1 && !stillHeld && !refused) {
        assertThat(returns).as("attempt " + a + " memory returned in " + effects).isGreaterThanOrEqualTo(1);
      }
    }
  }
}
