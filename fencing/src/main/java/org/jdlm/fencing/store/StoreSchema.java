package org.jdlm.fencing.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Creates the tables pekko-persistence-jdbc expects, from the DDL the plugin jar itself ships
 * ({@code schema/h2/h2-create-schema.sql}, {@code schema/postgres/postgres-create-schema.sql}), so
 * table and column names always match the plugin's defaults ({@code jdbc-journal.tables.*},
 * {@code jdbc-snapshot-store.tables.*}, {@code jdlm.store} never renames them).
 *
 * <p>The shipped scripts use {@code CREATE TABLE IF NOT EXISTS} but create some indexes without
 * {@code IF NOT EXISTS}; those statements are rewritten to include it, so that applying the schema
 * on every start is idempotent, including after a crash half-way through the first one.
 */
public final class StoreSchema {

  private static final Pattern CREATE_INDEX = Pattern.compile(
      "^(CREATE\\s+(?:UNIQUE\\s+)?INDEX\\s+(?:CONCURRENTLY\\s+)?)(?!IF\\s+NOT\\s+EXISTS)",
      Pattern.CASE_INSENSITIVE);

  private StoreSchema() {}

  /** Applies the plugin's schema for {@code kind} over {@code connection}; safe to repeat. */
  public static void apply(Connection connection, StoreConfig.Kind kind) {
    for (String statement : statements(resource(kind))) {
      try (Statement jdbc = connection.createStatement()) {
        jdbc.execute(statement);
      } catch (SQLException e) {
        throw new StoreException("creating the persistence schema failed on: " + firstLine(statement), e);
      }
    }
  }

  /** The plugin's DDL script for {@code kind}, a class-path resource of its jar. */
  static String resource(StoreConfig.Kind kind) {
    return switch (kind) {
      case H2 -> "schema/h2/h2-create-schema.sql";
      case POSTGRES -> "schema/postgres/postgres-create-schema.sql";
    };
  }

  /** The idempotent statements of a shipped script, in order. */
  static List<String> statements(String resource) {
    String script;
    try (InputStream in = StoreSchema.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new StoreException("pekko-persistence-jdbc's " + resource
            + " is not on the class path (wrong plugin version?)", null);
      }
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new StoreException("cannot read " + resource, e);
    }
    List<String> statements = new ArrayList<>();
    for (String raw : script.split(";")) {
      String statement = stripComments(raw).strip();
      if (statement.isEmpty()) {
        continue;
      }
      Matcher matcher = CREATE_INDEX.matcher(statement);
      statements.add(matcher.find() ? matcher.replaceFirst("$1IF NOT EXISTS ") : statement);
    }
    return statements;
  }

  private static String stripComments(String sql) {
    StringBuilder kept = new StringBuilder();
    for (String line : sql.split("\n")) {
      if (!line.strip().startsWith("--")) {
        kept.append(line).append('\n');
      }
    }
    return kept.toString();
  }

  private static String firstLine(String statement) {
    int newline = statement.indexOf('\n');
    return newline < 0 ? statement : statement.substring(0, newline) + " ...";
  }
}
