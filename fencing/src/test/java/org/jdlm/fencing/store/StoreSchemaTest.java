package org.jdlm.fencing.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class StoreSchemaTest {

  @Test
  void everyIndexInTheShippedScriptsIsCreatedOnlyIfMissing() {
    for (String script : List.of("schema/h2/h2-create-schema.sql", "schema/postgres/postgres-create-schema.sql")) {
      List<String> statements = StoreSchema.statements(script);

      assertThat(statements).as(script).isNotEmpty()
          .allSatisfy(s -> assertThat(s).containsIgnoringCase("IF NOT EXISTS"));
    }
  }

  @Test
  void shippedScriptsCreateTheTablesThePluginIsConfiguredToUse() {
    Config config = ConfigFactory.load();
    String journal = config.getString("jdbc-journal.tables.event_journal.tableName");
    String tags = config.getString("jdbc-journal.tables.event_tag.tableName");
    String snapshot = config.getString("jdbc-snapshot-store.tables.snapshot.tableName");

    for (String script : List.of("schema/h2/h2-create-schema.sql", "schema/postgres/postgres-create-schema.sql")) {
      String all = String.join("\n", StoreSchema.statements(script));
      assertThat(all).as(script).containsPattern("(?i)CREATE TABLE IF NOT EXISTS \\S*\"?" + journal + "\"?\\s*\\(")
          .containsPattern("(?i)CREATE TABLE IF NOT EXISTS \\S*\"?" + tags + "\"?\\s*\\(")
          .containsPattern("(?i)CREATE TABLE IF NOT EXISTS \\S*\"?" + snapshot + "\"?\\s*\\(");
    }
  }
}
