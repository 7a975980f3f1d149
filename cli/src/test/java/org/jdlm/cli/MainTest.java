package org.jdlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Main.run(List.of(args), new Console(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8)));
  }

  @Test
  void helpListsEveryRegisteredCommandAndExitsZero() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("node", "cluster", "scenario", "dump");
  }

  @Test
  void everySubcommandAnswersHelpWithItsUsage() {
    for (String command : List.of("node", "cluster", "scenario", "dump")) {
      out.reset();
      assertThat(run(command, "--help")).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("usage: dlm " + command);
    }
    for (String action : List.of("up", "status", "kill", "pause", "resume", "restart", "logs", "down")) {
      out.reset();
      assertThat(run("cluster", action, "--help")).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: dlm cluster " + action);
    }
  }

  @Test
  void unknownCommandIsOneLineOnStderrWithStatus2() {
    assertThat(run("frobnicate")).isEqualTo(Main.EXIT_ERROR);
    assertThat(err.toString(StandardCharsets.UTF_8).lines()).containsExactly(
        "dlm: unknown command 'frobnicate' for 'dlm' (expected one of "
            + String.join(", ", Main.commandNames()) + ")");
    // The registry is the list: the fixed commands come first, later ones (bench-recovery, …) after.
    assertThat(Main.commandNames()).startsWith("node", "cluster", "scenario", "store", "dump");
  }

  @Test
  void missingCommandIsOneLinePointingAtHelpAndStatus2() {
    assertThat(run("cluster")).isEqualTo(Main.EXIT_ERROR);
    assertThat(err.toString(StandardCharsets.UTF_8).lines()).containsExactly(
        "dlm: missing command for 'dlm cluster' (expected one of up, status, kill, pause, resume, restart, logs, down;"
            + " see dlm cluster --help)");
  }

  @Test
  void nodeRejectsBadInputBeforeStartingAnything() {
    assertThat(run("node", "--name", "n1", "--port", "99999")).isEqualTo(Main.EXIT_ERROR);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("dlm: node: --port 99999 is out of range (1..65535)\n");
    err.reset();
    assertThat(run("node", "--name", "1bad", "--port", "4000")).isEqualTo(Main.EXIT_ERROR);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("node name '1bad' is invalid");
    err.reset();
    assertThat(run("node", "--name", "n1", "--port", "4000", "--seeds", "localhost")).isEqualTo(Main.EXIT_ERROR);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("seed 'localhost' is not HOST:PORT");
  }

  @Test
  void chaosRejectsBadInputBeforeStartingAnything() {
    assertThat(run("chaos", "--mode", "foo")).isEqualTo(Main.EXIT_ERROR);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("dlm: chaos: unknown mode 'foo' (expected jvm or inproc)\n");
    err.reset();
    assertThat(run("chaos", "--nodes", "2")).isEqualTo(Main.EXIT_ERROR);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("dlm: chaos: --nodes 2 is out of range (3..9)\n");
    err.reset();
    assertThat(run("chaos", "--seed", "x1")).isEqualTo(Main.EXIT_ERROR);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--seed must be a whole number, not 'x1'");
    err.reset();
    assertThat(run("chaos", "--fencing", "fire")).isEqualTo(Main.EXIT_ERROR);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo("dlm: chaos: unknown --fencing 'fire' (expected power, storage or both)\n");
    err.reset();
    assertThat(run("chaos", "--mode", "inproc", "--fencing", "storage")).isEqualTo(Main.EXIT_ERROR);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--fencing needs --mode jvm");
    err.reset();
    assertThat(run("chaos", "--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: dlm chaos");
  }

  @Test
  void parseErrorsNameTheCommandTheOptionAndTheValueOnOneLine() {
    record Case(List<String> args, String line) {}
    for (Case c : List.of(
        new Case(List.of("cluster", "up", "--nodes"), "dlm: cluster up: option --nodes needs a value"),
        new Case(List.of("cluster", "up", "--nodes", "3", "--nodes", "4"), "dlm: cluster up: option --nodes given twice"),
        new Case(List.of("cluster", "kill"), "dlm: cluster kill: missing NODE"),
        new Case(List.of("cluster", "kill", "n1", "n2"), "dlm: cluster kill: unexpected argument 'n2'"),
        new Case(List.of("dump", "--lockspace"), "dlm: dump: option --lockspace needs a value"),
        new Case(List.of("fence", "--node", "n3", "--colour", "red"),
            "dlm: fence: unknown option '--colour' (expected one of --control, --dir, --node, --secret-file)"),
        new Case(List.of("scenario", "run", "@nothing.scen"), "dlm: scenario run: no such file or directory: @nothing.scen"))) {
      err.reset();
      assertThat(run(c.args().toArray(String[]::new))).as(c.args().toString()).isEqualTo(Main.EXIT_ERROR);
      assertThat(err.toString(StandardCharsets.UTF_8).lines()).as(c.args().toString()).containsExactly(c.line());
    }
  }

  @Test
  void helpIsGeneratedFromTheOptionsAndTheHelpCommandShowsACommandsHelp() {
    assertThat(run("help", "fence")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: dlm fence")
        .contains("--secret-file=FILE", "exit status:", "fenced").doesNotContain("--secret=");
  }
}
