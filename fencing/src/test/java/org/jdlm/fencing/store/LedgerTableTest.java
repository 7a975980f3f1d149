package org.jdlm.fencing.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jdlm.fencing.FencingAuthority;
import org.jdlm.fencing.core.FencingLedger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fencing ledger in the shared store, decided on by several members at once: the generation
 * only grows and is never handed out twice, a fence recorded by one member refuses the incarnation
 * on every other, and it all survives the store's restart.
 */
class LedgerTableTest {

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

  private static StoreConfig.Settings settings(StoreServer server) {
    return new StoreConfig.Settings(StoreConfig.Kind.H2, server.jdbcUrl(), "jdlm", "", 1, Duration.ofSeconds(5));
  }

  @Test
  void membersAdvancingAtOnceGetDistinctGenerationsThatOnlyGrow() throws Exception {
    int members = 4;
    int advancesEach = 25;
    try (StoreServer server = StoreServer.start(dir, 0)) {
      ExecutorService pool = Executors.newFixedThreadPool(members);
      List<Future<List<Long>>> results = new ArrayList<>();
      for (int m = 0; m < members; m++) {
        results.add(pool.submit(() -> {
          List<Long> got = new ArrayList<>();
          try (LedgerTable table = new LedgerTable(settings(server))) {
            for (int i = 0; i < advancesEach; i++) {
              long g = table.decide("", l -> l.advance("test")).reply();
              assertThat(got).allMatch(previous -> previous < g); // monotonic as seen by each member
              got.add(g);
            }
          }
          return got;
        }));
      }
      List<Long> all = new ArrayList<>();
      for (Future<List<Long>> f : results) {
        all.addAll(f.get());
      }
      pool.shutdown();
      Collections.sort(all);
      List<Long> expected = new ArrayList<>();
      for (long g = 1; g <= members * advancesEach; g++) {
        expected.add(g);
      }
      assertThat(all).as("every generation handed out exactly once").isEqualTo(expected);
    }
  }

  @Test
  void aFenceRecordedByOneMemberRefusesTheIncarnationOnAnotherAndSurvivesARestartOfTheStore() {
    long generationAfterFence;
    try (StoreServer server = StoreServer.start(dir, 0);
         LedgerTable a = new LedgerTable(settings(server));
         LedgerTable b = new LedgerTable(settings(server))) {
      assertThat(a.decide("n3", l -> l.admit("n3", 7)).reply()).isEqualTo(new FencingLedger.Admitted("n3", 7));
      generationAfterFence = b.decide("n3", l -> l.recordFenced("n3", 7, "power", 1000)).reply();
      assertThat(generationAfterFence).isEqualTo(1);
      assertThat(a.decide("n3", l -> l.admit("n3", 7)).reply())
          .isEqualTo(new FencingLedger.RefusedFenced("n3", 7, "power"));
      assertThat(a.decide("n3", l -> l.recordFenced("n3", 7, "storage", 2000)).reply())
          .as("a second record of the same fence answers the generation in force").isEqualTo(1);
    }
    try (StoreServer server = StoreServer.start(dir, 0); LedgerTable c = new LedgerTable(settings(server))) {
      FencingLedger ledger = c.read();
      assertThat(ledger.generation()).isEqualTo(generationAfterFence);
      assertThat(ledger.isFenced("n3", 7)).isTrue();
      assertThat(ledger.isAdmitted("n3", 7)).isTrue();
      assertThat(c.decide("n3", l -> l.admit("n3", 8)).reply()).isEqualTo(new FencingLedger.Admitted("n3", 8));
      assertThat(c.decide("", l -> l.advance("join")).reply()).isEqualTo(generationAfterFence + 1);
    }
  }

  @Test
  void aStoreWrittenByTheJournalledAuthorityStartsAboveItsGeneration() throws Exception {
    try (StoreServer server = StoreServer.start(dir, 0)) {
      try (Connection c = DriverManager.getConnection(server.jdbcUrl(), "jdlm", "");
           PreparedStatement ps = c.prepareStatement("INSERT INTO \"event_journal\" (\"persistence_id\","
               + " \"sequence_number\", \"writer\", \"write_timestamp\", \"adapter_manifest\", \"event_payload\","
               + " \"event_ser_id\", \"event_ser_manifest\") VALUES (?, ?, 'w', 0, '', X'00', 1, '')")) {
        for (long seq = 1; seq <= 12; seq++) {
          ps.setString(1, FencingAuthority.PERSISTENCE_ID);
          ps.setLong(2, seq);
          ps.executeUpdate();
        }
      }
      try (LedgerTable table = new LedgerTable(settings(server))) {
        assertThat(table.read().generation()).isEqualTo(12);
        assertThat(table.decide("", l -> l.advance("first after upgrade")).reply()).isEqualTo(13);
      }
    }
  }

  @Test
  void anUnreachableStoreIsAStoreExceptionThatNamesIt() {
    StoreConfig.Settings nowhere = new StoreConfig.Settings(StoreConfig.Kind.H2,
        "jdbc:h2:tcp://127.0.0.1:1/jdlm;WRITE_DELAY=0", "jdlm", "", 1, Duration.ofSeconds(1));
    try (LedgerTable table = new LedgerTable(nowhere)) {
      assertThatThrownBy(() -> table.decide("", l -> l.advance("x")))
          .isInstanceOf(StoreException.class).hasMessageContaining("127.0.0.1:1");
    }
  }
}
