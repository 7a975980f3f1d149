package org.jdlm.member;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared secret that guards operator actions on a member's control endpoint. */
class OperatorSecretTest {
  private static final String SECRET = "0123456789abcdef-operator";

  private static Config config(String secret, String file) {
    return ConfigFactory.parseMap(Map.of("jdlm.member.operator-secret", secret, "jdlm.member.operator-secret-file", file));
  }

  private static ControlEndpoint.Request request(Map<String, String> headers) {
    return new ControlEndpoint.Request("POST", "/fencing/fence", Map.of("node", "n3"), "", headers);
  }

  @Test
  void withoutAConfiguredSecretEveryOperatorActionIsRefused() throws Exception {
    OperatorSecret none = OperatorSecret.fromConfig(config("", ""));
    assertThat(none.isSet()).isFalse();
    ControlEndpoint.Response r = none.guard(q -> ControlEndpoint.Response.ok("fenced\n"))
        .handle(request(Map.of("x-jdlm-operator-secret", SECRET)));
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.body()).isEqualTo("refused: operator actions are disabled on this member: no"
        + " jdlm.member.operator-secret(-file) is configured\n");
  }

  @Test
  void aMissingOrWrongSecretIs403AndTheRightOneReachesTheAction() throws Exception {
    OperatorSecret secret = OperatorSecret.fromConfig(config(SECRET, ""));
    ControlEndpoint.Handler guarded = secret.guard(q -> ControlEndpoint.Response.ok("fenced\n"));
    assertThat(guarded.handle(request(Map.of())).status()).isEqualTo(403);
    assertThat(guarded.handle(request(Map.of())).body()).contains("without the operator secret");
    ControlEndpoint.Response wrong = guarded.handle(request(Map.of("x-jdlm-operator-secret", SECRET + "x")));
    assertThat(wrong.status()).isEqualTo(403);
    assertThat(wrong.body()).isEqualTo("refused: operator action with a wrong operator secret\n").doesNotContain(SECRET);
    assertThat(guarded.handle(request(Map.of("x-jdlm-operator-secret", SECRET.substring(1)))).status()).isEqualTo(403);
    assertThat(guarded.handle(request(Map.of("x-jdlm-operator-secret", SECRET))).body()).isEqualTo("fenced\n");
  }

  @Test
  void aClientSendsTheSecretInTheHeaderTheGuardReads() throws Exception {
    OperatorSecret secret = OperatorSecret.of(SECRET);
    Map<String, String> sent = new HashMap<>();
    secret.applyTo((name, value) -> sent.put(name.toLowerCase(java.util.Locale.ROOT), value));
    assertThat(secret.guard(q -> ControlEndpoint.Response.ok("ok\n")).handle(request(sent)).status()).isEqualTo(200);
  }

  @Test
  void theFileWinsOverTheValueAndItsFirstLineIsTheSecret(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("secret");
    Files.writeString(file, SECRET + "\nignored second line\n");
    OperatorSecret secret = OperatorSecret.fromConfig(config("some-other-secret-of-enough-length", file.toString()));
    assertThat(secret.refusal(SECRET)).isEmpty();
    assertThat(secret.refusal("some-other-secret-of-enough-length")).isPresent();
  }

  @Test
  void aShortOrUnreadableSecretIsAnErrorThatNeverShowsIt(@TempDir Path tmp) {
    assertThatThrownBy(() -> OperatorSecret.fromConfig(config("short-secret", "")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("jdlm.member.operator-secret: the operator secret has 12 characters; at least 16 are required");
    Path missing = tmp.resolve("missing");
    assertThatThrownBy(() -> OperatorSecret.fromConfig(config("", missing.toString())))
        .hasMessage("jdlm.member.operator-secret-file " + missing + " cannot be read: NoSuchFileException");
  }

  @Test
  void toStringNeverShowsTheSecret() {
    assertThat(OperatorSecret.of(SECRET).toString()).doesNotContain(SECRET).isEqualTo("an operator secret (not shown)");
  }
}
