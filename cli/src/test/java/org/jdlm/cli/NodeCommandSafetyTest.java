package org.jdlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jdlm.member.MemberNode;
import org.jdlm.member.OperatorSecret;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member started by {@code dlm node} serves nothing that changes state unless the lab starts it
 * with {@code --lab}, listens for control on loopback unless told otherwise, and refuses the
 * operator fence without the shared secret. Members run in this JVM, without a store.
 */
class NodeCommandSafetyTest {
  /** Paths only a lab member serves, each with the method its handler would accept. */
  private static final List<String[]> LAB_PATHS = List.of(
      new String[] {"POST", "/scenario/join?ls=a&lvblen=32"}, new String[] {"POST", "/scenario/lock?ls=a&lock=l&resource=r&mode=EX"},
      new String[] {"GET", "/scenario/members?ls=a"}, new String[] {"GET", "/scenario/events?ls=a"},
      new String[] {"GET", "/scenario/dump?ls=a"}, new String[] {"GET", "/bench/members"},
      new String[] {"POST", "/bench/join"}, new String[] {"POST", "/bench/run"},
      new String[] {"POST", "/disk/write?ls=a&lock=l&block=1&data=x"}, new String[] {"POST", "/disk/submit"},
      new String[] {"GET", "/disk/read?block=1"}, new String[] {"POST", "/store/append?text=x"},
      new String[] {"POST", "/chaos/stop"}, new String[] {"GET", "/chaos/clock"});

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<MemberNode> started = new ArrayList<>();
  @TempDir Path tmp;

  @AfterEach
  void stopMembers() throws Exception {
    for (MemberNode m : started) {
      m.system().terminate();
    }
    for (MemberNode m : started) {
      m.termination().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private MemberNode node(String... extra) throws IOException {
    List<String> args = new ArrayList<>(List.of("--name", "n1", "--port", Integer.toString(freePort()),
        "--dir", tmp.resolve("n1").toString()));
    args.addAll(List.of(extra));
    MemberNode m = NodeCommand.start(args);
    started.add(m);
    return m;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private HttpResponse<String> call(MemberNode m, String method, String pathAndQuery, String secret) throws Exception {
    String host = m.control().address().getAddress().getHostAddress();
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + host + ":" + m.control().port() + pathAndQuery))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (secret != null) {
      b.header(OperatorSecret.HEADER, secret);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void withoutLabEveryScenarioBenchDiskAndStorePathIs404AndTheControlEndpointIsOnLoopback() throws Exception {
    MemberNode m = node("--host", "127.0.0.2"); // the cluster address does not move the control endpoint
    assertThat(m.control().address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
    for (String[] p : LAB_PATHS) {
      assertThat(call(m, p[0], p[1], null).statusCode()).as(p[0] + " " + p[1]).isEqualTo(404);
    }
    assertThat(call(m, "GET", "/", null).body()).doesNotContain("/scenario", "/bench", "/disk", "/store", "/chaos").contains("/status");
    assertThat(call(m, "GET", "/status", null).statusCode()).isEqualTo(200);
    assertThat(call(m, "GET", "/dump", null).statusCode()).as("the read-only dump").isEqualTo(200);
  }

  @Test
  void withLabTheLabPathsAreServedAndControlHostMovesTheEndpoint() throws Exception {
    MemberNode m = node("--lab", "--control-host", "127.0.0.3");
    assertThat(m.control().address().getAddress().getHostAddress()).isEqualTo("127.0.0.3");
    for (String[] p : LAB_PATHS) {
      assertThat(call(m, p[0], p[1], null).statusCode()).as(p[0] + " " + p[1]).isNotEqualTo(404);
    }
  }

  @Test
  void theOperatorFenceIsRefusedWithoutTheSecretAndReachesTheMemberWithIt() throws Exception {
    String secret = "a-secret-of-the-operators-0123456789";
    System.setProperty("jdlm.member.operator-secret", secret);
    MemberNode m;
    try {
      com.typesafe.config.ConfigFactory.invalidateCaches();
      m = node();
    } finally {
      System.clearProperty("jdlm.member.operator-secret");
      com.typesafe.config.ConfigFactory.invalidateCaches();
    }
    assertThat(call(m, "GET", "/fencing/fence?node=n2", secret).statusCode()).isEqualTo(405);
    HttpResponse<String> none = call(m, "POST", "/fencing/fence?node=n2", null);
    assertThat(none.statusCode()).isEqualTo(403);
    assertThat(none.body()).isEqualTo("refused: operator action without the operator secret (header X-Jdlm-Operator-Secret)\n");
    assertThat(call(m, "POST", "/fencing/fence?node=n2", secret + "-not").statusCode()).isEqualTo(403);
    // Past the guard: this member has no store, so the fence itself is unavailable.
    HttpResponse<String> authorised = call(m, "POST", "/fencing/fence?node=n2", secret);
    assertThat(authorised.statusCode()).as(authorised.body()).isEqualTo(503);
  }

  @Test
  void aMemberWithoutAConfiguredSecretRefusesEveryOperatorFence() throws Exception {
    MemberNode m = node();
    HttpResponse<String> r = call(m, "POST", "/fencing/fence?node=n2", "anything-at-all-0123456789");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).startsWith("refused: operator actions are disabled on this member");
  }
}
