package org.jdlm.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every error the parser reports, as {@code file:line:col: message} with the column of the
 * offending token and a message naming what was expected and what was found (brief §6).
 */
class ScenarioSyntaxErrorTest {

  static final ScenarioParser.Limits LIMITS =
      new ScenarioParser.Limits(32, 256, Duration.ofHours(1), 50);

  /** Header plus two locks; a body line under test is line 4. */
  static final String P = "nodes 3\nn1 lock L1 R1 PR\nn2 lock L2 R1 EX\n";

  static Stream<Arguments> errors() {
    return Stream.of(
        // header and order
        Arguments.of("", "e.scen:1:1: expected 'nodes N' as the first statement, found end of file"),
        Arguments.of("# only a comment\n\n", "e.scen:1:1: expected 'nodes N' as the first statement, found end of file"),
        Arguments.of("n1 lock L1 R1 PR\n", "e.scen:1:1: expected 'nodes N' as the first statement, found 'n1'"),
        Arguments.of("lockspace a\nnodes 3\n",
            "e.scen:1:1: expected 'nodes N' as the first statement, found 'lockspace'\n"
                + "e.scen:2:1: 'nodes' must be the first statement, but line 1 comes before it"),
        Arguments.of("nodes 3\nnodes 3\n", "e.scen:2:1: duplicate 'nodes': already given on line 1"),
        Arguments.of("nodes\n", "e.scen:1:6: expected a node count, found end of line"),
        Arguments.of("nodes three\n", "e.scen:1:7: expected a node count, found 'three'"),
        Arguments.of("nodes 0\n", "e.scen:1:7: expected a node count from 1 to 32 (jdlm.cli.scenario.max-nodes), found 0"),
        Arguments.of("nodes 33\n", "e.scen:1:7: expected a node count from 1 to 32 (jdlm.cli.scenario.max-nodes), found 33"),
        Arguments.of("nodes 99999999999999\n", "e.scen:1:7: expected a node count, found '99999999999999'"),
        Arguments.of("nodes 3 4\n", "e.scen:1:9: expected end of line, found '4'"),
        Arguments.of("nodes 3\nlockspace a\nlockspace b\n", "e.scen:3:1: duplicate 'lockspace': already given on line 2"),
        Arguments.of("nodes 3\ntimeout 1s\ntimeout 2s\n", "e.scen:3:1: duplicate 'timeout': already given on line 2"),
        Arguments.of("nodes 3\nawait quiet\ntimeout 2s\n",
            "e.scen:3:1: 'timeout' belongs to the header: it must come before the first operation, await, expect or fault (line 2)"),
        Arguments.of("nodes 3\nkill n1\nlockspace x\n",
            "e.scen:3:1: 'lockspace' belongs to the header: it must come before the first operation, await, expect or fault (line 2)"),
        Arguments.of("nodes 3\nlockspace\n", "e.scen:2:10: expected a lockspace name, found end of line"),
        Arguments.of("nodes 3\nlockspace fs1 lvblen\n", "e.scen:2:21: expected a value-block length in bytes, found end of line"),
        Arguments.of("nodes 3\nlockspace fs1 lvblen 12\n",
            "e.scen:2:22: expected a value-block length that is a multiple of 8 from 8 to 256 (jdlm.cli.scenario.max-lvb-length), found 12"),
        Arguments.of("nodes 3\nlockspace fs1 lvblen 0\n",
            "e.scen:2:22: expected a value-block length that is a multiple of 8 from 8 to 256 (jdlm.cli.scenario.max-lvb-length), found 0"),
        Arguments.of("nodes 3\nlockspace fs1 lvb 32\n", "e.scen:2:15: expected 'lvblen N' or end of line, found 'lvb'"),
        Arguments.of("nodes 3\nlockspace f:s\n", "e.scen:2:11: expected a lockspace name (letters, digits, '_', '.', '-', '/'), found 'f:s'"),
        Arguments.of("nodes 3\ntimeout 10\n", "e.scen:2:9: expected a duration such as 500ms, 10s or 2m, found '10'"),
        Arguments.of("nodes 3\ntimeout 10h\n", "e.scen:2:9: expected a duration such as 500ms, 10s or 2m, found '10h'"),
        Arguments.of("nodes 3\ntimeout 0s\n", "e.scen:2:9: expected a timeout above 0 and at most 60m (jdlm.cli.scenario.max-timeout), found '0s'"),
        Arguments.of("nodes 3\ntimeout 61m\n", "e.scen:2:9: expected a timeout above 0 and at most 60m (jdlm.cli.scenario.max-timeout), found '61m'"),
        // statements and nodes
        Arguments.of(P + "frobnicate n1\n",
            "e.scen:4:1: expected a statement (nodes, lockspace, timeout, break-deadlocks, nX lock|convert|unlock|cancel|mount|unmount|memory|task, await, expect, kill, pause, resume, restart), found 'frobnicate'"),
        Arguments.of(P + "n4 lock L5 R1 PR\n", "e.scen:4:1: expected a node from n1 to n3 (the file says 'nodes 3'), found 'n4'"),
        Arguments.of(P + "n0 lock L5 R1 PR\n", "e.scen:4:1: expected a node (n1…n3), found 'n0'"),
        Arguments.of(P + "n01 lock L5 R1 PR\n", "e.scen:4:1: expected a node (n1…n3), found 'n01'"),
        Arguments.of(P + "kill\n", "e.scen:4:5: expected a node, found end of line"),
        Arguments.of(P + "kill node1\n", "e.scen:4:6: expected a node (n1…n3), found 'node1'"),
        Arguments.of(P + "restart n9\n", "e.scen:4:9: expected a node from n1 to n3 (the file says 'nodes 3'), found 'n9'"),
        Arguments.of(P + "pause n1 n2\n", "e.scen:4:10: expected end of line, found 'n2'"),
        Arguments.of(P + "n1\n", "e.scen:4:3: expected an operation (lock, convert, unlock, cancel, mount, unmount, memory, task), found end of line"),
        Arguments.of(P + "n1 grab L1\n", "e.scen:4:4: expected an operation (lock, convert, unlock, cancel, mount, unmount, memory, task), found 'grab'"),
        // lock
        Arguments.of(P + "n1 lock L5 R1\n", "e.scen:4:14: expected a mode (NL CR CW PR PW EX), found end of line"),
        Arguments.of(P + "n1 lock L5 R1 pr\n", "e.scen:4:15: expected a mode (NL CR CW PR PW EX), found 'pr'"),
        Arguments.of(P + "n1 lock L5\n", "e.scen:4:11: expected a resource name, found end of line"),
        Arguments.of(P + "n1 lock L5 R:1 PR\n", "e.scen:4:12: expected a resource name (letters, digits, '_', '.', '-', '/'), found 'R:1'"),
        Arguments.of(P + "n1 lock quiet R1 PR\n", "e.scen:4:9: 'quiet' cannot name a lock: after await/expect it is a keyword"),
        Arguments.of(P + "n1 lock L,5 R1 PR\n", "e.scen:4:9: expected a lock name (letters, digits, '_', '.', '-', '/'), found 'L,5'"),
        Arguments.of(P + "n1 lock L5 R1 PR flags=NOQUEUE,FOO\n",
            "e.scen:4:32: expected a flag name (NOQUEUE CANCEL CONVERT VALBLK QUECVT IVVALBLK CONVDEADLK PERSISTENT NODLCKWT NODLCKBLK EXPEDITE NOQUEUEBAST HEADQUE NOORDER ORPHAN ALTPR ALTCW FORCEUNLOCK TIMEOUT), found 'FOO'"),
        Arguments.of(P + "n1 lock L5 R1 PR flags=\n", "e.scen:4:24: expected a flag name after 'flags=', found nothing"),
        Arguments.of(P + "n1 lock L5 R1 PR flags=NOQUEUE,\n", "e.scen:4:32: expected a flag name after ',', found nothing"),
        Arguments.of(P + "n1 lock L5 R1 PR flags=NOQUEUE,,VALBLK\n", "e.scen:4:32: expected a flag name after ',', found ','"),
        Arguments.of(P + "n1 lock L5 R1 PR flags=NOQUEUE flags=VALBLK\n", "e.scen:4:32: duplicate 'flags=': already given at column 18"),
        Arguments.of(P + "n1 lock L5 R1 PR noqueue\n",
            "e.scen:4:18: expected an option (flags=…, lvb=…, nobast, => CODE, task=…) or end of line, found 'noqueue'"),
        Arguments.of(P + "n1 lock L5 R1 PR =>\n", "e.scen:4:20: expected a result code after '=>' (e.g. OK, EINVAL, ENOENT), found end of line"),
        Arguments.of(P + "n1 lock L5 R1 PR => einval\n", "e.scen:4:21: expected a result code in upper case (e.g. OK, EINVAL, ENOENT), found 'einval'"),
        Arguments.of(P + "n1 lock L5 R1 PR => OK => OK\n", "e.scen:4:24: duplicate '=> CODE': already given at column 18"),
        // value blocks
        Arguments.of(P + "n1 lock L5 R1 PR lvb=\n", "e.scen:4:22: expected a value after 'lvb=' (TEXT, \"TEXT\" or 0xHEX), found nothing"),
        Arguments.of(P + "n1 lock L5 R1 PR lvb=0x\n", "e.scen:4:22: expected hex digits after '0x', found nothing"),
        Arguments.of(P + "n1 lock L5 R1 PR lvb=0x12g4\n", "e.scen:4:26: expected a hex digit, found 'g'"),
        Arguments.of(P + "n1 lock L5 R1 PR lvb=0x123\n", "e.scen:4:22: expected an even number of hex digits (two per byte), found 3"),
        Arguments.of(P + "n1 lock L5 R1 PR lvb=\"AB\n", "e.scen:4:22: expected a closing '\"' for the quote opened here, found end of line"),
        Arguments.of(P + "n1 lock L5 R1 PR lvb=\"A\\nB\"\n", "e.scen:4:24: expected '\\\"' or '\\\\' in a quoted value, found '\\n'"),
        Arguments.of(P + "n1 lock L5 R1 PR lvb=\"AB\"C\n", "e.scen:4:26: expected end of value after the closing quote, found 'C'"),
        Arguments.of(P + "n1 lock L5 R1 PR lvb=A\"B C\"\n",
            "e.scen:4:23: expected printable ASCII without quotes (quote the whole value: lvb=\"A B\"), found '\"'"),
        Arguments.of(P + "n1 lock L5 R1 PR lvb=caf\u00e9\n",
            "e.scen:4:25: expected printable ASCII in a value-block text (use 0x… for other bytes), found '\\u00e9'"),
        // convert, unlock, cancel
        Arguments.of(P + "n1 convert L7 EX\n",
            "e.scen:4:12: lock 'L7' is not introduced: expected an earlier 'nX lock L7 RESOURCE MODE' statement"),
        Arguments.of(P + "n1 convert L1\n", "e.scen:4:14: expected a mode (NL CR CW PR PW EX), found end of line"),
        Arguments.of(P + "n1 convert L1 EX nobast\n", "e.scen:4:18: 'nobast' is not allowed on convert; expected an option (flags=…, lvb=…, => CODE) or end of line"),
        Arguments.of(P + "n1 unlock\n", "e.scen:4:10: expected a lock name, found end of line"),
        Arguments.of(P + "n1 unlock L1 nobast\n", "e.scen:4:14: 'nobast' is not allowed on unlock; expected an option (flags=…, lvb=…, => CODE) or end of line"),
        Arguments.of(P + "n2 cancel L2 lvb=x\n", "e.scen:4:14: 'lvb=' is not allowed on cancel; expected an option (flags=…, => CODE) or end of line"),
        Arguments.of(P + "n2 cancel L9\n",
            "e.scen:4:11: lock 'L9' is not introduced: expected an earlier 'nX lock L9 RESOURCE MODE' statement"),
        Arguments.of("nodes 1\nn1 unlock L1\nn1 lock L1 R1 EX\n",
            "e.scen:2:11: lock 'L1' is not introduced: expected an earlier 'nX lock L1 RESOURCE MODE' statement"),
        // await
        Arguments.of(P + "await\n", "e.scen:4:6: expected what to await (L cast S, L bast M, quiet, recovered or fenced nX), found end of line"),
        Arguments.of(P + "await L1\n", "e.scen:4:9: expected 'cast' or 'bast', found end of line"),
        Arguments.of(P + "await L1 grant OK\n", "e.scen:4:10: expected 'cast' or 'bast', found 'grant'"),
        Arguments.of(P + "await L1 cast EINVAL\n", "e.scen:4:15: expected a cast status (OK EAGAIN EDEADLK ECANCEL EUNLOCK ENOENT), found 'EINVAL'"),
        Arguments.of(P + "await L1 bast XX\n", "e.scen:4:15: expected a mode (NL CR CW PR PW EX), found 'XX'"),
        Arguments.of(P + "await L8 cast OK\n",
            "e.scen:4:7: lock 'L8' is not introduced: expected an earlier 'nX lock L8 RESOURCE MODE' statement"),
        Arguments.of(P + "await quiet now\n", "e.scen:4:13: expected end of line, found 'now'"),
        Arguments.of(P + "await fenced\n", "e.scen:4:13: expected a node, found end of line"),
        Arguments.of(P + "await fenced n4\n", "e.scen:4:14: expected a node from n1 to n3 (the file says 'nodes 3'), found 'n4'"),
        Arguments.of(P + "await ?\n", "e.scen:4:7: expected what to await (L cast S, L bast M, quiet, recovered or fenced nX), found '?'"),
        // expect on one lock
        Arguments.of(P + "expect\n",
            "e.scen:4:7: expected what to expect (L granted|waiting|converting|gone|lvb|sbflags|events …, queues R …, master R nX, lockspace stopped|running, deadlock|livelock within D, no-deadlock for D or knot contains P …), found end of line"),
        Arguments.of(P + "expect L1 held PR\n", "e.scen:4:11: expected granted, waiting, converting, gone, lvb, sbflags or events, found 'held'"),
        Arguments.of(P + "expect L1 granted\n", "e.scen:4:18: expected a mode (NL CR CW PR PW EX), found end of line"),
        Arguments.of(P + "expect L1 converting PR\n", "e.scen:4:22: expected a conversion FROM>TO (e.g. PR>EX), found 'PR'"),
        Arguments.of(P + "expect L1 converting PR>\n", "e.scen:4:25: expected a mode (NL CR CW PR PW EX), found nothing"),
        Arguments.of(P + "expect L1 converting PR > EX\n", "e.scen:4:22: expected a conversion FROM>TO (e.g. PR>EX), found 'PR'"),
        Arguments.of(P + "expect L1 gone now\n", "e.scen:4:16: expected end of line, found 'now'"),
        Arguments.of(P + "expect L1 lvb\n", "e.scen:4:14: expected a value (TEXT, \"TEXT\", 0xHEX) or 'zero', found end of line"),
        Arguments.of(P + "expect L1 lvb 0xZ\n", "e.scen:4:17: expected a hex digit, found 'Z'"),
        Arguments.of(P + "expect L1 sbflags\n", "e.scen:4:18: expected an sbflag (DEMOTED VALNOTVALID ALTMODE) or 'none', found end of line"),
        Arguments.of(P + "expect L1 sbflags DEMOTED,VALID\n", "e.scen:4:27: expected an sbflag (DEMOTED VALNOTVALID ALTMODE), found 'VALID'"),
        Arguments.of(P + "expect L1 sbflags DEMOTED,\n", "e.scen:4:27: expected an sbflag after ',', found end of line"),
        Arguments.of(P + "expect L1 sbflags DEMOTED ALTMODE\n", "e.scen:4:27: expected ',' or end of line, found 'ALTMODE'"),
        Arguments.of(P + "expect L1 sbflags none DEMOTED\n", "e.scen:4:24: expected end of line, found 'DEMOTED'"),
        Arguments.of(P + "expect L1 events\n", "e.scen:4:17: expected a callback list such as 'cast OK, bast EX', or 'none', found end of line"),
        Arguments.of(P + "expect L1 events cast\n", "e.scen:4:22: expected a cast status (OK EAGAIN EDEADLK ECANCEL EUNLOCK ENOENT), found end of line"),
        Arguments.of(P + "expect L1 events cast OK bast EX\n", "e.scen:4:26: expected ',' or end of line, found 'bast'"),
        Arguments.of(P + "expect L1 events cast OK,\n", "e.scen:4:26: expected 'cast' or 'bast' after ',', found end of line"),
        Arguments.of(P + "expect L1 events grant PR\n", "e.scen:4:18: expected 'cast' or 'bast', found 'grant'"),
        Arguments.of(P + "expect L1 events bast ZZ\n", "e.scen:4:23: expected a mode (NL CR CW PR PW EX), found 'ZZ'"),
        Arguments.of(P + "expect L1 events cast OK,,bast EX\n", "e.scen:4:26: expected 'cast' or 'bast', found ','"),
        Arguments.of(P + "expect L6 granted PR\n",
            "e.scen:4:8: lock 'L6' is not introduced: expected an earlier 'nX lock L6 RESOURCE MODE' statement"),
        // expect queues, master, lockspace
        Arguments.of(P + "expect queues\n", "e.scen:4:14: expected a resource name, found end of line"),
        Arguments.of(P + "expect queues R1\n", "e.scen:4:17: expected grant=…, convert=… or wait=…, found end of line"),
        Arguments.of(P + "expect queues R1 granted=L1:PR\n", "e.scen:4:18: expected grant=…, convert=… or wait=…, found 'granted=L1:PR'"),
        Arguments.of(P + "expect queues R1 grant=L1:PR grant=-\n", "e.scen:4:30: duplicate 'grant=': already given at column 18"),
        Arguments.of(P + "expect queues R1 grant=\n", "e.scen:4:24: expected an entry L:MODE after 'grant=' (or - for an empty queue), found nothing"),
        Arguments.of(P + "expect queues R1 grant=L1\n", "e.scen:4:24: expected a queue entry L:MODE, found 'L1'"),
        Arguments.of(P + "expect queues R1 grant=L1:QQ\n", "e.scen:4:27: expected a mode (NL CR CW PR PW EX), found 'QQ'"),
        Arguments.of(P + "expect queues R1 wait=:EX\n", "e.scen:4:23: expected a lock name before ':' (letters, digits, '_', '.', '-', '/'), found nothing"),
        Arguments.of(P + "expect queues R1 convert=L2:PR\n", "e.scen:4:29: expected a conversion FROM>TO (e.g. PR>EX), found 'PR'"),
        Arguments.of(P + "expect queues R1 convert=L2:PR>EX,\n", "e.scen:4:35: expected an entry L:FROM>TO after ',', found nothing"),
        Arguments.of(P + "expect master R1\n", "e.scen:4:17: expected a node, found end of line"),
        Arguments.of(P + "expect master R1 n7\n", "e.scen:4:18: expected a node from n1 to n3 (the file says 'nodes 3'), found 'n7'"),
        Arguments.of(P + "expect lockspace paused\n", "e.scen:4:18: expected 'stopped' or 'running', found 'paused'"),
        // what the error shows of strange input
        Arguments.of("nodes 3\n\u0001\u00ff\n", "e.scen:2:1: expected a statement (nodes, lockspace, timeout, break-deadlocks, nX lock|convert|unlock|cancel|mount|unmount|memory|task, await, expect, kill, pause, resume, restart), found '\\u0001\\u00ff'"),
        Arguments.of("nodes 3\n" + "x".repeat(60) + "\n", "e.scen:2:1: expected a statement (nodes, lockspace, timeout, break-deadlocks, nX lock|convert|unlock|cancel|mount|unmount|memory|task, await, expect, kill, pause, resume, restart), found '" + "x".repeat(40) + "...'"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("errors")
  void eachErrorNamesFileLineColumnWhatWasExpectedAndWhatWasFound(String text, String message) {
    ScenarioSyntaxException e = catchThrowableOfType(
        ScenarioSyntaxException.class, () -> ScenarioParser.parse("e.scen", text, LIMITS));
    assertThat(e).as("no syntax error for %s", text).isNotNull();
    assertThat(e.getMessage()).isEqualTo(message);
  }

  @Test
  void oneErrorPerLineIsReportedForEveryBrokenLineInLineOrder() {
    ScenarioSyntaxException e = catchThrowableOfType(ScenarioSyntaxException.class,
        () -> ScenarioParser.parse("e.scen", "nodes 2\nn1 lock A R XX\nn3 lock B R PR\nawait A cast OK\nawait Z cast OK\n", LIMITS));
    assertThat(e.errors()).extracting(err -> err.position().line()).containsExactly(2, 3, 5);
  }

  @Test
  void errorsStopAtTheLimitWithALastLineSayingSo() {
    ScenarioParser.Limits two = new ScenarioParser.Limits(32, 256, Duration.ofHours(1), 2);
    ScenarioSyntaxException e = catchThrowableOfType(ScenarioSyntaxException.class,
        () -> ScenarioParser.parse("e.scen", "nodes 2\nx\nx\nx\nx\n", two));
    assertThat(e.errors()).hasSize(3);
    assertThat(e.errors().get(2).toString())
        .isEqualTo("e.scen:4:1: too many errors (jdlm.cli.scenario.max-errors = 2); the rest of the file was not checked");
  }

  @Test
  void aLineAfterAnOrderErrorStillIntroducesItsLockSoLaterLinesGiveNoFollowOnErrors() {
    ScenarioSyntaxException e = catchThrowableOfType(ScenarioSyntaxException.class,
        () -> ScenarioParser.parse("e.scen", "n1 lock L1 R1 EX\nn1 unlock L1\n", LIMITS));
    assertThat(e.errors()).hasSize(1);
  }
}
