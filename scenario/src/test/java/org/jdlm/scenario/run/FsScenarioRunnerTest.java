package org.jdlm.scenario.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.jdlm.scenario.ScenarioParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The runner's filesystem and kernel statements in-process: what passes, and that a wrong
 * expectation, a call that does not finish and a refused request each fail the file with a line
 * that says what was expected and what was observed (docs/scenarios.md "Filesystem and kernel").
 */
class FsScenarioRunnerTest {
  private static final InprocScenarioClusters CLUSTERS = new InprocScenarioClusters();

  @AfterAll
  static void stop() {
    CLUSTERS.close();
  }

  private record Run(boolean passed, String failure, String out) {}

  private static Run run(String text) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ScenarioRunner.FileResult r;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      r = new ScenarioRunner(CLUSTERS, out, 20).run(ScenarioParser.parse("t.scen", text));
    }
    return new Run(r.passed(), r.failure(), bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aHeldGlockShowsItsStateHoldersAndDlmLockAndAWaiterShowsItsWait() throws Exception {
    Run r = run("""
        nodes 2
        timeout 20s
        n1 mount gfs
        n2 mount gfs
        n1 task A glock gfs 2/10 nq EX
        n2 task B glock gfs 2/10 nq SH async
        await n2 task B waiting waits-glock(SH)
        expect n2 task B waiting waits-glock
        expect n1 glock gfs 2/10 holders A:EX:H
        expect n2 glock gfs 2/10 holders B:SH:W
        expect dlm gfs 2/10 grant=n1:EX wait=n2:PR
        n1 task A glock gfs 2/10 dq
        await n2 task B done => OK
        """);
    assertThat(r.passed()).as(r.out).isTrue();
  }

  @Test
  void aWrongGlockExpectationFailsWithExpectedAndObservedAndTheGlockDump() throws Exception {
    Run r = run("""
        nodes 1
        timeout 10s
        n1 mount gfs
        n1 task A glock gfs 2/20 nq SH
        expect n1 glock gfs 2/20 state EX
        """);
    assertThat(r.passed()).isFalse();
    assertThat(r.failure()).isEqualTo("5: expected n1 glock gfs 2/20 state EX, observed state SH");
    assertThat(r.out).contains("n1 G:  s:SH n:2/20 ").contains("n1  H: s:SH f:H ").contains("n1 task A done OK");
  }

  @Test
  void aCallThatDoesNotFinishWithinTheTimeoutFailsNamingItsWait() throws Exception {
    Run r = run("""
        nodes 2
        timeout 2s
        n1 mount gfs
        n2 mount gfs
        n1 task A glock gfs 2/30 nq EX
        n2 task B glock gfs 2/30 nq EX
        """);
    assertThat(r.passed()).isFalse();
    assertThat(r.failure()).startsWith("6: expected n2 task B to finish its call within 2s, observed it still "
        + "waits-glock(EX)");
  }

  @Test
  void aWrongCodeAndARefusedRequestFailTheFile() throws Exception {
    Run code = run("""
        nodes 2
        timeout 10s
        n1 mount gfs
        n2 mount gfs
        n1 task A glock gfs 2/40 nq EX
        n2 task B glock gfs 2/40 nq EX hflags=TRY
        """);
    assertThat(code.failure()).isEqualTo("6: expected n2 task B => OK, observed => TRYAGAIN");
    Run notMounted = run("""
        nodes 1
        timeout 10s
        n1 task A iget gfs 1
        """);
    assertThat(notMounted.failure()).isEqualTo("3: n1 refused task: filesystem gfs."
        + notMounted.failure().replaceAll(".*gfs\\.([a-z0-9]+) .*", "$1") + " is not mounted on n1 (mount it first: 'nX mount FS')");
  }

  @Test
  void theEndOfAFileUnmountsItsFilesystemsAndPutsTheMemoryBudgetBack() throws Exception {
    Run first = run("""
        nodes 1
        timeout 10s
        n1 memory total=500p min=10p low=20p high=30p
        n1 mount gfs
        n1 task A alloc 100p
        n1 task A glock gfs 2/50 nq EX
        expect n1 memory free<401p
        """);
    assertThat(first.passed()).as(first.out).isTrue();
    Run second = run("""
        nodes 1
        timeout 10s
        expect n1 memory free>=60000p
        n1 mount gfs
        expect n1 glock gfs 2/50 gone
        """);
    assertThat(second.passed()).as(second.out).isTrue();
  }
}
