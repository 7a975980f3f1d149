package org.jdlm.fencing.store;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.time.Duration;
import java.util.Locale;

/**
 * Builds the Pekko configuration a member needs to keep its persistent actors in the shared store.
 *
 * <p>The store is chosen by {@code jdlm.store} (documented in fencing's {@code reference.conf}):
 * {@code kind = h2} (the default: the lab supervisor's {@link StoreServer}, over TCP on loopback)
 * or {@code kind = postgres} (multi-host), with {@code url}, {@code user}, {@code password}. The
 * same persistent actors run on both; only this fragment differs. The node assembly does:
 * <pre>
 *   Config config = StoreConfig.withStore(ConfigFactory.load());           // jdlm.store.* from config
 *   // or, when it was handed the URL of a StoreServer:
 *   Config config = StoreConfig.withH2Store(ConfigFactory.load(), server.jdbcUrl());
 *   ActorSystem.create(guardian, "jdlm", config);
 * </pre>
 * The fragment selects pekko-persistence-jdbc as journal and snapshot store and points the
 * plugin's journal, snapshot store, read journal and durable-state store at one shared connection
 * pool ({@code pekko-persistence-jdbc.shared-databases.slick}), so each member opens one pool, not four.
 */
public final class StoreConfig {

  /** Which database serves the store. */
  public enum Kind {
    H2("slick.jdbc.H2Profile$", "org.h2.Driver", "jdbc:h2:tcp://"),
    POSTGRES("slick.jdbc.PostgresProfile$", "org.postgresql.Driver", "jdbc:postgresql://");

    private final String slickProfile;
    private final String driver;
    private final String urlPrefix;

    Kind(String slickProfile, String driver, String urlPrefix) {
      this.slickProfile = slickProfile;
      this.driver = driver;
      this.urlPrefix = urlPrefix;
    }

    /** {@code h2} or {@code postgres}, as written in {@code jdlm.store.kind}. */
    public static Kind parse(String text) {
      return switch (text.strip().toLowerCase(Locale.ROOT)) {
        case "h2" -> H2;
        case "postgres", "postgresql" -> POSTGRES;
        default -> throw new IllegalArgumentException("jdlm.store.kind = \"" + text
            + "\" is not supported: use h2 (the embedded lab store) or postgres");
      };
    }
  }

  /**
   * The validated {@code jdlm.store} settings.
   *
   * @param connections connections (and Slick threads) per member
   * @param connectionTimeout how long a write waits for a free connection before failing
   */
  public record Settings(Kind kind, String url, String user, String password, int connections,
      Duration connectionTimeout) {

    public Settings {
      if (url == null || url.isBlank()) {
        throw new IllegalArgumentException("jdlm.store.url is empty: set it to "
            + (kind == Kind.H2 ? "the URL the store server printed (jdbc:h2:tcp://127.0.0.1:PORT/jdlm;WRITE_DELAY=0)"
                : "the PostgreSQL JDBC URL (jdbc:postgresql://HOST:5432/DATABASE)"));
      }
      if (!url.startsWith(kind.urlPrefix)) {
        throw new IllegalArgumentException("jdlm.store.url = \"" + url + "\" does not fit jdlm.store.kind = "
            + kind.name().toLowerCase(Locale.ROOT) + ": it must start with " + kind.urlPrefix
            + (kind == Kind.H2 ? " (every member must reach the one shared database over TCP,"
                + " not open a file of its own)" : ""));
      }
      if (kind == Kind.H2 && !url.toUpperCase(Locale.ROOT).contains(";WRITE_DELAY=0")) {
        // H2's default WRITE_DELAY (500 ms) acknowledges commits before they reach the disk: an
        // event the journal confirmed was lost when the store process was killed with -9.
        throw new IllegalArgumentException("jdlm.store.url = \"" + url + "\" lacks ;WRITE_DELAY=0:"
            + " without it H2 loses acknowledged events when its process is killed");
      }
      if (connections < 1) {
        throw new IllegalArgumentException("jdlm.store.connections = " + connections + " must be at least 1");
      }
      if (connectionTimeout.toMillis() < 250) {
        throw new IllegalArgumentException("jdlm.store.connection-timeout = " + connectionTimeout
            + " is below HikariCP's minimum of 250 ms");
      }
    }

    /** Reads {@code jdlm.store} from the root config. */
    public static Settings fromConfig(Config root) {
      try {
        Config store = root.getConfig("jdlm.store");
        return new Settings(Kind.parse(store.getString("kind")), store.getString("url"),
            store.getString("user"), store.getString("password"), store.getInt("connections"),
            store.getDuration("connection-timeout"));
      } catch (ConfigException e) {
        throw new IllegalArgumentException("invalid jdlm.store configuration: " + e.getMessage(), e);
      }
    }

    /** The password is kept out of logs and error messages. */
    @Override public String toString() {
      return "Settings[kind=" + kind + ", url=" + url + ", user=" + user + ", connections="
          + connections + ", connectionTimeout=" + connectionTimeout + "]";
    }
  }

