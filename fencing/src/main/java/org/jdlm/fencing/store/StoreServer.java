package org.jdlm.fencing.store;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.h2.engine.SysProperties;
import org.h2.tools.Server;

/**
 * The lab's shared store: an H2 database in a directory, served over TCP on 127.0.0.1 to every
 * member (brief §3: "an H2 database that the lab supervisor serves on loopback").
 *
 * <p>{@link #start} creates the database and pekko-persistence-jdbc's tables on first start (from
 * the DDL the plugin ships, see {@link StoreSchema}) and leaves them alone on later starts, then
 * serves them. Members use {@link #jdbcUrl()}, which carries {@code WRITE_DELAY=0}: with H2's
 * default delay, events acknowledged to a persistent actor were lost when the store was killed.
 *
 * <p>The database is created here, through an embedded connection, and the server is started
 * without {@code -ifNotExists}: a member with a mistyped URL then gets an error instead of a
 * fresh empty database. Remote (non-loopback) connections are refused twice over: the socket is
 * bound to 127.0.0.1 and {@code -tcpAllowOthers} is not given.
 */
public final class StoreServer implements AutoCloseable {

  /** Name of the database inside the base directory (file {@code jdlm.mv.db}). */
  public static final String DATABASE = "jdlm";

  static {
    // H2 reads its bind address once, when SysProperties is initialised: set it before any H2
    // class is touched. start() checks that it took effect.
    if (System.getProperty("h2.bindAddress") == null) {
      System.setProperty("h2.bindAddress", "127.0.0.1");
    }
  }

  private final Server server;
  private final Path baseDir;
  private final String user;
  private final String password;

  private StoreServer(Server server, Path baseDir, String user, String password) {
    this.server = server;
    this.baseDir = baseDir;
    this.user = user;
    this.password = password;
  }

  /**
   * Prepares the database in {@code baseDir} (created if missing) and serves it on 127.0.0.1.
   *
   * @param port TCP port, or 0 for a free one chosen by the OS ({@link #port()} tells which)
   * @param user database user; the database is created with it on first start
   * @param password that user's password
   * @throws StoreException naming the directory or port and the reason
   */
  public static StoreServer start(Path baseDir, int port, String user, String password) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("store port " + port + " is not a TCP port (0-65535; 0 = any free port)");
    }
    if (!"127.0.0.1".equals(SysProperties.BIND_ADDRESS)) {
      throw new StoreException("H2 was initialised with bind address " + SysProperties.BIND_ADDRESS
          + " before the store server could restrict it to loopback; start the JVM with"
          + " -Dh2.bindAddress=127.0.0.1", null);
    }
    Path dir = baseDir.toAbsolutePath().normalize();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new StoreException("cannot create the store directory " + dir, e);
    }
    prepareDatabase(dir, user, password);
    Server server;
    try {
      server = Server.createTcpServer("-tcpPort", Integer.toString(port), "-baseDir", dir.toString(),
          "-tcpDaemon", "-ifExists").start();
    } catch (SQLException e) {
      throw new StoreException("cannot serve the store in " + dir + " on 127.0.0.1:" + port, e);
    }
    return new StoreServer(server, dir, user, password);
  }

  /**
   * Starts the server described by {@code jdlm.store.server} (directory, port) and
   * {@code jdlm.store.user}/{@code password} in the root config: what the lab supervisor calls.
   */
  public static StoreServer start(Config root) {
    Config store = root.getConfig("jdlm.store");
    return start(Path.of(store.getString("server.directory")), store.getInt("server.port"),
        store.getString("user"), store.getString("password"));
  }

  /** {@link #start(Path, int, String, String)} with user {@code jdlm} and an empty password. */
  public static StoreServer start(Path baseDir, int port) {
    return start(baseDir, port, "jdlm", "");
  }

  /** The TCP port the server listens on (the chosen one when started with port 0). */
  public int port() {
    return server.getPort();
  }

  /** The directory holding the database file. */
  public Path baseDir() {
    return baseDir;
  }

  /** The JDBC URL every member must use; it carries {@code WRITE_DELAY=0}. */
  public String jdbcUrl() {
    return jdbcUrl(port());
  }

  /** The URL of this store's database if served on {@code port}. */
  public static String jdbcUrl(int port) {
    return "jdbc:h2:tcp://127.0.0.1:" + port + "/" + DATABASE + ";WRITE_DELAY=0";
  }

  /** The user the database was created with. */
  public String user() {
    return user;
  }

  /** That user's password. */
  public String password() {
    return password;
  }

  /** Whether the server still accepts connections. */
  public boolean isRunning() {
    return server.isRunning(false);
  }

  /**
   * Stops serving and closes the database cleanly. Members still connected see their connections
   * fail; the data stays in the directory for the next {@link #start}.
   */
  @Override public void close() {
    server.stop();
    // Stopping the TCP server closes its sessions; the database itself closes with the last one.
  }

  /**
   * Creates the database if needed and applies the schema, through an embedded connection that
   * is closed (and with it the database) before the server opens it.
   */
  private static void prepareDatabase(Path dir, String user, String password) {
    String url = "jdbc:h2:file:" + dir.resolve(DATABASE) + ";WRITE_DELAY=0";
    try (Connection connection = DriverManager.getConnection(url, user, password)) {
      try (Statement statement = connection.createStatement()) {
        statement.execute("SET WRITE_DELAY 0");
      }
      StoreSchema.apply(connection, StoreConfig.Kind.H2);
    } catch (SQLException e) {
      throw new StoreException("cannot open or create the store database in " + dir
          + " (is another store server using it, or was it created with another user?)", e);
    }
  }
}
