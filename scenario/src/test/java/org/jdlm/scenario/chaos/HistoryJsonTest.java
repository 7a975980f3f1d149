package org.jdlm.scenario.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;
import org.jdlm.dlm.core.FencingToken;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.scenario.chaos.core.Event;
import org.jdlm.scenario.chaos.core.FaultKind;
import org.jdlm.scenario.chaos.core.History;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HistoryJsonTest {

  private static final History HISTORY = new History(List.of(
      new Event.Op(Event.Type.INVOKE, 10, 1_700_000_000_000L, 3, "n1", 2, Event.OpKind.ACQUIRE, "hot-1", LockMode.EX,
          null, null, null, false, null),
      new Event.Op(Event.Type.OK, 20, 1_700_000_000_001L, 3, "n1", 2, Event.OpKind.ACQUIRE, "hot-1", LockMode.EX,
          null, null, new FencingToken(4, 17), false, null),
      new Event.Op(Event.Type.INFO, 30, 1_700_000_000_002L, 4, "n2", 0, Event.OpKind.READ, "rw-1", null, 5L,
          List.of(5L, 5L, 5L), null, true, "timeout after 5s"),
      new Event.FaultStart(40, 1_700_000_000_003L, 1, FaultKind.PARTITION, List.of("n2", "n3"), "one-way"),
      new Event.FaultEnd(50, 1_700_000_000_004L, 1, FaultKind.PARTITION, List.of("n2", "n3")),
      new Event.Fenced(60, 1_700_000_000_005L, "n2", 0)));

  @Test
  void roundTrip() throws Exception {
    StringWriter out = new StringWriter();
    HistoryJson.write(HISTORY, out);
    assertThat(out.toString().lines()).hasSize(6);
    assertThat(HistoryJson.read(new StringReader(out.toString()))).isEqualTo(HISTORY);
  }

  @Test
  void lineFormat() {
    assertThat(HistoryJson.toLine(HISTORY.events().get(1))).isEqualTo("{\"event\":\"op\",\"type\":\"OK\",\"time\":20,"
        + "\"wall\":1700000000001,\"process\":3,\"member\":\"n1\",\"incarnation\":2,\"f\":\"ACQUIRE\","
        + "\"resource\":\"hot-1\",\"mode\":\"EX\",\"token\":{\"generation\":4,\"counter\":17},\"valNotValid\":false}");
    assertThat(HistoryJson.toLine(HISTORY.events().get(5)))
        .isEqualTo("{\"event\":\"fenced\",\"time\":60,\"wall\":1700000000005,\"member\":\"n2\",\"incarnation\":0}");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "not json|history line 2: Unrecognized token 'not'",
      "{\"event\":\"op\",\"type\":\"OK\",\"time\":1,\"wall\":0,\"process\":1,\"incarnation\":0,\"f\":\"READ\",\"resource\":\"r\",\"valNotValid\":false}|history line 2: Cannot construct instance",
      "{\"event\":\"nope\",\"time\":1,\"wall\":0}|history line 2: Could not resolve type id 'nope'",
      "{\"event\":\"fenced\",\"time\":1,\"wall\":0,\"member\":\"n1\",\"incarnation\":0,\"extra\":1}|history line 2: Unrecognized field \"extra\"",
      "{\"event\":\"op\",\"type\":\"OK\",\"time\":-1,\"wall\":0,\"process\":1,\"member\":\"n1\",\"incarnation\":0,\"f\":\"READ\",\"resource\":\"r\",\"valNotValid\":false}|event time -1 is negative"})
  void badLinesSayWhereAndWhy(String bad, String message) {
    String text = HistoryJson.toLine(HISTORY.events().get(0)) + "\n" + bad + "\n";
    assertThatThrownBy(() -> HistoryJson.read(new StringReader(text))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
