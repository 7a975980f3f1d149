package org.jdlm.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdlm.scenario.Callback.Bast;
import org.jdlm.scenario.Callback.Cast;
import org.jdlm.scenario.Expectation.Conversion;
import org.jdlm.scenario.Expectation.Held;
import org.jdlm.scenario.Statement.FaultKind;
import org.junit.jupiter.api.Test;

/**
 * The example block of brief §6, copied verbatim into a test resource, parses unchanged and
 * every line means what the brief's comment on it says.
 */
class BriefExampleTest {

  static final String FILE = "brief-section6-example.scen";

  static Position at(int line) {
    return new Position(FILE, line, 1);
  }

  static String read() throws IOException {
    try (InputStream in = BriefExampleTest.class.getResourceAsStream("/scenarios/" + FILE)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static Set<String> flags(String... names) {
    return new LinkedHashSet<>(List.of(names));
  }

  @Test
  void theBriefsExampleBlockParsesToExactlyTheStatementsItDescribes() throws Exception {
    Scenario s = ScenarioParser.parse(FILE, read(),
        new ScenarioParser.Limits(32, 256, Duration.ofHours(1), 50));

    assertThat(s.header()).isEqualTo(new Header(3, "fs1", 32, Duration.ofSeconds(10)));
    Node n1 = new Node(1);
    Node n2 = new Node(2);
    Node n3 = new Node(3);
    assertThat(s.statements()).containsExactly(
        new Statement.Lock(at(5), n1, "L1", "R1", Mode.PR, Set.of(), Optional.empty(), false, "OK"),
        new Statement.Lock(at(6), n2, "L2", "R1", Mode.EX, flags("NOQUEUE", "NOQUEUEBAST"),
            Optional.of(new Lvb("AAAA".getBytes(StandardCharsets.US_ASCII))), false, "OK"),
        new Statement.Lock(at(7), n3, "L3", "R1", Mode.CR, Set.of(), Optional.empty(), true, "OK"),
        new Statement.Convert(at(8), n1, "L1", Mode.EX, flags("CONVDEADLK"), Optional.empty(), "OK"),
        new Statement.Unlock(at(9), n1, "L1", Set.of(),
            Optional.of(new Lvb(new byte[] {0x01, 0x02, (byte) 0xff})), "OK"),
        new Statement.Cancel(at(10), n2, "L2", Set.of(), "OK"),
        new Statement.Lock(at(11), n1, "L9", "R1", Mode.PR, flags("EXPEDITE"), Optional.empty(), false, "EINVAL"),
        new Statement.Await(at(13), new Condition.CallbackArrived("L1", new Cast(CastStatus.OK))),
        new Statement.Await(at(14), new Condition.CallbackArrived("L2", new Cast(CastStatus.EAGAIN))),
        new Statement.Await(at(15), new Condition.CallbackArrived("L1", new Bast(Mode.EX))),
        new Statement.Await(at(16), new Condition.Quiet()),
        new Statement.Expect(at(18), new Expectation.Granted("L1", Mode.PR)),
        new Statement.Expect(at(19), new Expectation.LvbEquals("L1",
            new Lvb("AAAA".getBytes(StandardCharsets.US_ASCII)))),
        new Statement.Expect(at(20), new Expectation.SbFlags("L1", Set.of(SbFlag.VALNOTVALID, SbFlag.DEMOTED))),
        new Statement.Expect(at(21), new Expectation.Events("L1",
            List.of(new Cast(CastStatus.OK), new Bast(Mode.EX)))),
        new Statement.Expect(at(22), new Expectation.Queues("R1",
            Optional.of(List.of(new Held("L1", Mode.PR), new Held("L3", Mode.CR))),
            Optional.of(List.of(new Conversion("L2", Mode.PR, Mode.EX))),
            Optional.of(List.of(new Held("L4", Mode.EX))))),
        new Statement.Expect(at(23), new Expectation.Master("R1", n2)),
        new Statement.Fault(at(25), FaultKind.KILL, n3),
        new Statement.Fault(at(26), FaultKind.PAUSE, n2),
        new Statement.Fault(at(27), FaultKind.RESUME, n2),
        new Statement.Fault(at(28), FaultKind.RESTART, n3),
        new Statement.Await(at(29), new Condition.Recovered()));
  }

  @Test
  void theExampleStillParsesWithTheLimitsFromReferenceConf() throws Exception {
    assertThat(ScenarioParser.parse(FILE, read()).statements()).hasSize(22);
  }
}
