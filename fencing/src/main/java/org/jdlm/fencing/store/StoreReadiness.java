package org.jdlm.fencing.store;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Is a store ready for members, and making it so: the check a member runs before it starts its
 * persistent actors, and the preparation {@code dlm store init} runs once per database.
 *
 * <p>Why a check before start: without the tables, pekko-persistence-jdbc fails every recovery with
 * a stack trace per persistent actor, and the member's control paths only say that the store "did
 * not answer". One line that names the missing table and the command that creates it saves the
 * user from digging the plugin's DDL out of a jar. The expected tables are read from that same
 * DDL ({@link StoreSchema}), so the check can never disagree with what {@code init} creates.
 */
public final class StoreReadiness {

  private static final Pattern CREATE_TABLE = Pattern.compile(
      "^CREATE\\s+TABLE\\s+IF\\s+NOT\\s+EXISTS\\s+(?:\\w+\\.)?\"?(\\w+)\"?", Pattern.CASE_INSENSITIVE);

  private StoreReadiness() {}

  /** What {@link #init} found and did. */
  public record InitReport(String url, List<String> created, List<String> alreadyThere) {
    /** One line for the user. */
    public String summary() {
      if (created.isEmpty()) {
        return "store " + url + " already had every table (" + String.join(", ", alreadyThere) + "): nothing to do";
      }
      return "store " + url + ": created " + String.join(", ", created)
          + (alreadyThere.isEmpty() ? "" : "; already there: " + String.join(", ", alreadyThere));
    }
  }

  /** The tables pekko-persistence-jdbc needs for {@code kind}, in the order its DDL creates them. */
  public static List<String> expectedTables(StoreConfig.Kind kind) {
    List<String> tables = new ArrayList<>();
    for (String statement : StoreSchema.statements(StoreSchema.resource(kind))) {
      Matcher matcher = CREATE_TABLE.matcher(statement);
      if (matcher.find()) {
        tables.add(matcher.group(1));
      }
    }
    return tables;
  }

  /** The expected tables that {@code connection}'s database lacks (empty: ready). */
  public static List<String> missingTables(Connection connection, StoreConfig.Kind kind) throws SQLException {
    DatabaseMetaData meta = connection.getMetaData();
    List<String> missing = new ArrayList<>();
    for (String table : expectedTables(kind)) {
      if (!exists(meta, table)) {
        missing.add(table);
      }
    }
    return missing;
  }

  private static boolean exists(DatabaseMetaData meta, String table) throws SQLException {
    // Stored lower case by both shipped scripts (PostgreSQL folds unquoted names; H2's are quoted);
    // the upper-case look-up covers a database created by hand with unquoted names on H2.
    for (String name : new String[] {table, table.toUpperCase(java.util.Locale.ROOT)}) {
      try (ResultSet rows = meta.getTables(null, null, name, new String[] {"TABLE"})) {
        if (rows.next()) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Fails with one line when the member's store cannot be used: unreachable (within
   * {@code timeout}), refusing the login, or lacking a table — then naming the table and
   * {@code dlm store init}. The password is never part of a message.
   */
  public static void verify(StoreConfig.Settings store, Duration timeout) {
    try (Connection connection = connect(store, timeout)) {
      List<String> missing = missingTables(connection, store.kind());
      if (!missing.isEmpty()) {
        throw new StoreException("the store " + store.url() + " has no table " + missing.get(0)
            + (missing.size() > 1 ? " (nor " + String.join(", ", missing.subList(1, missing.size())) + ")" : "")
            + ": prepare it once with `dlm store init --url " + store.url() + "`", null);
      }
    } catch (SQLException e) {
      throw new StoreException("cannot check the store " + store.url() + " as user " + store.user(), e);
    }
  }

  /** Creates what is missing (idempotent) and says what it did; the check runs again afterwards. */
  public static InitReport init(StoreConfig.Settings store, Duration timeout) {
    try (Connection connection = connect(store, timeout)) {
      List<String> before = missingTables(connection, store.kind());
      StoreSchema.apply(connection, store.kind());
      List<String> after = missingTables(connection, store.kind());
      if (!after.isEmpty()) {
        throw new StoreException("the schema was applied to " + store.url() + " but " + after
            + " still cannot be seen by user " + store.user() + " (another schema on its search_path?)", null);
      }
      List<String> there = new ArrayList<>(expectedTables(store.kind()));
      there.removeAll(before);
      return new InitReport(store.url(), before, there);
    } catch (SQLException e) {
      throw new StoreException("cannot prepare the store " + store.url() + " as user " + store.user(), e);
    }
  }

  private static Connection connect(StoreConfig.Settings store, Duration timeout) throws SQLException {
    DriverManager.setLoginTimeout((int) Math.max(1, timeout.toSeconds()));
    return DriverManager.getConnection(store.url(), store.user(), store.password());
  }
}
