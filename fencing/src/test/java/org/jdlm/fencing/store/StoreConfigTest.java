package org.jdlm.fencing.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.jdlm.fencing.store.StoreConfig.Kind;
import org.jdlm.fencing.store.StoreConfig.Settings;
import org.junit.jupiter.api.Test;

class StoreConfigTest {

  private static final String H2_URL = "jdbc:h2:tcp://127.0.0.1:9123/jdlm;WRITE_DELAY=0";

  private static Config with(String hocon) {
    return ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load());
  }

  @Test
  void defaultsAreH2WithTheDocumentedValuesButNoUrl() {
    Config store = ConfigFactory.load().getConfig("jdlm.store");

    assertThat(store.getString("kind")).isEqualTo("h2");
    assertThat(store.getString("url")).isEmpty();
    assertThat(store.getInt("connections")).isEqualTo(4);
    assertThatThrownBy(() -> StoreConfig.withStore(ConfigFactory.load()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jdlm.store.url is empty: set it to the URL the store server printed");
  }

  @Test
  void h2StorePointsJournalSnapshotsAndQueriesAtOneSharedPool() {
    Config config = StoreConfig.withH2Store(ConfigFactory.load(), H2_URL);

    assertThat(config.getString("pekko.persistence.journal.plugin")).isEqualTo("jdbc-journal");
    assertThat(config.getString("pekko.persistence.snapshot-store.plugin")).isEqualTo("jdbc-snapshot-store");
    for (String plugin : new String[] {"jdbc-journal", "jdbc-snapshot-store", "jdbc-read-journal", "jdbc-durable-state-store"}) {
      assertThat(config.getString(plugin + ".use-shared-db")).as(plugin).isEqualTo("slick");
    }
    Config db = config.getConfig("pekko-persistence-jdbc.shared-databases.slick");
    assertThat(db.getString("profile")).isEqualTo("slick.jdbc.H2Profile$");
    assertThat(db.getString("db.url")).isEqualTo(H2_URL);
    assertThat(db.getString("db.driver")).isEqualTo("org.h2.Driver");
    assertThat(db.getString("db.user")).isEqualTo("jdlm");
    assertThat(db.getInt("db.numThreads")).isEqualTo(db.getInt("db.maxConnections")).isEqualTo(4);
    assertThat(db.getLong("db.connectionTimeout")).isEqualTo(5000);
    assertThat(db.getLong("db.validationTimeout")).isLessThan(db.getLong("db.connectionTimeout"));
  }

  @Test
  void postgresIsAConfigSwitch() {
    Config config = StoreConfig.withStore(with("""
        jdlm.store { kind = postgres, url = "jdbc:postgresql://db.example:5432/jdlm", user = u, password = p, connections = 8 }
        """));

    Config db = config.getConfig("pekko-persistence-jdbc.shared-databases.slick");
    assertThat(db.getString("profile")).isEqualTo("slick.jdbc.PostgresProfile$");
    assertThat(db.getString("db.driver")).isEqualTo("org.postgresql.Driver");
    assertThat(db.getString("db.url")).isEqualTo("jdbc:postgresql://db.example:5432/jdlm");
    assertThat(db.getString("db.password")).isEqualTo("p");
    assertThat(db.getInt("db.maxConnections")).isEqualTo(8);
  }

  @Test
  void unknownKindIsRefusedNamingTheValueAndTheChoices() {
    assertThatThrownBy(() -> StoreConfig.withStore(with("jdlm.store { kind = mysql, url = \"jdbc:mysql://x\" }")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("jdlm.store.kind = \"mysql\" is not supported: use h2 (the embedded lab store) or postgres");
  }

  @Test
  void h2UrlWithoutWriteDelayZeroIsRefused() {
    assertThatThrownBy(() -> StoreConfig.withH2Store(ConfigFactory.load(), "jdbc:h2:tcp://127.0.0.1:9123/jdlm"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lacks ;WRITE_DELAY=0");
  }

  @Test
  void h2FileUrlIsRefusedBecauseMembersMustShareOneServer() {
    assertThatThrownBy(() -> StoreConfig.withH2Store(ConfigFactory.load(), "jdbc:h2:file:/tmp/x;WRITE_DELAY=0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must start with jdbc:h2:tcp://");
  }

  @Test
  void urlOfTheOtherKindIsRefused() {
    assertThatThrownBy(() -> StoreConfig.withStore(with("jdlm.store { kind = postgres, url = \"" + H2_URL + "\" }")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not fit jdlm.store.kind = postgres");
  }

  @Test
  void settingsNeverPrintThePassword() {
    Settings settings = new Settings(Kind.POSTGRES, "jdbc:postgresql://h/d", "u", "s3cret", 2, Duration.ofSeconds(1));

    assertThat(settings.toString()).doesNotContain("s3cret");
  }

  @Test
  void badBoundsAreRefusedNamingTheSetting() {
    assertThatThrownBy(() -> new Settings(Kind.H2, H2_URL, "u", "", 0, Duration.ofSeconds(1)))
        .hasMessage("jdlm.store.connections = 0 must be at least 1");
    assertThatThrownBy(() -> StoreConfig.withStore(with("jdlm.store { url = \"" + H2_URL + "\", connections = many }")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid jdlm.store configuration")
        .hasMessageContaining("connections");
  }
}
