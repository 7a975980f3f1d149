package org.jdlm.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.jdlm.scenario.Callback.Bast;
import org.jdlm.scenario.Callback.Cast;
import org.jdlm.scenario.Expectation.Conversion;
import org.jdlm.scenario.Expectation.Held;
import org.jdlm.scenario.Statement.FaultKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every statement form of the language parses to the AST record it stands for (brief §6). */
class ScenarioParserTest {

  static final String FILE = "t.scen";
  static final ScenarioParser.Limits LIMITS =
      new ScenarioParser.Limits(32, 256, Duration.ofHours(1), 50);

  /** Header and locks the body lines below may refer to; the line under test is line 4. */
  static final String PRELUDE = "nodes 3\nn1 lock L1 R1 PR\nn2 lock L2 R1 EX\n";

  static Position at(int column) {
    return new Position(FILE, 4, column);
  }

  static Set<String> flags(String... names) {
    return new LinkedHashSet<>(List.of(names));
  }

  static Optional<Lvb> lvb(String ascii) {
    return Optional.of(new Lvb(ascii.getBytes(StandardCharsets.US_ASCII)));
  }

  static Optional<Lvb> lvbBytes(int... bytes) {
    byte[] raw = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      raw[i] = (byte) bytes[i];
    }
    return Optional.of(new Lvb(raw));
  }

  static Node n(int number) {
    return new Node(number);
  }

  static Statement.Expect expect(Expectation e) {
    return new Statement.Expect(at(1), e);
  }

  static Statement.Await await(Condition c) {
    return new Statement.Await(at(1), c);
  }

  static Stream<Arguments> statements() {
    return Stream.of(
        // operations: lock
        Arguments.of("n1 lock L5 R1 PR",
            new Statement.Lock(at(1), n(1), "L5", "R1", Mode.PR, Set.of(), Optional.empty(), false, "OK")),
        Arguments.of("n3 lock L5 res.a/b-c_d NL",
            new Statement.Lock(at(1), n(3), "L5", "res.a/b-c_d", Mode.NL, Set.of(), Optional.empty(), false, "OK")),
        Arguments.of("n2 lock L5 R1 EX flags=NOQUEUE,NOQUEUEBAST lvb=AAAA",
            new Statement.Lock(at(1), n(2), "L5", "R1", Mode.EX, flags("NOQUEUE", "NOQUEUEBAST"), lvb("AAAA"), false, "OK")),
        Arguments.of("n3 lock L5 R1 CR nobast",
            new Statement.Lock(at(1), n(3), "L5", "R1", Mode.CR, Set.of(), Optional.empty(), true, "OK")),
        Arguments.of("n1 lock L5 R1 PR flags=EXPEDITE => EINVAL",
            new Statement.Lock(at(1), n(1), "L5", "R1", Mode.PR, flags("EXPEDITE"), Optional.empty(), false, "EINVAL")),
        Arguments.of("n1 lock L5 R1 CW =>EBUSY nobast lvb=0x0102ff flags=ALTPR",
            new Statement.Lock(at(1), n(1), "L5", "R1", Mode.CW, flags("ALTPR"), lvbBytes(1, 2, 0xff), true, "EBUSY")),
        Arguments.of("n1 lock L5 R1 PW lvb=\"A B # C\"",
            new Statement.Lock(at(1), n(1), "L5", "R1", Mode.PW, Set.of(), lvb("A B # C"), false, "OK")),
        Arguments.of("n1 lock L5 R1 PW lvb=\"say \\\"hi\\\" \\\\\"",
            new Statement.Lock(at(1), n(1), "L5", "R1", Mode.PW, Set.of(), lvb("say \"hi\" \\"), false, "OK")),
        Arguments.of("n1 lock L5 R1 PW lvb=0XAbCd",
            new Statement.Lock(at(1), n(1), "L5", "R1", Mode.PW, Set.of(), lvbBytes(0xab, 0xcd), false, "OK")),
        Arguments.of("n1 lock L5 R1 PR flags=CONVDEADLK,NOQUEUE,CANCEL,EXPEDITE   # combinations are the API's",
            new Statement.Lock(at(1), n(1), "L5", "R1", Mode.PR, flags("CONVDEADLK", "NOQUEUE", "CANCEL", "EXPEDITE"), Optional.empty(), false, "OK")),
        Arguments.of("n1 lock L5 R1 PR lvb=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789   # longer than lvblen: the API's EINVAL",
            new Statement.Lock(at(1), n(1), "L5", "R1", Mode.PR, Set.of(), lvb("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), false, "OK")),
        Arguments.of("\tn1  lock\tL5 R1 EX",
            new Statement.Lock(at(2), n(1), "L5", "R1", Mode.EX, Set.of(), Optional.empty(), false, "OK")),
        // operations: convert, unlock, cancel
        Arguments.of("n1 convert L1 EX flags=CONVDEADLK",
            new Statement.Convert(at(1), n(1), "L1", Mode.EX, flags("CONVDEADLK"), Optional.empty(), "OK")),
        Arguments.of("n1 convert L1 NL lvb=xyz => EBUSY",
            new Statement.Convert(at(1), n(1), "L1", Mode.NL, Set.of(), lvb("xyz"), "EBUSY")),
        Arguments.of("n1 unlock L1 lvb=0x0102ff",
            new Statement.Unlock(at(1), n(1), "L1", Set.of(), lvbBytes(1, 2, 0xff), "OK")),
        Arguments.of("n2 unlock L1 flags=FORCEUNLOCK => ENOENT",
            new Statement.Unlock(at(1), n(2), "L1", flags("FORCEUNLOCK"), Optional.empty(), "ENOENT")),
        Arguments.of("n2 cancel L2",
            new Statement.Cancel(at(1), n(2), "L2", Set.of(), "OK")),
        Arguments.of("n2 cancel L2 => SOME_FUTURE_CODE flags=FORCEUNLOCK",
            new Statement.Cancel(at(1), n(2), "L2", flags("FORCEUNLOCK"), "SOME_FUTURE_CODE")),
        // awaits
        Arguments.of("await L1 cast OK", await(new Condition.CallbackArrived("L1", new Cast(CastStatus.OK)))),
        Arguments.of("await L2 cast EAGAIN", await(new Condition.CallbackArrived("L2", new Cast(CastStatus.EAGAIN)))),
        Arguments.of("await L2 cast EDEADLK", await(new Condition.CallbackArrived("L2", new Cast(CastStatus.EDEADLK)))),
        Arguments.of("await L2 cast ECANCEL", await(new Condition.CallbackArrived("L2", new Cast(CastStatus.ECANCEL)))),
        Arguments.of("await L2 cast EUNLOCK", await(new Condition.CallbackArrived("L2", new Cast(CastStatus.EUNLOCK)))),
        Arguments.of("await L1 bast EX", await(new Condition.CallbackArrived("L1", new Bast(Mode.EX)))),
        Arguments.of("await quiet", await(new Condition.Quiet())),
        Arguments.of("await recovered", await(new Condition.Recovered())),
        Arguments.of("await fenced n3", await(new Condition.Fenced(n(3)))),
        // expects on one lock
        Arguments.of("expect L1 granted PR", expect(new Expectation.Granted("L1", Mode.PR))),
        Arguments.of("expect L1 waiting CW", expect(new Expectation.Waiting("L1", Mode.CW))),
        Arguments.of("expect L1 converting PR>EX", expect(new Expectation.Converting("L1", Mode.PR, Mode.EX))),
        Arguments.of("expect L1 gone", expect(new Expectation.Gone("L1"))),
        Arguments.of("expect L1 lvb AAAA", expect(new Expectation.LvbEquals("L1", lvb("AAAA").orElseThrow()))),
        Arguments.of("expect L1 lvb 0x00ff", expect(new Expectation.LvbEquals("L1", lvbBytes(0, 0xff).orElseThrow()))),
        Arguments.of("expect L1 lvb zero", expect(new Expectation.LvbZero("L1"))),
        Arguments.of("expect L1 lvb \"zero\"", expect(new Expectation.LvbEquals("L1", lvb("zero").orElseThrow()))),
        Arguments.of("expect L1 sbflags VALNOTVALID,DEMOTED",
            expect(new Expectation.SbFlags("L1", Set.of(SbFlag.VALNOTVALID, SbFlag.DEMOTED)))),
        Arguments.of("expect L1 sbflags ALTMODE, DEMOTED",
            expect(new Expectation.SbFlags("L1", Set.of(SbFlag.ALTMODE, SbFlag.DEMOTED)))),
        Arguments.of("expect L1 sbflags none", expect(new Expectation.SbFlags("L1", Set.of()))),
        Arguments.of("expect L1 events cast OK, bast EX",
            expect(new Expectation.Events("L1", List.of(new Cast(CastStatus.OK), new Bast(Mode.EX))))),
        Arguments.of("expect L1 events bast PR,bast EX , cast EUNLOCK",
            expect(new Expectation.Events("L1", List.of(new Bast(Mode.PR), new Bast(Mode.EX), new Cast(CastStatus.EUNLOCK))))),
        Arguments.of("expect L1 events none", expect(new Expectation.Events("L1", List.of()))),
        // expects on resources and the lockspace
        Arguments.of("expect queues R1 grant=L1:PR,L3:CR convert=L2:PR>EX wait=L4:EX",
            expect(new Expectation.Queues("R1",
                Optional.of(List.of(new Held("L1", Mode.PR), new Held("L3", Mode.CR))),
                Optional.of(List.of(new Conversion("L2", Mode.PR, Mode.EX))),
                Optional.of(List.of(new Held("L4", Mode.EX)))))),
        Arguments.of("expect queues R1 wait=- grant=L1:EX",
            expect(new Expectation.Queues("R1",
                Optional.of(List.of(new Held("L1", Mode.EX))), Optional.empty(), Optional.of(List.of())))),
        Arguments.of("expect queues R1 convert=-",
            expect(new Expectation.Queues("R1", Optional.empty(), Optional.of(List.of()), Optional.empty()))),
        Arguments.of("expect master R1 n2", expect(new Expectation.Master("R1", n(2)))),
        Arguments.of("expect lockspace stopped",
            expect(new Expectation.LockspaceState(Expectation.LockspaceState.State.STOPPED))),
        Arguments.of("expect lockspace running",
            expect(new Expectation.LockspaceState(Expectation.LockspaceState.State.RUNNING))),
        // faults
        Arguments.of("kill n3", new Statement.Fault(at(1), FaultKind.KILL, n(3))),
        Arguments.of("pause n2", new Statement.Fault(at(1), FaultKind.PAUSE, n(2))),
        Arguments.of("resume n2", new Statement.Fault(at(1), FaultKind.RESUME, n(2))),
        Arguments.of("restart n3 # comment after a fault", new Statement.Fault(at(1), FaultKind.RESTART, n(3))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("statements")
  void eachStatementFormParsesToItsRecord(String line, Statement expected) throws Exception {
    Scenario scenario = ScenarioParser.parse(FILE, PRELUDE + line + "\n", LIMITS);
    assertThat(scenario.statements()).hasSize(3);
    assertThat(scenario.statements().get(2)).isEqualTo(expected);
  }

  @Test
  void aSecondLockWithTheSameNameRebindsIt() throws Exception {
    Scenario scenario = ScenarioParser.parse(FILE,
        "nodes 2\nn1 lock L1 R1 PR\nn1 unlock L1\nn2 lock L1 R2 EX\nn2 convert L1 NL\n", LIMITS);
    assertThat(scenario.statements()).hasSize(4);
    assertThat(((Statement.Lock) scenario.statements().get(2)).node().number()).isEqualTo(2);
  }

  @Test
  void headerDefaultsAreThreeNodesLockspaceDefaultLvblen32AndTimeout30s() throws Exception {
    Scenario scenario = ScenarioParser.parse(FILE, "nodes 3\n", LIMITS);
    assertThat(scenario.header()).isEqualTo(new Header(3, "default", 32, Duration.ofSeconds(30)));
    assertThat(scenario.statements()).isEmpty();
  }

  @Test
  void headerTakesLockspaceLvblenAndTimeoutInEveryUnit() throws Exception {
    assertThat(ScenarioParser.parse(FILE, "nodes 5\nlockspace fs1 lvblen 64\ntimeout 250ms\n", LIMITS).header())
        .isEqualTo(new Header(5, "fs1", 64, Duration.ofMillis(250)));
    assertThat(ScenarioParser.parse(FILE, "# intro\n\nnodes 1\ntimeout 10s\nlockspace x\n", LIMITS).header())
        .isEqualTo(new Header(1, "x", 32, Duration.ofSeconds(10)));
    assertThat(ScenarioParser.parse(FILE, "nodes 2\ntimeout 2m\n", LIMITS).header().timeout())
        .isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void optionsMayComeInAnyOrderAndFlagsKeepTheirWrittenOrder() throws Exception {
    Statement.Lock a = (Statement.Lock) ScenarioParser.parse(FILE,
        "nodes 1\nn1 lock L R EX flags=QUECVT,NOQUEUE lvb=x nobast => EINVAL\n", LIMITS).statements().get(0);
    Statement.Lock b = (Statement.Lock) ScenarioParser.parse(FILE,
        "nodes 1\nn1 lock L R EX => EINVAL nobast lvb=x flags=QUECVT,NOQUEUE\n", LIMITS).statements().get(0);
    assertThat(a).isEqualTo(b);
    assertThat(a.flags()).containsExactly("QUECVT", "NOQUEUE");
  }

  @Test
  void positionsAreLineAndColumnOfTheFirstTokenAcrossCommentsBlankLinesAndCrLf() throws Exception {
    Scenario scenario = ScenarioParser.parse(FILE,
        "# header\r\nnodes 2\r\n\r\n   n2 lock L1 R1 PR   # indented\r\n\tawait quiet\n", LIMITS);
    assertThat(scenario.statements()).extracting(Statement::at)
        .containsExactly(new Position(FILE, 4, 4), new Position(FILE, 5, 2));
  }

  @Test
  void aByteOrderMarkAtTheStartIsIgnored() throws Exception {
    assertThat(ScenarioParser.parse(FILE, "\uFEFFnodes 2\n", LIMITS).header().nodes()).isEqualTo(2);
  }

  @Test
  void aLockNameStaysBoundAfterUnlockSoLaterOperationsParse() throws Exception {
    Scenario scenario = ScenarioParser.parse(FILE,
        "nodes 2\nn1 lock L1 R1 EX\nn1 unlock L1\nawait L1 cast EUNLOCK\nn1 unlock L1 => ENOENT\n"
            + "n2 convert L1 PR => ENOENT\nexpect L1 gone\n", LIMITS);
    assertThat(scenario.statements()).hasSize(6);
  }

  @Test
  void aFailedLockRequestStillIntroducesItsName() throws Exception {
    Scenario scenario = ScenarioParser.parse(FILE,
        "nodes 1\nn1 lock L9 R1 PR flags=EXPEDITE => EINVAL\nn1 unlock L9 => ENOENT\n", LIMITS);
    assertThat(scenario.statements()).hasSize(2);
  }

  @Test
  void hashInsideAQuotedValueIsNotAComment() throws Exception {
    Statement.Unlock unlock = (Statement.Unlock) ScenarioParser.parse(FILE,
        "nodes 1\nn1 lock L R EX\nn1 unlock L lvb=\"#1\" # real comment\n", LIMITS).statements().get(1);
    assertThat(unlock.lvb()).isEqualTo(lvb("#1"));
  }

  @Test
  void aHashOutsideQuotesEndsTheValue() throws Exception {
    Statement.Unlock unlock = (Statement.Unlock) ScenarioParser.parse(FILE,
        "nodes 1\nn1 lock L R EX\nn1 unlock L lvb=A#B\n", LIMITS).statements().get(1);
    assertThat(unlock.lvb()).isEqualTo(lvb("A"));
  }
}
