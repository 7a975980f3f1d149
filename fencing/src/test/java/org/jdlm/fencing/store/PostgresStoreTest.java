package org.jdlm.fencing.store;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The same store code on PostgreSQL: only {@code jdlm.store.kind/url/user/password} change.
 *
 * <p>Needs a reachable server; skipped (with the reason) when there is none, so the default build
 * never depends on PostgreSQL. Connection from system properties, defaults in brackets:
 * {@code jdlm.test.postgres.url} [jdbc:postgresql://127.0.0.1:5432/jdlm_test],
 * {@code jdlm.test.postgres.user} [jdlm], {@code jdlm.test.postgres.password} [jdlm].
 */
@Tag("postgres")
class PostgresStoreTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String URL = System.getProperty("jdlm.test.postgres.url", "jdbc:postgresql://127.0.0.1:5432/jdlm_test");
  private static final String USER = System.getProperty("jdlm.test.postgres.user", "jdlm");
  private static final String PASSWORD = System.getProperty("jdlm.test.postgres.password", "jdlm");
  private static final String PROBE = "postgres-smoke";

  private static Connection connect() throws SQLException {
    DriverManager.setLoginTimeout(3);
    return DriverManager.getConnection(URL, USER, PASSWORD);
  }

  @BeforeEach
  void schemaAppliedTwiceAndProbeHistoryCleared() {
    try (Connection connection = connect()) {
      StoreSchema.apply(connection, StoreConfig.Kind.POSTGRES);
      StoreSchema.apply(connection, StoreConfig.Kind.POSTGRES);   // idempotent: must not fail
      try (PreparedStatement delete = connection.prepareStatement(
          "DELETE FROM event_journal WHERE persistence_id = ?")) {
        delete.setString(1, "StoreProbe|" + PROBE);
        delete.executeUpdate();
      }
    } catch (SQLException e) {
      Assumptions.abort("no PostgreSQL reachable at " + URL + " as " + USER + " (" + e.getMessage()
          + "); set -Djdlm.test.postgres.url/user/password to run this test");
    }
  }

  private static Config postgresConfig() {
    Config store = ConfigFactory.empty()
        .withValue("jdlm.store.kind", ConfigValueFactory.fromAnyRef("postgres"))
        .withValue("jdlm.store.url", ConfigValueFactory.fromAnyRef(URL))
        .withValue("jdlm.store.user", ConfigValueFactory.fromAnyRef(USER))
        .withValue("jdlm.store.password", ConfigValueFactory.fromAnyRef(PASSWORD));
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
}
