package org.jdlm.fencing.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreServerTest {

  @TempDir Path dir;

  private static List<String> tables(String url) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url, "jdlm", "");
         Statement statement = connection.createStatement();
         ResultSet rs = statement.executeQuery(
             "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = 'PUBLIC' ORDER BY TABLE_NAME")) {
      List<String> names = new ArrayList<>();
      while (rs.next()) {
        names.add(rs.getString(1));
      }
      return names;
    }
  }

  private static String writeDelay(String url) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url, "jdlm", "");
         Statement statement = connection.createStatement();
         ResultSet rs = statement.executeQuery(
             "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void freshDirectoryGetsTheDatabaseAndThePluginsTablesServedOnAFreeLoopbackPort() throws SQLException {
    try (StoreServer server = StoreServer.start(dir, 0)) {
      assertThat(server.port()).isPositive();
      assertThat(server.jdbcUrl()).isEqualTo("jdbc:h2:tcp://127.0.0.1:" + server.port() + "/jdlm;WRITE_DELAY=0");
      assertThat(tables(server.jdbcUrl())).contains("event_journal", "event_tag", "snapshot", "durable_state");
      assertThat(writeDelay(server.jdbcUrl())).isEqualTo("0");
      assertThat(dir.resolve("jdlm.mv.db")).exists();
    }
  }

  @Test
  void restartOnTheSameDirectoryKeepsRowsAndDoesNotFailOnExistingSchema() throws SQLException {
    String firstUrl;
    try (StoreServer server = StoreServer.start(dir, 0)) {
      firstUrl = server.jdbcUrl();
      try (Connection c = DriverManager.getConnection(firstUrl, "jdlm", "");
           Statement s = c.createStatement()) {
        s.execute("INSERT INTO \"snapshot\" VALUES ('p', 1, 0, 1, 'm', X'01', NULL, NULL, NULL)");
      }
    }
    try (StoreServer again = StoreServer.start(dir, 0);
         Connection c = DriverManager.getConnection(again.jdbcUrl(), "jdlm", "");
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM \"snapshot\"")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1);
    }
  }

  @Test
  void stoppedServerRefusesConnections() {
    StoreServer server = StoreServer.start(dir, 0);
    String url = server.jdbcUrl();
    server.close();

    assertThat(server.isRunning()).isFalse();
    assertThatThrownBy(() -> tables(url)).isInstanceOf(SQLException.class);
  }

  @Test
  void unknownDatabaseNameIsAnErrorNotAFreshEmptyDatabase() {
    try (StoreServer server = StoreServer.start(dir, 0)) {
      String typo = "jdbc:h2:tcp://127.0.0.1:" + server.port() + "/jdml;WRITE_DELAY=0";

      assertThatThrownBy(() -> tables(typo)).isInstanceOf(SQLException.class)
          .hasMessageContaining("not found");
    }
  }

  @Test
  void invalidPortIsRefusedWithTheValue() {
    assertThatThrownBy(() -> StoreServer.start(dir, 70000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("store port 70000 is not a TCP port");
  }
}
