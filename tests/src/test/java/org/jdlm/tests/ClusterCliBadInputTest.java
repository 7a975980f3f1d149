package org.jdlm.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jdlm.lab.NodeSpec;
import org.jdlm.lab.RunDir;
import org.jdlm.member.HostPort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to {@code dlm cluster}: each case exits with status 2, prints exactly one line on stderr
 * (no stack trace) that names the offending value, and leaves no member process running and no
 * cluster half-started. The CLI runs in-process through {@code Main.run}.
 */
class ClusterCliBadInputTest {

  @RegisterExtension
  final LabProcesses lab = new LabProcesses();

  @TempDir
  Path tmp;

  private Path dir() {
    return lab.watch(tmp.resolve("run"));
  }

  @AfterEach
  void nothingLeftRunning() {
    assertThat(LabProcesses.liveLabProcesses()).as("member or store processes left running").isEmpty();
  }

  private static void assertOneLineError(CliRun run, String... fragments) {
    assertThat(run.exit()).as("exit status; stderr: %s", run.err()).isEqualTo(2);
    assertThat(run.errLines()).as("stderr lines").hasSize(1);
    assertThat(run.err()).startsWith("dlm: ").contains(fragments).doesNotContain("Exception", "\tat ");
  }

  @Test
  void unknownClusterSubcommandIsOneLineAndStatus2() {
    assertOneLineError(CliRun.of("cluster", "explode", "--dir", dir().toString()), "unknown command 'explode'",
        "up, status");
  }

  @Test
  void unknownTopLevelCommandIsOneLineAndStatus2() {
    assertOneLineError(CliRun.of("frobnicate"), "unknown command 'frobnicate'", "node, cluster");
  }

  @Test
  void unknownNodeNameIsOneLineAndStatus2() throws IOException {
    Path d = dir();
    new RunDir(d).writeLayout(new RunDir.Layout("127.0.0.1", List.of(
        new NodeSpec("n1", new HostPort("127.0.0.1", 40001), 40002))));
    for (String verb : List.of("kill", "pause", "resume", "restart", "logs")) {
      assertOneLineError(CliRun.of("cluster", verb, "n9", "--dir", d.toString()), "unknown node 'n9'", "n1");
    }
  }

  @Test
  void badNumbersAndUnknownOptionsAreOneLineAndStatus2() {
    String d = dir().toString();
    assertOneLineError(CliRun.of("cluster", "up", "--nodes", "0", "--dir", d), "--nodes 0 is out of range");
    assertOneLineError(CliRun.of("cluster", "up", "--nodes", "three", "--dir", d), "'three' is not a number");
    assertOneLineError(CliRun.of("cluster", "up", "--dir", d), "missing required option --nodes");
    assertOneLineError(CliRun.of("cluster", "up", "--nodes", "3", "--colour", "red", "--dir", d),
        "unknown option '--colour'");
    assertOneLineError(CliRun.of("cluster", "status", "--dir", d), "no cluster in");
    assertThat(Files.exists(tmp.resolve("run").resolve(RunDir.LAYOUT))).isFalse();
  }

  @Test
  void portInUseIsOneLineAndStatus2AndNothingIsStarted() throws IOException {
    Path d = dir();
    // Occupy the port n2 would get, so a naive supervisor would already have started n1.
    try (ServerSocket busy = new ServerSocket()) {
      busy.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      int base = busy.getLocalPort() - 2;
      CliRun run = CliRun.of("cluster", "up", "--nodes", "2", "--base-port", Integer.toString(base), "--dir", d.toString());
      assertOneLineError(run, "port " + busy.getLocalPort(), "n2 cluster port", "in use");
    }
    assertThat(LabProcesses.liveLabProcesses()).isEmpty();
    assertThat(Files.exists(d.resolve(RunDir.LAYOUT))).as("nothing recorded").isFalse();
  }

  @Test
  void busyStorePortIsOneLineAndStatus2AndNothingIsStarted() throws IOException {
    Path d = dir();
    // With --base-port P and 2 members the store takes P+4: occupy exactly that one.
    try (ServerSocket busy = new ServerSocket()) {
      busy.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      int base = busy.getLocalPort() - 4;
      CliRun run = CliRun.of("cluster", "up", "--nodes", "2", "--base-port", Integer.toString(base), "--dir", d.toString());
      assertOneLineError(run, "port " + busy.getLocalPort(), "store port", "in use", "nothing was started");
    }
    assertThat(Files.exists(d.resolve(RunDir.LAYOUT))).as("nothing recorded").isFalse();
  }

