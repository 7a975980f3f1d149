package org.jdlm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jdlm.fencing.store.StoreServer;
import org.jdlm.member.StoreNotReady;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dlm store init} and the store check of {@code dlm node}: one line and a documented status on failure. */
class StoreCommandTest {
  @TempDir Path tmp;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Main.run(List.of(args), new Console(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8)));
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private static int closedPort() throws Exception {
    try (ServerSocket free = new ServerSocket(0)) {
      return free.getLocalPort(); // nothing listens there once closed
    }
  }

  @Test
  void initOnAnH2ServerThatHasEveryTableSaysNothingToDo() {
    try (StoreServer server = StoreServer.start(tmp.resolve("db"), 0, "sa", "")) {
      assertThat(run("store", "init", "--url", server.jdbcUrl(), "--user", "sa")).as(err()).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("store " + server.jdbcUrl(), "nothing to do");
    }
  }

  @Test
  void initRefusesAnUnknownUrlAndHasNoPasswordOption() {
    assertThat(run("store", "init", "--url", "jdbc:mysql://db/x")).isEqualTo(Main.EXIT_ERROR);
    assertThat(err().lines()).containsExactly("dlm: store init: --url 'jdbc:mysql://db/x' is not a store URL"
        + " (expected jdbc:postgresql://HOST:PORT/DB or jdbc:h2:tcp://HOST:PORT/NAME;WRITE_DELAY=0)");
    err.reset();
    assertThat(run("store", "init", "--url", "jdbc:postgresql://127.0.0.1:1/x", "--password", "s3cret"))
        .isEqualTo(Main.EXIT_ERROR);
    assertThat(err().lines()).singleElement().asString().startsWith("dlm: store init: unknown option '--password'")
        .doesNotContain("s3cret");
    err.reset();
    assertThat(run("store", "init")).isEqualTo(Main.EXIT_ERROR);
    assertThat(err().lines()).containsExactly("dlm: store init: missing required option --url");
  }

  @Test
  void initOnAnUnreachableServerIsOneLineAndStatus2() throws Exception {
    String url = "jdbc:postgresql://127.0.0.1:" + closedPort() + "/jdlm";
    assertThat(run("store", "init", "--url", url)).isEqualTo(Main.EXIT_ERROR);
    assertThat(err().lines()).singleElement().asString().startsWith("dlm: store init: cannot prepare the store " + url);
  }

  @Test
  void aMemberWhoseStoreIsUnreachableExits78AtOnceWithOneLine() throws Exception {
    String url = "jdbc:postgresql://127.0.0.1:" + closedPort() + "/jdlm";
    long start = System.nanoTime();
    int status = run("node", "--name", "n1", "--port", Integer.toString(closedPort()), "--dir",
        tmp.resolve("n1").toString(), "--store", url);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(status).as(err()).isEqualTo(StoreNotReady.EXIT_STATUS);
    assertThat(err().lines()).singleElement().asString()
        .startsWith("dlm: node: cannot check the store " + url + " as user ");
    assertThat(took).as("checked before anything starts").isLessThan(Duration.ofSeconds(5));
  }
}
