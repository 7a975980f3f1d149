package org.jdlm.fencing;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.jdlm.fencing.core.FencingLedger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class FencingAuthorityTest {
  private static final ActorTestKit kit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  private static EventSourcedBehaviorTestKit<FencingAuthority.Command, FencingLedger.Event, FencingLedger> authority() {
    // Serialization is verified once the Kryo registrations are merged; until then Pekko has no
    // serializer for these records (Java serialization is off, as it must be).
    return EventSourcedBehaviorTestKit.create(kit.system(),
        FencingAuthority.create(PersistenceId.ofUniqueId("auth-" + UUID.randomUUID()),
            FencingAuthority.Settings.fromConfig(kit.system().settings().config()), CLOCK),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
  }

  @Test
  void recordingAFenceAdvancesTheGenerationAndIsJournalled() {
    var es = authority();
    var admitted = es.<FencingLedger.Admission>runCommand(r -> new FencingAuthority.Admit("n3", 33, r));
    assertThat(admitted.reply()).isEqualTo(new FencingLedger.Admitted("n3", 33));
    var recorded = es.<FencingAuthority.FenceRecorded>runCommand(r -> new FencingAuthority.RecordFenced("n3", 33, "power", r));
    assertThat(recorded.reply()).isEqualTo(new FencingAuthority.FenceRecorded("n3", 33, 1));
    assertThat(recorded.events()).containsExactly(
        new FencingLedger.IncarnationFenced("n3", 33, "power", CLOCK.millis()),
        new FencingLedger.GenerationAdvanced(1, "fenced n3#33 by power"));
  }

  @Test
  void afterARestartTheLedgerIsReplayedAndTheFencedIncarnationIsStillRefused() {
    var es = authority();
    es.<FencingLedger.Admission>runCommand(r -> new FencingAuthority.Admit("n2", 22, r));
    es.<FencingAuthority.FenceRecorded>runCommand(r -> new FencingAuthority.RecordFenced("n2", 22, "storage", r));
    es.<FencingAuthority.Advanced>runCommand(r -> new FencingAuthority.Advance("n4 joined", r));

    var restarted = es.restart();
    assertThat(restarted.state().generation()).isEqualTo(2);
    assertThat(restarted.state().isFenced("n2", 22)).isTrue();

    var again = es.<FencingLedger.Admission>runCommand(r -> new FencingAuthority.Admit("n2", 22, r));
    assertThat(again.reply()).isEqualTo(new FencingLedger.RefusedFenced("n2", 22, "storage"));
    assertThat(again.events()).isEmpty();
    var successor = es.<FencingLedger.Admission>runCommand(r -> new FencingAuthority.Admit("n2", 23, r));
    assertThat(successor.reply()).isEqualTo(new FencingLedger.Admitted("n2", 23));
    // The generation keeps growing from where it was, never from zero.
    var next = es.<FencingAuthority.Advanced>runCommand(r -> new FencingAuthority.Advance("n2#23 joined", r));
    assertThat(next.reply()).isEqualTo(new FencingAuthority.Advanced(3));
  }

  @Test
  void recordingTheSameFenceTwicePersistsNothingNew() {
    var es = authority();
    es.<FencingAuthority.FenceRecorded>runCommand(r -> new FencingAuthority.RecordFenced("n3", 3, "power", r));
    var twice = es.<FencingAuthority.FenceRecorded>runCommand(r -> new FencingAuthority.RecordFenced("n3", 3, "manual:ops", r));
    assertThat(twice.events()).isEmpty();
    assertThat(twice.reply().generation()).isEqualTo(1);
  }

  @Test
  void getStateListsFencedIncarnationsSorted() {
    var es = authority();
    es.<FencingAuthority.FenceRecorded>runCommand(r -> new FencingAuthority.RecordFenced("n3", 3, "power", r));
    es.<FencingAuthority.FenceRecorded>runCommand(r -> new FencingAuthority.RecordFenced("n1", 1, "storage", r));
    var state = es.<FencingAuthority.LedgerState>runCommand(FencingAuthority.GetState::new).reply();
    assertThat(state.generation()).isEqualTo(2);
    assertThat(state.fenced()).containsExactly(new FencingAuthority.FencedIncarnation("n1", 1, "storage"),
        new FencingAuthority.FencedIncarnation("n3", 3, "power"));
  }

  @Test
  void runsAsAClusterSingletonOnAOneNodeCluster() {
    Config config = ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = 0
        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
        pekko.cluster.downing-provider-class = ""
        """).withFallback(EventSourcedBehaviorTestKit.config()).withFallback(ConfigFactory.load());
    ActorTestKit clusterKit = ActorTestKit.create("singleton", config);
    try {
      Cluster cluster = Cluster.get(clusterKit.system());
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      ActorRef<FencingAuthority.Command> proxy = FencingAuthority.initSingleton(clusterKit.system());
      TestProbe<FencingAuthority.FenceRecorded> probe = clusterKit.createTestProbe();
      // The singleton starts once the member is Up; the proxy buffers until then.
      proxy.tell(new FencingAuthority.RecordFenced("n9", 99, "watchdog", probe.ref()));
      assertThat(probe.receiveMessage(Duration.ofSeconds(20))).isEqualTo(new FencingAuthority.FenceRecorded("n9", 99, 1));
      TestProbe<FencingLedger.Admission> admit = clusterKit.createTestProbe();
      proxy.tell(new FencingAuthority.Admit("n9", 99, admit.ref()));
      assertThat(admit.receiveMessage()).isEqualTo(new FencingLedger.RefusedFenced("n9", 99, "watchdog"));
    } finally {
      clusterKit.shutdownTestKit();
    }
  }
}
