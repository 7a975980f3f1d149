package org.jdlm.fencing.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private PostgreSQL server for one test run or one lab: {@code initdb} in a directory of its
 * own, {@code pg_ctl start} on a loopback port (no Unix socket outside that directory, no system
 * service), a login role and a database for the members, and {@code stop} that removes it all.
 *
 * <p>Why it exists: the multi-host store is PostgreSQL, and nothing guarded that path while its
 * tests needed a server somebody had set up by hand. With Debian's {@code postgresql} package
 * installed (the full test run installs it when missing), every run gets a server of its own on a
 * free port, so parallel runs and a system server never collide.
 *
 * <p>PostgreSQL refuses to run as root; when this JVM is root, {@code initdb} and {@code pg_ctl}
 * run as the {@code postgres} user (created by the Debian package) through {@code runuser}, and
 * the data directory is handed to that user. Authentication is {@code trust} on 127.0.0.1 only:
 * the server is reachable from this machine alone and lives as long as the run.
 */
public final class LocalPostgres implements AutoCloseable {

  /** Where a server's binaries may be: {@code JDLM_PG_BIN}, then Debian's versioned directories. */
  private static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");
  private static final long COMMAND_TIMEOUT_SECONDS = 60;

  private final Path binDir;
  private final Path dataDir;
  private final int port;
  private final String database;
  private final String user;
  private final String password;
  private boolean running;

  private LocalPostgres(Path binDir, Path dataDir, int port, String database, String user, String password) {
    this.binDir = binDir;
    this.dataDir = dataDir;
    this.port = port;
    this.database = database;
    this.user = user;
    this.password = password;
  }

  /**
   * The directory holding {@code initdb} and {@code pg_ctl}, if PostgreSQL is installed: the
   * {@code JDLM_PG_BIN} environment variable, else the newest {@code /usr/lib/postgresql/N/bin}.
   */
  public static Optional<Path> findBinaries() {
    String configured = System.getenv("JDLM_PG_BIN");
    if (configured != null && !configured.isBlank()) {
      Path dir = Path.of(configured);
      return Files.isExecutable(dir.resolve("initdb")) ? Optional.of(dir) : Optional.empty();
    }
    if (!Files.isDirectory(DEBIAN_ROOT)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(DEBIAN_ROOT)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(bin -> Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl")))
          .max(Comparator.comparingInt(LocalPostgres::majorVersion));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static int majorVersion(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Creates and starts a server under a new temporary directory on a free loopback port, with a
   * login role {@code user}/{@code password} owning the database {@code database}.
   *
   * @throws StoreException when PostgreSQL is not installed or does not start (the message says
   *     which command failed and its output)
   */
  public static LocalPostgres start(String database, String user, String password) {
    String configured = System.getenv("JDLM_PG_BIN");
    Path bin = findBinaries().orElseThrow(() -> new StoreException(configured != null && !configured.isBlank()
        ? "JDLM_PG_BIN=" + configured + " holds no initdb"
        : "PostgreSQL is not installed (no initdb under " + DEBIAN_ROOT + "/*/bin);"
            + " install Debian's postgresql package or set JDLM_PG_BIN", null));
    Path dir;
    try {
      dir = Files.createTempDirectory("jdlm-pg-");
    } catch (IOException e) {
      throw new StoreException("cannot create a directory for PostgreSQL", e);
    }
    LocalPostgres server = new LocalPostgres(bin, dir, freePort(), database, user, password);
    try {
      server.initAndStart();
      server.createRoleAndDatabase();
      return server;
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /** The JDBC URL members and tests connect to. */
  public String url() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  public int port() {
    return port;
  }

  /** Stops the server at once (no checkpoint: the data is thrown away) and removes its directory. */
  @Override
  public void close() {
    if (running) {
      try {
        run(List.of(binDir.resolve("pg_ctl").toString(), "-D", pgData().toString(), "-m", "immediate", "-w", "stop"));
      } catch (StoreException e) {
        // Best effort: the directory is removed below; a server left running would hold the
        // port, which is the OS's to reclaim when its process ends.
      }
      running = false;
    }
    deleteTree(dataDir);
  }

  private Path pgData() {
    return dataDir.resolve("data");
  }

  private void initAndStart() {
    if (isRoot()) {
      // The data and socket directory must belong to the user the server runs as.
      run(List.of("chown", "postgres:postgres", dataDir.toString()));
    }
    run(List.of(binDir.resolve("initdb").toString(), "-D", pgData().toString(), "-A", "trust",
        "-U", "postgres", "-E", "UTF8", "--no-sync"));
    String options = "-p " + port + " -k " + dataDir + " -c listen_addresses=127.0.0.1 -c fsync=off";
    run(List.of(binDir.resolve("pg_ctl").toString(), "-D", pgData().toString(), "-o", options,
        "-l", dataDir.resolve("server.log").toString(), "-w", "-t", "60", "start"));
    running = true;
  }

  /**
   * Another empty database owned by the same role, on the same server (for a test that needs a
   * database without the schema); returns its JDBC URL.
   */
  public String createDatabase(String name) {
    admin("CREATE DATABASE " + identifier(name) + " OWNER " + identifier(user));
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + name;
  }

  private void createRoleAndDatabase() {
    admin("CREATE ROLE " + identifier(user) + " LOGIN PASSWORD '" + password.replace("'", "''") + "'");
    createDatabase(database);
  }

  private void admin(String statement) {
    String adminUrl = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    try (Connection admin = DriverManager.getConnection(adminUrl, "postgres", "");
         Statement sql = admin.createStatement()) {
      sql.execute(statement);
    } catch (SQLException e) {
      throw new StoreException("PostgreSQL at " + adminUrl + " refused: " + statement, e);
    }
  }

  /** Names come from the caller's code, never from a user; still, refuse anything not plain. */
  private static String identifier(String name) {
    if (!name.matches("[a-z_][a-z0-9_]*")) {
      throw new IllegalArgumentException("not a plain SQL identifier: " + name);
    }
    return name;
  }

  private void run(List<String> command) {
    List<String> full = new ArrayList<>();
    if (isRoot() && !command.get(0).equals("chown")) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    Path output = dataDir.resolve("command.out");
    try {
      Process process = new ProcessBuilder(full).redirectErrorStream(true)
          .redirectOutput(output.toFile()).start();
      if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new StoreException(String.join(" ", full) + " did not finish within "
            + COMMAND_TIMEOUT_SECONDS + " s", null);
      }
      if (process.exitValue() != 0) {
        throw new StoreException(String.join(" ", full) + " failed (exit " + process.exitValue() + "): "
            + tail(output), null);
      }
    } catch (IOException e) {
      throw new StoreException("cannot run " + full.get(0), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while running " + String.join(" ", full), e);
    }
  }

  private static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    } catch (IOException e) {
      return "(no output)";
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A leftover temporary directory is harmless; the next run uses a new one.
    }
  }
}