  @Test
  void storeServeOnABusyPortIsOneLineAndStatus2() throws IOException {
    try (ServerSocket busy = new ServerSocket()) {
      busy.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      assertOneLineError(CliRun.of("store", "serve", "--dir", tmp.resolve("db").toString(), "--port",
          Integer.toString(busy.getLocalPort())), "store: port " + busy.getLocalPort(), "in use");
    }
  }

  @Test
  void nodeWithAStoreThatIsNotAJdbcUrlIsOneLineAndStatus2() {
    assertOneLineError(CliRun.of("node", "--name", "n1", "--port", "25999", "--store", "127.0.0.1:9092"),
        "--store '127.0.0.1:9092' is not a JDBC URL");
    assertOneLineError(CliRun.of("node", "--name", "n1", "--port", "25999", "--store", "jdbc:h2:tcp://127.0.0.1:9/jdlm"),
        "lacks ;WRITE_DELAY=0");
  }

  @Test
  @Tag("jvm")
  void storeThatCannotStartFailsUpWithItsReasonAndLeavesNothingRunning() throws Exception {
    Path d = dir();
    Files.createDirectories(d);
    // The store's database directory is a plain file: the store JVM starts, fails, and exits 2.
    Files.writeString(d.resolve(RunDir.STORE), "not a directory");
    CliRun run = CliRun.of("cluster", "up", "--nodes", "1", "--dir", d.toString());
    assertOneLineError(run, "the store exited before it served", "cannot create the store directory", "store.log");
    assertThat(Files.exists(d.resolve(RunDir.LAYOUT))).as("nothing recorded").isFalse();
    assertThat(Files.exists(d.resolve("n1.pid"))).as("no member was started").isFalse();
  }

  @Test
  void deadRunDirectoryIsRefusedByUpAndCleanedByDown() throws Exception {
    Path d = dir();
    RunDir run = new RunDir(d);
    run.writeLayout(new RunDir.Layout("127.0.0.1", List.of(new NodeSpec("n1", new HostPort("127.0.0.1", 40001), 40002))));
    // A pid that certainly belonged to a process which has exited: a crashed supervisor's leftovers.
    Process gone = new ProcessBuilder("true").start();
    long start = gone.toHandle().info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
    assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue();
    run.writePid("n1", new RunDir.PidRecord(gone.pid(), start));

    assertOneLineError(CliRun.of("cluster", "up", "--nodes", "1", "--dir", d.toString()),
        "holds a dead cluster", "pid files of n1", "dlm cluster down --dir");
    assertThat(Files.exists(d.resolve("n1.pid"))).as("up must not touch a dead directory").isTrue();

    CliRun down = CliRun.of("cluster", "down", "--dir", d.toString());
    assertThat(down.exit()).as(down.err()).isZero();
    assertThat(down.out()).contains("n1 was not running");
    assertThat(Files.exists(d.resolve("n1.pid"))).isFalse();
    assertThat(Files.exists(d.resolve(RunDir.LAYOUT))).isFalse();
  }

  @Test
  @Tag("jvm")
  void runningClusterInDirectoryIsRefusedAndKeepsRunning() throws Exception {
    String d = dir().toString();
    CliRun up = CliRun.of("cluster", "up", "--nodes", "1", "--dir", d);
    assertThat(up.exit()).as(up.err()).isZero();
    assertThat(up.out()).contains("n1", "Up");
    List<ProcessHandle> before = LabProcesses.liveMembers();
    assertThat(before).hasSize(1);

    assertOneLineError(CliRun.of("cluster", "up", "--nodes", "3", "--dir", d), "already has a running cluster",
        "n1 pid " + before.get(0).pid());
    assertThat(LabProcesses.liveMembers()).as("the running member is untouched, nothing new started")
        .extracting(ProcessHandle::pid).containsExactly(before.get(0).pid());

    CliRun down = CliRun.of("cluster", "down", "--dir", d);
    assertThat(down.exit()).as(down.err()).isZero();
    assertThat(down.out()).contains("n1 left");
  }
}
