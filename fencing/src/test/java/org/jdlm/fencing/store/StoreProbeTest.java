package org.jdlm.fencing.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.jdlm.common.wire.KryoWireSerializer;
import org.jdlm.common.wire.WireCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The foundation's persistence check: events written through the shared store outlive the member
 * that wrote them and the store server itself.
 */
class StoreProbeTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  /** Runs {@code body} in a fresh member (ActorSystem) using the store at {@code url}, then stops it. */
  private static void asMember(String name, String url, java.util.function.Consumer<ActorTestKit> body) {
    Config config = StoreConfig.withH2Store(ConfigFactory.load(), url);
    ActorTestKit member = ActorTestKit.create(name, config);
    try {
      body.accept(member);
    } finally {
      member.shutdownTestKit();
    }
  }

  private static StoreProbe.Reply ask(ActorTestKit member, ActorRef<StoreProbe.Command> probe,
      java.util.function.Function<ActorRef<StoreProbe.Reply>, StoreProbe.Command> message) {
    TestProbe<StoreProbe.Reply> replies = member.createTestProbe();
    probe.tell(message.apply(replies.ref()));
    return replies.expectMessageClass(StoreProbe.Reply.class, WAIT);
  }

  /** The serializer id of every stored event: the journal must hold wire-format bytes, nothing else. */
  private static List<Integer> journalSerializerIds(String url) {
    try (Connection c = DriverManager.getConnection(url, "jdlm", "");
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT \"event_ser_id\" FROM \"event_journal\"")) {
      List<Integer> ids = new ArrayList<>();
      while (rs.next()) {
        ids.add(rs.getInt(1));
      }
      return ids;
    } catch (SQLException e) {
      throw new AssertionError("cannot read the journal at " + url, e);
    }
  }

  @Test
  void eventsSurviveTheMembersRestartAndTheStoreServersRestart() {
    StoreServer server = StoreServer.start(dir, 0);
    try {
      asMember("writer", server.jdbcUrl(), member -> {
        ActorRef<StoreProbe.Command> probe = member.spawn(StoreProbe.create("p1", 100));
        assertThat(ask(member, probe, r -> new StoreProbe.Append("a", r))).isEqualTo(new StoreProbe.Events(List.of("a")));
        assertThat(ask(member, probe, r -> new StoreProbe.Append("b", r))).isEqualTo(new StoreProbe.Events(List.of("a", "b")));
      });

      assertThat(journalSerializerIds(server.jdbcUrl())).containsOnly(KryoWireSerializer.IDENTIFIER);

      asMember("restarted", server.jdbcUrl(), member -> {
        ActorRef<StoreProbe.Command> probe = member.spawn(StoreProbe.create("p1", 100));
        assertThat(ask(member, probe, StoreProbe.Read::new)).isEqualTo(new StoreProbe.Events(List.of("a", "b")));
        assertThat(ask(member, probe, r -> new StoreProbe.Append("c", r)))
            .isEqualTo(new StoreProbe.Events(List.of("a", "b", "c")));
        ActorRef<StoreProbe.Command> other = member.spawn(StoreProbe.create("p2", 100));
        assertThat(ask(member, other, StoreProbe.Read::new)).isEqualTo(new StoreProbe.Events(List.of()));
      });
    } finally {
      server.close();
    }

    try (StoreServer again = StoreServer.start(dir, 0)) {
      asMember("after-store-restart", again.jdbcUrl(), member -> {
        ActorRef<StoreProbe.Command> probe = member.spawn(StoreProbe.create("p1", 100));
        assertThat(ask(member, probe, StoreProbe.Read::new)).isEqualTo(new StoreProbe.Events(List.of("a", "b", "c")));
      });
    }
  }

  @Test
  void appendBeyondTheBoundIsRefusedAndNotStored() {
    try (StoreServer server = StoreServer.start(dir, 0)) {
      asMember("bounded", server.jdbcUrl(), member -> {
        ActorRef<StoreProbe.Command> probe = member.spawn(StoreProbe.create("small", 1));
        ask(member, probe, r -> new StoreProbe.Append("one", r));

        assertThat(ask(member, probe, r -> new StoreProbe.Append("two", r)))
            .isInstanceOf(StoreProbe.Refused.class);
        assertThat(ask(member, probe, StoreProbe.Read::new)).isEqualTo(new StoreProbe.Events(List.of("one")));
      });
    }
  }

  @Test
  void everyProbeMessageAndTheEventPassVerifySerialization() {
    ActorTestKit kit = ActorTestKit.create("wire");
    try {
      TestProbe<StoreProbe.Reply> replies = kit.createTestProbe();
      for (Object message : List.of(new StoreProbe.Append("x", replies.ref()), new StoreProbe.Read(replies.ref()),
          new StoreProbe.Events(List.of("x", "y")), new StoreProbe.Refused("full"), new StoreProbe.Appended("x"))) {
        WireCheck.verifySerialization(kit.system(), message);
      }
      assertThat(StoreProbe.Command.class.getPermittedSubclasses()).hasSize(2);
      assertThat(StoreProbe.Reply.class.getPermittedSubclasses()).hasSize(2);
    } finally {
      kit.shutdownTestKit();
    }
  }
}
