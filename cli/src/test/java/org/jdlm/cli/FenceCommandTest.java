package org.jdlm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jdlm.member.CliError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dlm fence}: where the secret may come from, and the one-line errors when it cannot. */
class FenceCommandTest {
  @TempDir Path tmp;

  private static int run(Map<String, String> env, String... args) throws Exception {
    Console console = new Console(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    return Cli.run(new FenceCommand(env::get), List.of(args), console);
  }

  @Test
  void withoutASecretFileOrEnvironmentItRefusesBeforeAskingAnyone() {
    assertThatThrownBy(() -> run(Map.of(), "--node", "n3", "--control", "127.0.0.1:1"))
        .isInstanceOf(CliError.class)
        .hasMessage("fence: no operator secret: give --secret-file FILE or set JDLM_OPERATOR_SECRET (never on the command line)");
  }

  @Test
  void aShortSecretFromTheEnvironmentIsRefusedWithoutShowingIt() {
    assertThatThrownBy(() -> run(Map.of("JDLM_OPERATOR_SECRET", "tiny-secret"), "--node", "n3", "--control", "127.0.0.1:1"))
        .hasMessage("fence: JDLM_OPERATOR_SECRET: the operator secret has 11 characters; at least 16 are required");
  }

  @Test
  void noSecretOptionExists() {
    assertThatThrownBy(() -> run(Map.of(), "--node", "n3", "--control", "127.0.0.1:1", "--secret", "x"))
        .isInstanceOf(CliError.class).hasMessageContaining("--secret");
  }

  @Test
  void aRunDirectoryWithoutAClusterIsOneLine() {
    assertThatThrownBy(() -> run(Map.of(), "--node", "n3", "--dir", tmp.toString()))
        .hasMessage("fence: " + tmp + " holds no lab cluster (no cluster.properties; start one with `dlm cluster up`)");
  }

  @Test
  void aMemberThatDoesNotAnswerIsOneLine(@TempDir Path dir) throws Exception {
    Path secret = dir.resolve("secret");
    Files.writeString(secret, "0123456789abcdef0123\n");
    assertThatThrownBy(() -> run(Map.of(), "--node", "n3", "--control", "127.0.0.1:1", "--secret-file", secret.toString()))
        .isInstanceOf(CliError.class).hasMessageStartingWith("fence: no answer from the control endpoint 127.0.0.1:1");
  }
}
