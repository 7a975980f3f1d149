package org.jdlm.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.jdlm.lab.Supervisor;
import org.jdlm.scenario.Mode;
import org.jdlm.scenario.run.HttpNodeDriver;
import org.jdlm.scenario.run.NodeDriver;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dlm dump} against a 3-member lab cluster: resources appear once, under their master, and
 * each member's held locks under it, nodes named n1…n3; a dead member is reported, not waited for.
 * One cluster for the whole story (a JVM cluster costs seconds); the member endpoints' answers to
 * bad requests are checked on the same cluster.
 */
@Tag("jvm")
class DumpCommandJvmTest {
  private static final Duration STEP = Duration.ofSeconds(30);

  @RegisterExtension
  final LabProcesses lab = new LabProcesses();

  @TempDir
  Path tmp;

  @Test
  void dumpShowsALockOfN2OnItsMasterN1AndReportsADeadMemberWithoutWaitingForIt() throws Exception {
    Path dir = tmp.resolve("run");
    Supervisor cluster = lab.supervisor(dir);
    cluster.up(3, OptionalInt.empty());
    List<HttpNodeDriver> nodes = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      nodes.add(new HttpNodeDriver("n" + i, cluster.node("n" + i).control(), "fs1", cluster.control(), STEP));
    }
    // Each join waits for the others' handshake: start them together.
    List<Thread> joins = new ArrayList<>();
    for (HttpNodeDriver n : nodes) {
      Thread t = new Thread(() -> n.join(16, STEP));
      t.start();
      joins.add(t);
    }
    for (Thread t : joins) {
      t.join(STEP.toMillis());
    }
    for (HttpNodeDriver n : nodes) {
      cluster.await(n + " sees 3 lockspace members", STEP,
          () -> java.util.Optional.of(n.members()).filter(m -> m.size() == 3));
    }

    // The first node to use a resource masters it (spec, TV-47a): n1 takes NL, then n2 takes PR.
    assertThat(nodes.get(0).lock("A", "R1", Mode.NL, Set.of(), null, true)).isEqualTo("OK");
    awaitCast(nodes.get(0), "A");
    assertThat(nodes.get(1).lock("B", "R1", Mode.PR, Set.of(), null, true)).isEqualTo("OK");
    awaitCast(nodes.get(1), "B");

    CliRun dump = CliRun.of("dump", "--dir", dir.toString());
    assertThat(dump.exit()).as(dump.err()).isZero();
    List<String> lines = dump.out().lines().toList();
    assertThat(lines).contains("Resource \"R1\" Master:n1 Dir:" + dirNodeOf(lines))
        .anyMatch(l -> l.matches("[0-9a-f]{8} PR -- Owner: n2 flags -"))
        .anyMatch(l -> l.matches("[0-9a-f]{8} NL -- Owner: n1 flags -"))
        .anyMatch(l -> l.matches("[0-9a-f]{8} GRANTED gr PR rq IV master n1 resource \"R1\" .*"))
        .contains("Locks held by n2 (1)", "Locks held by n3 (0)")
        .noneMatch(l -> l.startsWith("Not dumped"));
    assertThat(lines.indexOf("Locks held by n2 (1)")).isLessThan(lines.indexOf("Locks held by n3 (0)"));
    assertThat(lines.stream().filter(l -> l.startsWith("Resource \"R1\""))).hasSize(1);

    // Raw requests on purpose: the malformed ones a careless client could send.
    badRequestsAreOneLineHttp400s(cluster.node("n1").controlPort(),
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());

    glocksAreDumpedAndJoinTheLockDumpOnTheResourceName(dir, nodes);

    cluster.kill("n3");
    long start = System.nanoTime();
    CliRun afterKill = CliRun.of("dump", "--dir", dir.toString(), "--lockspace", "fs1");
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(afterKill.exit()).as(afterKill.err()).isZero();
    assertThat(afterKill.out()).contains("Not dumped: n3 dead (no process)").contains("Resource \"R1\" Master:n1")
        .contains("Locks held by n2 (1)");
    assertThat(took).as("dump must not wait for a dead member").isLessThan(Duration.ofSeconds(10));

