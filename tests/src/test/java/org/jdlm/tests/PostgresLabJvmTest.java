package org.jdlm.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jdlm.fencing.store.LocalPostgres;
import org.jdlm.member.StoreCredentials;
import org.jdlm.member.StoreNotReady;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL as the store of real members (issue 15): an empty database stops a member at once
 * with one line, {@code dlm store init} prepares it, and a lab on it runs a kill -9 recovery scenario
 * whose fencing authority keeps its ledger in PostgreSQL. Skipped with the reason when PostgreSQL is
 * not installed, failing instead with {@code -Djdlm.test.postgres.required=true} (as PostgresStoreTest).
 */
@Tag("jvm")
class PostgresLabJvmTest {
  private static final String USER = "jdlm";
  private static final String PASSWORD = "pg-lab-password-not-in-any-log";

  private static LocalPostgres server;

  @RegisterExtension
  final LabProcesses lab = new LabProcesses();

  @TempDir
  Path tmp;

  @BeforeAll
  static void aServer() {
    if (LocalPostgres.findBinaries().isEmpty() && !Boolean.getBoolean("jdlm.test.postgres.required")) {
      Assumptions.abort("PostgreSQL is not installed (set JDLM_PG_BIN, or -Djdlm.test.postgres.required=true to fail)");
    }
    server = LocalPostgres.start("jdlm_lab_test", USER, PASSWORD);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aMemberPointedAtAnEmptyDatabaseExits78InUnderFiveSecondsWithOneLine() throws Exception {
    String url = server.createDatabase("jdlm_empty");
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
        "-Djdlm.store.user=" + USER, "org.jdlm.cli.Main", "node", "--name", "n1", "--port", Integer.toString(port),
        "--dir", tmp.resolve("n1").toString(), "--store", url));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(tmp.resolve("n1.log").toFile());
    pb.environment().put(StoreCredentials.PASSWORD_ENV, PASSWORD); // never argv
    long start = System.nanoTime();
    Process member = pb.start();
    try {
      assertThat(member.waitFor(30, TimeUnit.SECONDS)).as("the member exits by itself").isTrue();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      String log = Files.readString(tmp.resolve("n1.log"), StandardCharsets.UTF_8);
      assertThat(member.exitValue()).as(log).isEqualTo(StoreNotReady.EXIT_STATUS);
      List<String> errors = log.lines().filter(l -> l.startsWith("dlm: ")).toList();
      assertThat(errors).as(log).hasSize(1);
      assertThat(errors.get(0)).startsWith("dlm: node: the store " + url + " has no table event_journal")
          .endsWith("prepare it once with `dlm store init --url " + url + "`");
      assertThat(log).doesNotContain(PASSWORD).doesNotContain("Exception").doesNotContain("\tat ");
      // JVM start included: the check runs before the ActorSystem, the cluster or any persistent actor.
      assertThat(took).as("from exec to exit").isLessThan(Duration.ofSeconds(5));
    } finally {
      member.destroyForcibly();
    }
  }

  @Test
  void storeInitThenAKillRecoveryScenarioOnALabWhoseLedgerLivesInPostgres() throws Exception {
    String url = server.createDatabase("jdlm_lab");
    Path passwordFile = tmp.resolve("pg-password");
    Files.writeString(passwordFile, PASSWORD + "\n");

    CliRun init = CliRun.of("store", "init", "--url", url, "--user", USER, "--password-file", passwordFile.toString());
    assertThat(init.exit()).as(init.err()).isZero();
    assertThat(init.out()).contains("created event_journal");
    CliRun again = CliRun.of("store", "init", "--url", url, "--user", USER, "--password-file", passwordFile.toString());
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).contains("nothing to do");

    Path scenario = ShippedScenariosInprocTest.scenarios().resolve("recovery/dead-holder-waiter-granted.scen");
    CliRun run = CliRun.of("scenario", "run", "--mode", "jvm", "--store", url, "--store-user", USER,
        "--store-password-file", passwordFile.toString(), scenario.toString());
    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    assertThat(run.out()).contains("PASS", "1 passed, 0 failed").doesNotContain(PASSWORD);

    // The authority admitted the members and fenced n3: its ledger is rows of PostgreSQL tables.
    assertThat(authorityEvents(url)).as("admissions and fences in the ledger").isGreaterThanOrEqualTo(4);
    assertThat(fencedIncarnations(url)).as("n3's incarnation recorded as fenced").isGreaterThanOrEqualTo(1);
  }

  @Test
  void clusterUpAndRestartKeepTheStoreAndNeverPutThePasswordOnACommandLine() throws Exception {
    String url = server.createDatabase("jdlm_cluster");
    Path passwordFile = tmp.resolve("pg-password");
    Files.writeString(passwordFile, PASSWORD + "\n");
    assertThat(CliRun.of("store", "init", "--url", url, "--user", USER, "--password-file", passwordFile.toString())
        .exit()).isZero();
    Path dir = lab.watch(tmp.resolve("run"));

    CliRun up = CliRun.of("cluster", "up", "--nodes", "2", "--dir", dir.toString(), "--store", url, "--store-user", USER,
        "--store-password-file", passwordFile.toString());
    assertThat(up.exit()).as(up.out() + up.err()).isZero();
    assertThat(up.out()).contains("store  Up", url);
    assertThat(dir.resolve("store.pid")).as("no H2 store process").doesNotExist();
    // Admission follows Up: both incarnations are admitted in the ledger's PostgreSQL tables.
    long before = awaitAuthorityEvents(url, 2);

    CliRun restart = CliRun.of("cluster", "restart", "n2", "--dir", dir.toString());
    assertThat(restart.exit()).as(restart.out() + restart.err()).isZero();
    long pid = Long.parseLong(Files.readString(dir.resolve("n2.pid")).trim().split("\\s+")[0]);
    // What `ps` shows every user of the machine (ProcessHandle.Info drops long argument lists).
    String argv = Files.readString(Path.of("/proc/" + pid + "/cmdline"), StandardCharsets.UTF_8).replace('\0', ' ');
    assertThat(argv).contains("--store " + url, "-Djdlm.store.password-file=").doesNotContain(PASSWORD);
    assertThat(awaitAuthorityEvents(url, before + 1)).as("the new incarnation admitted in the same ledger")
        .isGreaterThan(before);

    CliRun down = CliRun.of("cluster", "down", "--dir", dir.toString());
    assertThat(down.exit()).as(down.err()).isZero();
    assertThat(dir.resolve("store-password")).doesNotExist();
    for (String log : List.of("n1.log", "n2.log")) { // both incarnations of n2, each with its store and Slick pool
      assertThat(Files.readString(dir.resolve(log), StandardCharsets.UTF_8)).as(log).contains(url)
          .doesNotContain(PASSWORD);
    }
  }

  @Test
  void inprocModeRefusesAStore() {
    CliRun run = CliRun.of("scenario", "run", "--mode", "inproc", "--store", "jdbc:postgresql://127.0.0.1:1/x",
        "scenarios");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.errLines()).containsExactly(
        "dlm: scenario run: --store needs --mode jvm (in-process members have no shared store)");
  }

  /** The authority's event count once it reaches {@code atLeast}; fails after 60 s. */
  private static long awaitAuthorityEvents(String url, long atLeast) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    long n;
    while ((n = authorityEvents(url)) < atLeast) {
      assertThat(System.nanoTime()).as("%d of %d authority events after 60 s", n, atLeast).isLessThan(deadline);
      Thread.sleep(200); // polling another process's database: bounded by the deadline
    }
    return n;
  }

  /**
   * The fencing ledger's facts in the store (org.jdlm.fencing.store.LedgerTable): one per admitted
   * incarnation and one per fenced one. The authority decides on these tables in every member, so
   * they are where its decisions land (issue 14), not the event journal.
   */
  private static long authorityEvents(String url) throws SQLException, IOException {
    return ledgerCount(url, "SELECT count(*) FILTER (WHERE admitted) + count(fenced_by) FROM jdlm_fencing_incarnation");
  }

  private static long fencedIncarnations(String url) throws SQLException, IOException {
    return ledgerCount(url, "SELECT count(fenced_by) FROM jdlm_fencing_incarnation");
  }

  private static long ledgerCount(String url, String query) throws SQLException, IOException {
    try (Connection c = DriverManager.getConnection(url, USER, PASSWORD);
         PreparedStatement q = c.prepareStatement(query);
         ResultSet r = q.executeQuery()) {
      r.next();
      return r.getLong(1);
    } catch (SQLException e) {
      if ("42P01".equals(e.getSQLState())) {
        return 0; // the ledger's tables are created by the first member that starts
      }
      throw e;
    }
  }
}
