package org.jdlm.member;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.BindException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class ControlEndpointTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(ControlEndpoint endpoint, String pathAndQuery) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + pathAndQuery)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void registeredHandlersAnswerTheirPathWithQueryParameters() throws Exception {
    try (ControlEndpoint endpoint = ControlEndpoint.start("127.0.0.1", 0, 1)) {
      endpoint.register("/echo", r -> ControlEndpoint.Response.ok(r.method() + " " + r.query().get("name") + "\n"));
      HttpResponse<String> response = get(endpoint, "/echo?name=n%202");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("GET n 2\n");
      assertThat(get(endpoint, "/").body()).contains("/echo");
    }
  }

  @Test
  void unknownPathIs404AndAFailingHandlerIs500WithTheReason() throws Exception {
    try (ControlEndpoint endpoint = ControlEndpoint.start("127.0.0.1", 0, 1)) {
      endpoint.register("/boom", r -> {
        throw new IllegalStateException("broken on purpose");
      });
      assertThat(get(endpoint, "/nope").statusCode()).isEqualTo(404);
      HttpResponse<String> boom = get(endpoint, "/boom");
      assertThat(boom.statusCode()).isEqualTo(500);
      assertThat(boom.body()).contains("broken on purpose");
    }
  }

  @Test
  void aPathCanBeRegisteredOnlyOnceAndABusyPortFailsToBind() throws Exception {
    try (ControlEndpoint endpoint = ControlEndpoint.start("127.0.0.1", 0, 1)) {
      endpoint.register("/x", r -> ControlEndpoint.Response.ok(""));
      assertThatThrownBy(() -> endpoint.register("/x", r -> ControlEndpoint.Response.ok("")))
          .isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> ControlEndpoint.start("127.0.0.1", endpoint.port(), 1)).isInstanceOf(BindException.class);
    }
  }
}
