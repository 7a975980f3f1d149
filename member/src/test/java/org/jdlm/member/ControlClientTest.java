package org.jdlm.member;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class ControlClientTest {
  private final ControlClient client = new ControlClient(Duration.ofSeconds(2));

  @Test
  void getAndPostCarryTheQueryEncodedAndTheSecretOnlyAsAHeader() throws Exception {
    try (ControlEndpoint endpoint = ControlEndpoint.start("127.0.0.1", 0, 1)) {
      OperatorSecret secret = OperatorSecret.of("0123456789abcdef-secret");
      endpoint.register("/echo", r -> ControlEndpoint.Response.ok(r.method() + " " + r.query() + "\n"));
      endpoint.register("/guarded", secret.guard(r -> ControlEndpoint.Response.ok("in\n")));
      HostPort at = new HostPort("127.0.0.1", endpoint.port());
      Map<String, String> q = new LinkedHashMap<>();
      q.put("name", "n 2&x");
      assertThat(client.get("n1", at, "/echo", q, Duration.ofSeconds(2)).body()).isEqualTo("GET {name=n 2&x}\n");
      assertThat(client.post("n1", at, "/echo", Map.of(), Duration.ofSeconds(2))).isEqualTo(new ControlClient.Reply(200, "POST {}\n"));

      assertThat(client.post("n1", at, "/guarded", Map.of(), Duration.ofSeconds(2)).status()).isEqualTo(403);
      ControlClient.Reply in = client.send(new ControlClient.Request("n1", at, "POST", "/guarded", Map.of(), secret,
          Duration.ofSeconds(2)));
      assertThat(in.ok()).isTrue();
      assertThat(client.get("n1", at, "/nope", Map.of(), Duration.ofSeconds(2)).status()).isEqualTo(404);
    }
  }

  @Test
  void aMemberThatDoesNotListenIsOneLineNamingItAndThePath() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort(); // closed again: nothing listens there
    }
    HostPort at = new HostPort("127.0.0.1", port);
    assertThatThrownBy(() -> client.get("n3", at, "/status", Map.of(), Duration.ofMillis(500)))
        .isInstanceOf(ControlClient.Unreachable.class).isInstanceOf(CliError.class)
        .hasMessageStartingWith("n3 (127.0.0.1:" + port + ") did not answer GET /status")
        .hasMessageNotContaining("\n");
    assertThat(client.tryGet("n3", at, "/status", Map.of(), Duration.ofMillis(500))).isEmpty();
    assertThatThrownBy(() -> client.sendAsync(new ControlClient.Request("n3", at, "POST", "/bench/run", Map.of(),
        OperatorSecret.none(), Duration.ofMillis(500))).get())
        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ControlClient.Unreachable.class)
        .hasMessageContaining("did not answer POST /bench/run");
  }
}