  private static final String SHARED_DB = "slick";
  private static final String DB = "pekko-persistence-jdbc.shared-databases." + SHARED_DB;

  private StoreConfig() {}

  /**
   * {@code base} with the persistence settings for the store described by its {@code jdlm.store}
   * section laid over it.
   *
   * @throws IllegalArgumentException naming the setting and the reason when jdlm.store is invalid
   */
  public static Config withStore(Config base) {
    return fragment(Settings.fromConfig(base)).withFallback(base).resolve();
  }

  /** {@code base} with its store set to the H2 database at {@code jdbcUrl} (from {@link StoreServer}). */
  public static Config withH2Store(Config base, String jdbcUrl) {
    Config store = ConfigFactory.empty()
        .withValue("jdlm.store.kind", ConfigValueFactory.fromAnyRef("h2"))
        .withValue("jdlm.store.url", ConfigValueFactory.fromAnyRef(jdbcUrl));
    return withStore(store.withFallback(base));
  }

  /** Just the Pekko settings for {@code settings}, without any fallback. */
  public static Config fragment(Settings settings) {
    Config config = ConfigFactory.empty()
        .withValue("pekko.persistence.journal.plugin", ConfigValueFactory.fromAnyRef("jdbc-journal"))
        .withValue("pekko.persistence.snapshot-store.plugin", ConfigValueFactory.fromAnyRef("jdbc-snapshot-store"))
        .withValue("jdbc-journal.use-shared-db", ConfigValueFactory.fromAnyRef(SHARED_DB))
        .withValue("jdbc-snapshot-store.use-shared-db", ConfigValueFactory.fromAnyRef(SHARED_DB))
        .withValue("jdbc-read-journal.use-shared-db", ConfigValueFactory.fromAnyRef(SHARED_DB))
        .withValue("jdbc-durable-state-store.use-shared-db", ConfigValueFactory.fromAnyRef(SHARED_DB))
        .withValue(DB + ".profile", ConfigValueFactory.fromAnyRef(settings.kind().slickProfile))
        .withValue(DB + ".db.url", ConfigValueFactory.fromAnyRef(settings.url()))
        .withValue(DB + ".db.user", ConfigValueFactory.fromAnyRef(settings.user()))
        .withValue(DB + ".db.password", ConfigValueFactory.fromAnyRef(settings.password()))
        .withValue(DB + ".db.driver", ConfigValueFactory.fromAnyRef(settings.kind().driver))
        // Slick wants as many threads as connections, or it warns of possible deadlock.
        .withValue(DB + ".db.numThreads", ConfigValueFactory.fromAnyRef(settings.connections()))
        .withValue(DB + ".db.maxConnections", ConfigValueFactory.fromAnyRef(settings.connections()))
        .withValue(DB + ".db.minConnections", ConfigValueFactory.fromAnyRef(1))
        .withValue(DB + ".db.connectionTimeout",
            ConfigValueFactory.fromAnyRef(settings.connectionTimeout().toMillis()))
        // HikariCP needs the liveness check to be shorter than the wait for a connection.
        .withValue(DB + ".db.validationTimeout", ConfigValueFactory.fromAnyRef(
            Math.max(250, Math.min(5000, settings.connectionTimeout().toMillis() / 2))));
    return config;
  }
}
