package org.jdlm.fencing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.jdlm.fencing.core.FencingLedger;
import org.jdlm.fencing.store.LedgerTable;
import org.jdlm.fencing.store.StoreConfig;
import org.jdlm.fencing.store.StoreServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The authority protocol answered by two members' local authorities over one store: what one
 * records, the other decides with; and a store that does not answer gets no reply (askers retry).
 */
class StoreFencingAuthorityTest {
  private static final ActorTestKit kit = ActorTestKit.create();
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  /**
   * StoreServer restricts H2 to loopback when its class is initialised, which must happen before
   * any H2 class is: a test here that only talks to an unreachable store would otherwise load H2
   * first and break every StoreServer started later in this JVM.
   */
  @org.junit.jupiter.api.BeforeAll
  static void initialiseStoreServerBeforeH2() {
    StoreServer.jdbcUrl(1);
  }

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  private static ActorRef<FencingAuthority.Command> authority(StoreConfig.Settings store) {
    return kit.spawn(StoreFencingAuthority.create(new LedgerTable(store), CLOCK));
  }

  @Test
  void twoMembersAuthoritiesShareOneLedger() {
    try (StoreServer server = StoreServer.start(dir, 0)) {
      StoreConfig.Settings store = new StoreConfig.Settings(StoreConfig.Kind.H2, server.jdbcUrl(), "jdlm", "", 1,
          Duration.ofSeconds(5));
      ActorRef<FencingAuthority.Command> onN1 = authority(store);
      ActorRef<FencingAuthority.Command> onN2 = authority(store);

      TestProbe<FencingLedger.Admission> admission = kit.createTestProbe();
      onN1.tell(new FencingAuthority.Admit("n3", 33, admission.getRef()));
      admission.expectMessage(new FencingLedger.Admitted("n3", 33));

      TestProbe<FencingAuthority.FenceRecorded> recorded = kit.createTestProbe();
      onN2.tell(new FencingAuthority.RecordFenced("n3", 33, "power", recorded.getRef()));
      recorded.expectMessage(new FencingAuthority.FenceRecorded("n3", 33, 1));

      onN1.tell(new FencingAuthority.Admit("n3", 33, admission.getRef()));
      admission.expectMessage(new FencingLedger.RefusedFenced("n3", 33, "power"));

      TestProbe<FencingAuthority.Advanced> advanced = kit.createTestProbe();
      onN1.tell(new FencingAuthority.Advance("n4 joined", advanced.getRef()));
      advanced.expectMessage(new FencingAuthority.Advanced(2));

      TestProbe<FencingAuthority.LedgerState> state = kit.createTestProbe();
      onN2.tell(new FencingAuthority.GetState(state.getRef()));
      FencingAuthority.LedgerState s = state.receiveMessage();
      assertThat(s.generation()).isEqualTo(2);
      assertThat(s.fenced()).containsExactly(new FencingAuthority.FencedIncarnation("n3", 33, "power"));
    }
  }

  @Test
  void aStoreThatCannotBeReachedGetsNoReplySoTheAskerRetries() {
    StoreConfig.Settings nowhere = new StoreConfig.Settings(StoreConfig.Kind.H2,
        "jdbc:h2:tcp://127.0.0.1:1/jdlm;WRITE_DELAY=0", "jdlm", "", 1, Duration.ofSeconds(1));
    ActorRef<FencingAuthority.Command> authority = authority(nowhere);
    TestProbe<FencingAuthority.Advanced> advanced = kit.createTestProbe();
    authority.tell(new FencingAuthority.Advance("x", advanced.getRef()));
    advanced.expectNoMessage(Duration.ofMillis(500));
  }
}
