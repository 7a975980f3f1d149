package org.jdlm.member;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.jdlm.recovery.NodeName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The watcher in a one-member cluster inside this JVM (Artery on an OS-chosen loopback port). */
class MembershipWatcherTest {
  private final Config config = ConfigFactory.parseMap(Map.of(
          "pekko.remote.artery.canonical.port", 0,
          "pekko.cluster.roles", List.of(NodeName.role("n1")),
          "pekko.loglevel", "WARNING"))
      .withFallback(ConfigFactory.parseResources(NodeConfig.NODE_DEFAULTS))
      .withFallback(ConfigFactory.load());
  private final ActorTestKit kit = ActorTestKit.create("jdlm", config);

  @AfterEach
  void shutdown() {
    kit.shutdownTestKit();
  }

  @Test
  void viewShowsSelfByNameAndIncarnationOnceUp() {
    Cluster cluster = Cluster.get(kit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    ActorRef<MembershipWatcher.Command> watcher = kit.spawn(MembershipWatcher.create(8));
    TestProbe<MembershipView> probe = kit.createTestProbe();
    MembershipView view = probe.awaitAssert(Duration.ofSeconds(15), () -> {
      watcher.tell(new MembershipWatcher.GetView(probe.ref()));
      MembershipView v = probe.receiveMessage(Duration.ofSeconds(2));
      assertThat(v.self().status()).isEqualTo("Up");
      return v;
    });
    assertThat(view.self().name()).isEqualTo("n1");
    assertThat(view.self().uid()).isEqualTo(cluster.selfMember().uniqueAddress().longUid());
    assertThat(view.members()).singleElement().satisfies(m -> {
      assertThat(m.name()).isEqualTo("n1");
      assertThat(m.reachable()).isTrue();
    });
    assertThat(view.removed()).isEmpty();
  }

  @Test
  void publicProtocolIsJustGetViewWhoseHandlerTheTestAboveDrives() {
    // GetView is the only public message; it never leaves the JVM (asked by the control endpoint),
    // so it needs no wire registration.
    assertThat(Arrays.stream(MembershipWatcher.Command.class.getPermittedSubclasses())
            .filter(c -> Modifier.isPublic(c.getModifiers())))
        .containsExactly(MembershipWatcher.GetView.class)
        .allMatch(Class::isRecord);
  }
}
