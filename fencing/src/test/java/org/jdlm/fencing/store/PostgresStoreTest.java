package org.jdlm.fencing.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The same store code on PostgreSQL: only {@code jdlm.store.kind/url/user/password} change.
 *
 * <p>The server: {@code -Djdlm.test.postgres.url/user/password} when given; otherwise a private
 * server of this class's own ({@link LocalPostgres}: initdb in a temporary directory, a free
 * loopback port, stopped at the end) whenever Debian's PostgreSQL is installed. Without either the
 * test is skipped with the reason, unless {@code -Djdlm.test.postgres.required=true} (the full test
 * run sets it), which turns the skip into a failure so CI never passes without having run it.
 */
@Tag("postgres")
class PostgresStoreTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String PROBE = "postgres-smoke";
  private static LocalPostgres server;
  private static String url;
  private static String user;
  private static String password;

  @BeforeAll
  static void aServer() {
    url = System.getProperty("jdlm.test.postgres.url");
    user = System.getProperty("jdlm.test.postgres.user", "jdlm");
    password = System.getProperty("jdlm.test.postgres.password", "jdlm");
    if (url == null) {
      boolean required = Boolean.getBoolean("jdlm.test.postgres.required");
      if (LocalPostgres.findBinaries().isEmpty() && !required) {
        Assumptions.abort("PostgreSQL is not installed and -Djdlm.test.postgres.url is not set");
      }
      server = LocalPostgres.start("jdlm_test", user, password);
      url = server.url();
    }
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private static Connection connect() throws SQLException {
    DriverManager.setLoginTimeout(3);
    return DriverManager.getConnection(url, user, password);
  }

  @BeforeEach
  void schemaAppliedTwiceAndProbeHistoryCleared() throws SQLException {
    try (Connection connection = connect()) {
      StoreSchema.apply(connection, StoreConfig.Kind.POSTGRES);
      StoreSchema.apply(connection, StoreConfig.Kind.POSTGRES);   // idempotent: must not fail
      try (PreparedStatement delete = connection.prepareStatement(
          "DELETE FROM event_journal WHERE persistence_id = ?")) {
        delete.setString(1, "StoreProbe|" + PROBE);
        delete.executeUpdate();
      }
    }
  }

  private static Config postgresConfig() {
    Config store = ConfigFactory.empty()
        .withValue("jdlm.store.kind", ConfigValueFactory.fromAnyRef("postgres"))
        .withValue("jdlm.store.url", ConfigValueFactory.fromAnyRef(url))
        .withValue("jdlm.store.user", ConfigValueFactory.fromAnyRef(user))
        .withValue("jdlm.store.password", ConfigValueFactory.fromAnyRef(password));
    return StoreConfig.withStore(store.withFallback(ConfigFactory.load()));
  }

  private static StoreProbe.Reply ask(ActorTestKit member, ActorRef<StoreProbe.Command> probe,
      java.util.function.Function<ActorRef<StoreProbe.Reply>, StoreProbe.Command> message) {
    TestProbe<StoreProbe.Reply> replies = member.createTestProbe();
    probe.tell(message.apply(replies.ref()));
    return replies.expectMessageClass(StoreProbe.Reply.class, WAIT);
  }

  @Test
  void eventsWrittenThroughPostgresSurviveTheMembersRestart() {
    ActorTestKit writer = ActorTestKit.create("pg-writer", postgresConfig());
    try {
      ActorRef<StoreProbe.Command> probe = writer.spawn(StoreProbe.create(PROBE, 100));
      ask(writer, probe, r -> new StoreProbe.Append("x", r));
      assertThat(ask(writer, probe, r -> new StoreProbe.Append("y", r)))
          .isEqualTo(new StoreProbe.Events(List.of("x", "y")));
    } finally {
      writer.shutdownTestKit();
    }

    ActorTestKit reader = ActorTestKit.create("pg-reader", postgresConfig());
    try {
      ActorRef<StoreProbe.Command> probe = reader.spawn(StoreProbe.create(PROBE, 100));
      assertThat(ask(reader, probe, StoreProbe.Read::new)).isEqualTo(new StoreProbe.Events(List.of("x", "y")));
    } finally {
      reader.shutdownTestKit();
    }
  }

  @Test
  void anEmptyDatabaseIsRefusedWithTheMissingTableAndTheCommandThatCreatesIt() {
    Assumptions.assumeTrue(server != null, "needs the private server to create a database");
    String empty = server.createDatabase("jdlm_empty");
    StoreConfig.Settings settings = settings(empty);

    assertThatThrownBy(() -> StoreReadiness.verify(settings, Duration.ofSeconds(3)))
        .isInstanceOf(StoreException.class)
        .hasMessage("the store " + empty + " has no table event_journal (nor event_tag, snapshot, durable_state):"
            + " prepare it once with `dlm store init --url " + empty + "`")
        .hasNoCause();
  }

  @Test
  void initCreatesTheTablesOnceThenFindsNothingToDo() {
    Assumptions.assumeTrue(server != null, "needs the private server to create a database");
    StoreConfig.Settings settings = settings(server.createDatabase("jdlm_init"));

    StoreReadiness.InitReport first = StoreReadiness.init(settings, Duration.ofSeconds(3));
    StoreReadiness.InitReport second = StoreReadiness.init(settings, Duration.ofSeconds(3));

    assertThat(first.created()).containsExactly("event_journal", "event_tag", "snapshot", "durable_state");
    assertThat(second.created()).isEmpty();
    assertThat(second.summary()).endsWith("nothing to do");
    StoreReadiness.verify(settings, Duration.ofSeconds(3));   // no exception: ready
  }

  @Test
  void aWrongPasswordIsOneLineWithoutThePassword() {
    StoreConfig.Settings wrong = new StoreConfig.Settings(StoreConfig.Kind.POSTGRES, url, "nobody",
        "s3cret-not-shown", 1, Duration.ofSeconds(1));

    assertThatThrownBy(() -> StoreReadiness.verify(wrong, Duration.ofSeconds(3)))
        .isInstanceOf(StoreException.class)
        .hasMessageStartingWith("cannot check the store " + url + " as user nobody")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret-not-shown"));
  }

  private static StoreConfig.Settings settings(String jdbcUrl) {
    return new StoreConfig.Settings(StoreConfig.Kind.POSTGRES, jdbcUrl, user, password, 1, Duration.ofSeconds(1));
  }
}