    // Lab members run a kernel, and the DLM's send buffers come from it: master n1's grant to the
    // remote owner n2 is sent from n1's memory. (Whether n2's own request took a buffer depends on
    // which member the name's directory hashes to, which changes with the ports: not asserted.)
    CliRun memory = CliRun.of("dump", "--dir", dir.toString(), "--memory");
    assertThat(memory.exit()).as(memory.err()).isZero();
    assertThat(memory.out()).contains("MEMORY member=n2 ", "Not dumped: n3 dead (no process)")
        .containsPattern("MEMORY member=n1 [^\n]*\n(?:  [^\n]*\n)*  counters: allocations=[1-9]");
    CliRun waits = CliRun.of("dump", "--dir", dir.toString(), "--waits");
    assertThat(waits.exit()).as(waits.err()).isZero();
    assertThat(waits.out()).matches("no deadlock, no stalled task \\(\\d+ tasks on 2 members\\)\n"
        + "Not dumped: n3 dead \\(no process\\)\n");
  }

  /**
   * `dlm dump --glocks` (issue 10): n1 and n2 mount a filesystem through their scenario agents, a task
   * on n2 holds inode glock 2/1c00 EX; the glock dump shows it in GFS2's format, and the lock dump of
   * the filesystem's lockspace shows its DLM lock under the glock's 24-character resource name.
   */
  private static void glocksAreDumpedAndJoinTheLockDumpOnTheResourceName(Path dir, List<HttpNodeDriver> nodes) {
    for (int i = 0; i < 2; i++) {
      assertThat(nodes.get(i).fs(java.util.Map.of("op", "mount", "run", "dump", "fs", "gfs"))).isEqualTo("mounted gfs");
    }
    assertThat(nodes.get(1).fs(java.util.Map.of("op", "task", "run", "dump", "task", "T", "call", "nq", "fs", "gfs",
        "glock", "2/1c00", "state", "EX", "wait", "20000"))).startsWith("code OK");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> nodes.get(1).fs(java.util.Map.of("op", "task", "run", "dump",
        "task", "T", "call", "nq", "fs", "gfs", "glock", "2/zz", "state", "EX")))
        .hasMessageContaining("HTTP 400").hasMessageContaining("2/zz");

    CliRun glocks = CliRun.of("dump", "--dir", dir.toString(), "--glocks");
    assertThat(glocks.exit()).as(glocks.err()).isZero();
    assertThat(glocks.out()).contains("# glocks gfs member n1\n", "# glocks gfs member n2\nG:  s:EX n:2/1c00 ")
        .contains(" H: s:EX f:H e:0 p:").contains(" [T] scenario_nq");
    CliRun one = CliRun.of("dump", "--dir", dir.toString(), "--glocks", "--fs", "nosuchfs");
    assertThat(one.exit()).isEqualTo(2); // nobody mounts it: no member answered
    assertThat(one.err()).contains("n1 answered HTTP 400: /fs/glocks: filesystem nosuchfs is not mounted");
    CliRun locks = CliRun.of("dump", "--dir", dir.toString(), "--lockspace", "gfs");
    assertThat(locks.exit()).as(locks.err()).isZero();
    assertThat(locks.out()).contains("Resource \"       2            1c00\"");
  }

  private static String dirNodeOf(List<String> lines) {
    return lines.stream().filter(l -> l.startsWith("Resource \"R1\" Master:n1 Dir:")).findFirst()
        .map(l -> l.substring(l.lastIndexOf(':') + 1)).orElse("?");
  }

  private static void awaitCast(NodeDriver node, String lock) {
    long deadline = System.nanoTime() + STEP.toNanos();
    while (System.nanoTime() < deadline) {
      for (NodeDriver.ObservedEvent e : node.events(0, 500)) {
        if (e.lock().equals(lock) && e.kind() == NodeDriver.ObservedEvent.Kind.CAST) {
          assertThat(e.status()).isEqualTo("OK");
          return;
        }
      }
    }
    throw new AssertionError("no completion for " + lock + " within " + STEP);
  }

  private static void badRequestsAreOneLineHttp400s(int port, HttpClient http) throws Exception {
    record Case(String method, String pathAndQuery, int status, String message) {}
    List<Case> cases = List.of(
        new Case("POST", "/scenario/lock?ls=nope&lock=X&resource=R&mode=EX", 400, "unknown lockspace 'nope' on n1"),
        new Case("POST", "/scenario/lock?ls=fs1&lock=X&resource=R&mode=XX", 400, "bad mode 'XX'"),
        new Case("POST", "/scenario/lock?ls=fs1&lock=X&mode=EX", 400, "missing parameter 'resource'"),
        new Case("POST", "/scenario/lock?ls=fs1&lock=X&resource=R&mode=EX&flags=BOGUS", 400, "unknown lock flag 'BOGUS'"),
        new Case("GET", "/scenario/lock?ls=fs1&lock=X&resource=R&mode=EX", 405, "use POST"),
        new Case("GET", "/dump?ls=nope", 400, "lockspace 'nope' is not joined on n1"));
    for (Case c : cases) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + c.pathAndQuery()))
          .method(c.method(), HttpRequest.BodyPublishers.noBody()).timeout(STEP).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(c.pathAndQuery() + ": " + r.body()).isEqualTo(c.status());
      assertThat(r.body()).contains(c.message()).hasLineCount(1);
    }
  }
}
