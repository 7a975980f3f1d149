package org.jdlm.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every error of the filesystem and kernel statements, as {@code file:line:col: message} naming the
 * offending value and what was expected (docs/scenarios.md "Filesystem and kernel"). The statement
 * under test is line 2 of a file that says {@code nodes 3}.
 */
class FsStatementErrorTest {

  static Stream<Arguments> errors() {
    return Stream.of(
        Arguments.of("n1 mount", "e.scen:2:9: expected a filesystem name, found end of line"),
        Arguments.of("n1 mount g:s", "e.scen:2:10: expected a filesystem name (1 to 40 letters, digits, '_', '.', '-'), found 'g:s'"),
        Arguments.of("n1 mount gfs put-async-in-reclaim=maybe", "e.scen:2:35: expected 'on' or 'off' after 'put-async-in-reclaim=', found 'maybe'"),
        Arguments.of("n1 mount gfs hold-time=3", "e.scen:2:24: expected a duration such as 500ms, 10s or 2m, found '3'"),
        Arguments.of("n1 mount gfs colour=red", "e.scen:2:14: expected put-async-in-reclaim=on|off, hold-time=D (each once) or end of line, found 'colour=red'"),
        Arguments.of("n1 unmount", "e.scen:2:11: expected a filesystem name, found end of line"),
        Arguments.of("n1 memory total=100p min=10p low=20p", "e.scen:2:37: expected high=Np as well (memory needs total, min, low and high), found end of line"),
        Arguments.of("n1 memory total=100p min=30p low=20p high=40p", "e.scen:2:38: expected 0 <= min <= low <= high <= total and total >= 1, found total=100 min=30 low=20 high=40"),
        Arguments.of("n1 memory total=100 min=10p low=20p high=40p", "e.scen:2:17: expected a page count such as 20p, found '100'"),
        Arguments.of("n1 memory total=100p total=100p", "e.scen:2:22: duplicate 'total='"),
        Arguments.of("n1 memory size=100p", "e.scen:2:11: expected total=Np, min=Np, low=Np or high=Np, found 'size=100p'"),
        Arguments.of("n1 task", "e.scen:2:8: expected a task name, found end of line"),
        Arguments.of("n1 task T", "e.scen:2:10: expected a task call (glock, iget, iput, unlink, drop-caches, alloc, free), found end of line"),
        Arguments.of("n1 task T frob", "e.scen:2:11: expected a task call (glock, iget, iput, unlink, drop-caches, alloc, free), found 'frob'"),
        Arguments.of("n1 task T flags=MEMALOC alloc 1p", "e.scen:2:17: expected a task flag (MEMALLOC NOFS NOIO LOCAL_THROTTLE IO_FLUSHER), found 'MEMALOC'"),
        Arguments.of("n1 task T glock gfs 2/1c00", "e.scen:2:27: expected nq, dq, get, put or put-async, found end of line"),
        Arguments.of("n1 task T glock gfs 2-1c00 nq EX", "e.scen:2:21: expected a glock name TYPE/NUMBER with a type 1..9 and a hex number (e.g. 2/1c00), found '2-1c00'"),
        Arguments.of("n1 task T glock gfs 0/1c00 nq EX", "e.scen:2:21: expected a glock name TYPE/NUMBER with a type 1..9 and a hex number (e.g. 2/1c00), found '0/1c00'"),
        Arguments.of("n1 task T glock gfs 2/1c00 nq PR", "e.scen:2:31: expected a glock state (UN SH DF EX), found 'PR'"),
        Arguments.of("n1 task T glock gfs 2/1c00 nq EX hflags=TRY,ASYNC", "e.scen:2:45: expected a holder flag (TRY TRY_1CB NOEXP ANY NODE_SCOPE EXACT NOCACHE SKIP), found 'ASYNC'"),
        Arguments.of("n1 task T glock gfs 2/1c00 lock", "e.scen:2:28: expected nq, dq, get, put or put-async, found 'lock'"),
        Arguments.of("n1 task T iget gfs", "e.scen:2:19: expected an inode number (decimal or 0xHEX), found end of line"),
        Arguments.of("n1 task T iget gfs -1", "e.scen:2:20: expected an inode number (decimal or 0xHEX), found '-1'"),
        Arguments.of("n1 task T alloc 10", "e.scen:2:17: expected a page count such as 20p, found '10'"),
        Arguments.of("n1 task T alloc 0p", "e.scen:2:17: expected at least 1p, found 0p"),
        Arguments.of("n1 task T alloc 10p mask=GFP_HIGHUSER", "e.scen:2:26: expected a mask (GFP_KERNEL GFP_NOFS GFP_NOIO GFP_ATOMIC GFP_NOWAIT), found 'GFP_HIGHUSER'"),
        Arguments.of("n1 task T alloc 10p async => OK", "e.scen:2:30: an async call has no result yet: write the code on 'await nX task T done => CODE' instead"),
        Arguments.of("n1 task T alloc 10p => ok", "e.scen:2:24: expected a result code in upper case (e.g. OK, EINVAL, ENOENT), found 'ok'"),
        Arguments.of("n1 task T alloc 10p later", "e.scen:2:21: expected async, => CODE (each once) or end of line, found 'later'"),
        Arguments.of("n4 mount gfs", "e.scen:2:1: expected a node from n1 to n3 (the file says 'nodes 3'), found 'n4'"),
        Arguments.of("expect n1 glock gfs 2/1c00", "e.scen:2:27: expected state S, gone or holders …, found end of line"),
        Arguments.of("expect n1 glock gfs 2/1c00 state PR", "e.scen:2:34: expected a glock state (UN SH DF EX), found 'PR'"),
        Arguments.of("expect n1 glock gfs 2/1c00 holders T:EX", "e.scen:2:36: expected a holder TASK:STATE:H|W (e.g. T1:EX:H), found 'T:EX'"),
        Arguments.of("expect n1 glock gfs 2/1c00 holders T:EX:X", "e.scen:2:36: expected a holder TASK:STATE:H|W (e.g. T1:EX:H), found 'T:EX:X'"),
        Arguments.of("expect n1 cached gfs 12 maybe", "e.scen:2:25: expected yes or no, found 'maybe'"),
        Arguments.of("expect n1 memory free=high", "e.scen:2:18: expected free>=WATERMARK, free<WATERMARK, free>=Np or free<Np, found 'free=high'"),
        Arguments.of("expect n1 memory free>=huge", "e.scen:2:24: expected a page count such as 20p, found 'huge'"),
        Arguments.of("expect n1 task T sleeping", "e.scen:2:18: expected done, running or waiting EDGE, found 'sleeping'"),
        Arguments.of("expect n1 task T waiting glock", "e.scen:2:26: expected a wait such as waits-glock(EX), waits-memory or waits-reply(glock put), found 'glock'"),
        Arguments.of("expect n1 task T done OK", "e.scen:2:23: expected => CODE or end of line, found 'OK'"),
        Arguments.of("expect n1 frob", "e.scen:2:11: expected glock, cached, memory or task after 'n1', found 'frob'"),
        Arguments.of("expect dlm gfs 2/1c00", "e.scen:2:22: expected gone, or grant=…, convert=… or wait=…, found end of line"),
        Arguments.of("expect dlm gfs 2/1c00 grant=n1:XX", "e.scen:2:32: expected a mode (NL CR CW PR PW EX), found 'XX'"),
        Arguments.of("expect dlm gfs 2/1c00 grant=n9:EX", "e.scen:2:29: expected a node from n1 to n3 (the file says 'nodes 3'), found 'n9'"),
        Arguments.of("expect dlm gfs 2/1c00 grant=n1:EX grant=n2:EX", "e.scen:2:35: duplicate 'grant='"),
        Arguments.of("expect dlm gfs 2/1c00 convert=n1:EX", "e.scen:2:34: expected a conversion FROM>TO (e.g. PR>EX), found 'EX'"),
        Arguments.of("await n1 task T done => ok", "e.scen:2:25: expected a result code in upper case (e.g. OK, EINVAL, ENOENT), found 'ok'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("errors")
  void eachErrorNamesLineColumnValueAndReason(String statement, String message) {
    ScenarioSyntaxException e = catchThrowableOfType(ScenarioSyntaxException.class,
        () -> ScenarioParser.parse("e.scen", "nodes 3\n" + statement + "\n", ScenarioSyntaxErrorTest.LIMITS));
    assertThat(e).as("no error for: " + statement).isNotNull();
    assertThat(e.errors()).hasSize(1);
    assertThat(e.errors().get(0).toString()).isEqualTo(message);
  }
}
