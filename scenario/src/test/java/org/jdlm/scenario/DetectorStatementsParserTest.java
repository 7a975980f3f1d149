package org.jdlm.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The wait-for-graph detector's part of the language (docs/scenarios.md "Detector"): the
 * {@code break-deadlocks} header, {@code task=} on {@code lock}, and the four detector expectations.
 */
class DetectorStatementsParserTest {

  private static final ScenarioParser.Limits LIMITS = new ScenarioParser.Limits(32, 256, Duration.ofMinutes(1), 50);

  private static Scenario parse(String text) throws ScenarioSyntaxException {
    return ScenarioParser.parse("t.scen", text, LIMITS);
  }

  private static Expectation expectation(String line) throws ScenarioSyntaxException {
    Scenario s = parse("nodes 2\n" + line + "\n");
    return ((Statement.Expect) s.statements().get(0)).expectation();
  }

  @Test
  void breakDeadlocksIsAHeaderFlag() throws Exception {
    assertThat(parse("nodes 2\nbreak-deadlocks\nn1 lock A R EX\n").header().breakDeadlocks()).isTrue();
    assertThat(parse("nodes 2\nn1 lock A R EX\n").header().breakDeadlocks()).isFalse();
    assertThatThrownBy(() -> parse("nodes 2\nn1 lock A R EX\nbreak-deadlocks\n"))
        .hasMessageContaining("'break-deadlocks' belongs to the header");
    assertThatThrownBy(() -> parse("nodes 2\nbreak-deadlocks\nbreak-deadlocks\n"))
        .hasMessageContaining("duplicate 'break-deadlocks'");
  }

  @Test
  void taskNamesTheRequesterOfALock() throws Exception {
    Statement.Lock l = (Statement.Lock) parse("nodes 2\nn1 lock A2 RB EX task=app-A flags=NODLCKWT\n").statements().get(0);
    assertThat(l.task()).hasValue("app-A");
    assertThat(l.flags()).containsExactly("NODLCKWT");
    Statement.Lock plain = (Statement.Lock) parse("nodes 2\nn1 lock A2 RB EX\n").statements().get(0);
    assertThat(plain.task()).isEmpty();
    assertThatThrownBy(() -> parse("nodes 2\nn1 lock A R EX\nn1 convert A PR task=B\n"))
        .hasMessageContaining("'task=' is not allowed on convert");
    assertThatThrownBy(() -> parse("nodes 2\nn1 lock A R EX task=\n")).hasMessageContaining("task name");
    assertThatThrownBy(() -> parse("nodes 2\nn1 lock A R EX task=a task=b\n")).hasMessageContaining("duplicate 'task='");
  }

  @Test
  void detectorExpectations() throws Exception {
    assertThat(expectation("expect deadlock within 5s")).isEqualTo(new Expectation.Deadlock(Duration.ofSeconds(5)));
    assertThat(expectation("expect livelock within 500ms")).isEqualTo(new Expectation.Livelock(Duration.ofMillis(500)));
    assertThat(expectation("expect no-deadlock for 2s")).isEqualTo(new Expectation.NoDeadlock(Duration.ofSeconds(2)));
    assertThat(expectation("expect knot contains n1/task:A n2/lkb:*"))
        .isEqualTo(new Expectation.KnotContains(List.of("n1/task:A", "n2/lkb:*")));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "expect deadlock 5s|expected 'within D' after 'deadlock'",
      "expect deadlock within|a duration",
      "expect deadlock within 5 s|a duration such as 500ms",
      "expect deadlock within 0s|above 0",
      "expect livelock within 2m|at most 1m",
      "expect no-deadlock within 2s|expected 'for D' after 'no-deadlock'",
      "expect knot has n1/task:A|expected 'contains' after 'knot'",
      "expect knot contains|a vertex pattern",
  })
  void badDetectorExpectationsSayWhy(String line, String message) {
    assertThatThrownBy(() -> expectation(line)).isInstanceOf(ScenarioSyntaxException.class).hasMessageContaining(message);
  }

  @Test
  void aLockWithoutTaskKeepsTheOldConstructor() {
    Statement.Lock l = new Statement.Lock(new Position("t", 1, 1), new Node(1), "L", "R", Mode.EX, java.util.Set.of(),
        Optional.empty(), false, "OK");
    assertThat(l.task()).isEmpty();
  }
}
