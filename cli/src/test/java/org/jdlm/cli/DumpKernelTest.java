package org.jdlm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.Task;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.TaskFlag;
import org.jdlm.kernel.core.WaitEdge;
import org.jdlm.kernel.core.waits.FactsText;
import org.jdlm.kernel.core.waits.Vertex;
import org.jdlm.kernel.core.waits.WaitGraph;
import org.jdlm.lab.NodeSpec;
import org.jdlm.lab.ProcessState;
import org.jdlm.member.CliError;
import org.jdlm.member.ControlClient;
import org.jdlm.member.ControlEndpoint;
import org.jdlm.member.HostPort;
import org.jdlm.member.MemberNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lab member runs a kernel and serves /kernel/memory, /kernel/tasks and /kernel/waits; a plain
 * member serves none of them; {@code dlm dump --memory/--tasks/--waits} reads them over the control
 * endpoints, merges the waits and prints what the detector finds. Members run in this JVM.
 */
class DumpKernelTest {
  private static final String[] KERNEL_PATHS = {"/kernel/memory", "/kernel/tasks", "/kernel/waits"};
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ControlClient control = new ControlClient(Duration.ofSeconds(2));
  private final List<MemberNode> started = new ArrayList<>();
  private final List<ControlEndpoint> fixtures = new ArrayList<>();
  private final List<CompletableFuture<Void>> never = new ArrayList<>();
  @TempDir Path tmp;

  @AfterEach
  void stop() throws Exception {
    never.forEach(f -> f.complete(null));
    fixtures.forEach(ControlEndpoint::close);
    for (MemberNode m : started) {
      m.system().terminate();
    }
    for (MemberNode m : started) {
      m.termination().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private MemberNode node(String name, String... extra) throws IOException {
    List<String> args = new ArrayList<>(List.of("--name", name, "--port", Integer.toString(freePort()),
        "--dir", tmp.resolve(name).toString()));
    args.addAll(List.of(extra));
    MemberNode m = NodeCommand.start(args);
    started.add(m);
    return m;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private HttpResponse<String> get(MemberNode m, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.control().port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static DumpCommand.Target target(String name, int controlPort, ProcessState state) {
    return new DumpCommand.Target(new NodeSpec(name, new HostPort("127.0.0.1", 1), controlPort), state);
  }

  private static DumpCommand.Target target(String name, MemberNode m) {
    return target(name, m.control().port(), ProcessState.RUNNING);
  }

  /**
   * Spawns two tasks on {@code kernel} that wait (AND, waits-reply) on each other until the test
   * ends: a task's vertex carries its id ({@code task:ping#5}), so each learns the other's first.
   */
  private void twoTasksWaitingOnEachOther(Kernel kernel) {
    CompletableFuture<Void> forever = new CompletableFuture<>();
    never.add(forever);
    CompletableFuture<String> pong = new CompletableFuture<>();
    Task ping = kernel.spawn("ping", EnumSet.noneOf(TaskFlag.class), () -> Task.current().await(
        WaitEdge.of(EdgeKind.WAITS_REPLY, "", pong.join()), forever, Duration.ofMinutes(5)));
    Task pongTask = kernel.spawn("pong", EnumSet.noneOf(TaskFlag.class), () -> Task.current().await(
        WaitEdge.of(EdgeKind.WAITS_REPLY, "", ping.endpoint()), forever, Duration.ofMinutes(5)));
    pong.complete(pongTask.endpoint());
  }

  @Test
  void aLabMemberServesItsKernelAndAPlainMemberDoesNot() throws Exception {
    MemberNode lab = node("n1", "--lab");
    MemberNode plain = node("n2");
    assertThat(lab.kernel()).isPresent();
    assertThat(plain.kernel()).as("jdlm.member.kernel.enabled is off by default").isEmpty();
    for (String p : KERNEL_PATHS) {
      assertThat(get(plain, p).statusCode()).as(p).isEqualTo(404);
      assertThat(get(lab, p).statusCode()).as(p).isEqualTo(200);
    }
    assertThat(get(lab, "/kernel/memory").body()).startsWith("MEMORY member=n1 ");
    assertThat(get(lab, "/kernel/tasks").body()).contains("khungtaskd");
    String waits = get(lab, "/kernel/waits").body();
    assertThat(waits).startsWith("jdlm-waits 1 member=n1\n");
    WaitGraph.Builder g = WaitGraph.builder();
    FactsText.read(waits, 0L, g);
    assertThat(g.build().vertices()).contains(Vertex.mem("n1"))
        .anySatisfy(v -> assertThat(v.name()).startsWith("n1/task:khungtaskd#"));
  }

  @Test
  void dumpWaitsThroughRealMembersFindsAKnotInOneMemberAndNamesTheDeadOne() throws Exception {
    MemberNode n1 = node("n1", "--lab");
    MemberNode n2 = node("n2", "--lab");
    Kernel k = n1.kernel().orElseThrow().kernel();
    List<DumpCommand.Target> targets = List.of(target("n1", n1), target("n2", n2),
        target("n3", 1, ProcessState.DEAD), target("n4", 1, ProcessState.PAUSED));

    String quiet = DumpCommand.waitsReport(control, targets, TIMEOUT, Duration.ofMinutes(1), System.nanoTime());
    assertThat(quiet).matches("no deadlock, no stalled task \\(\\d+ tasks on 2 members\\)\n"
        + "Not dumped: n3 dead \\(no process\\)\nNot dumped: n4 paused \\(SIGSTOP; not asked\\)\n");

    twoTasksWaitingOnEachOther(k);
    String report = awaitReport(targets);
    assertThat(report).startsWith("WFG DEADLOCK id=dump-1 ").contains("n1/task:ping", "n1/task:pong", "waits-reply")
        .endsWith("Not dumped: n3 dead (no process)\nNot dumped: n4 paused (SIGSTOP; not asked)\n");

    String tasks = DumpCommand.kernelDump(control, targets, "/kernel/tasks", TIMEOUT);
    assertThat(tasks).contains("ping", "pong").contains("Not dumped: n3 dead (no process)");
    String memory = DumpCommand.kernelDump(control, targets, "/kernel/memory", TIMEOUT);
    assertThat(memory).contains("MEMORY member=n1 ", "MEMORY member=n2 ");
  }

  /** The two tasks register their waits on their own threads: ask until both are in. */
  private String awaitReport(List<DumpCommand.Target> targets) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String report;
    do {
      report = DumpCommand.waitsReport(control, targets, TIMEOUT, Duration.ofMinutes(1), System.nanoTime());
      if (report.startsWith("WFG DEADLOCK")) {
        return report;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    return report;
  }

  /** A member's /kernel/waits played by a bare control endpoint answering fixed facts. */
  private DumpCommand.Target fixture(String name, String waits) throws IOException {
    ControlEndpoint e = ControlEndpoint.start("127.0.0.1", 0, 1);
    fixtures.add(e);
    e.register("/kernel/waits", r -> ControlEndpoint.Response.ok(waits));
    return target(name, e.port(), ProcessState.RUNNING);
  }

  /** A task on {@code self} waiting for a lock held, on {@code other}, by a task waiting in turn. */
  private static String crossMember(String self, String other, long now) {
    FactsText.Writer w = new FactsText.Writer(self, now);
    Vertex task = Vertex.task(self, "app");
    Vertex lkb = Vertex.lkb(other, "00010001");
    w.waits(task, EdgeKind.WAITS_DLM_GRANT, "EX r" + self, lkb);
    w.waitingSince(task, now - 3_000_000_000L);
    w.heldBy(Vertex.lkb(self, "00010001"), List.of(task));
    return w.text();
  }

  @Test
  void dumpWaitsMergesTwoMembersIntoOneCrossMemberKnot() throws Exception {
    List<DumpCommand.Target> targets = List.of(fixture("n1", crossMember("n1", "n2", 100)),
        fixture("n2", crossMember("n2", "n1", 7)));
    String report = DumpCommand.waitsReport(control, targets, TIMEOUT, Duration.ofMinutes(1), 1_000_000_000_000L);
    assertThat(report).startsWith("WFG DEADLOCK id=dump-1 ").contains("knot=4",
        "n1/task:app", "n2/task:app", "n1/lkb:00010001", "n2/lkb:00010001", "waits-dlm-grant(EX rn1)", "held-by")
        .doesNotContain("Not dumped");
  }

  @Test
  void halfAKnotIsAStallPastTheBoundAndAnUnreadableMemberIsNamed() throws Exception {
    List<DumpCommand.Target> targets = List.of(fixture("n1", crossMember("n1", "n2", 100)),
        fixture("n2", "jdlm-waits 1 member=n2\nvertex n2/task:app\nend 2\n"));
    String report = DumpCommand.waitsReport(control, targets, TIMEOUT, Duration.ofSeconds(1), 1_000_000_000_000L);
    assertThat(report).doesNotContain("WFG DEADLOCK").startsWith("WFG STALL id=dump-1 ").contains("n1/task:app")
        .endsWith("Not dumped: n2 sent unreadable waits: line 3: end counts 2 facts but 1 came before it\n");
    String within = DumpCommand.waitsReport(control, targets.subList(0, 1), TIMEOUT, Duration.ofSeconds(5),
        1_000_000_000_000L);
    assertThat(within).isEqualTo("no deadlock, no stalled task (1 task on 1 member)\n");
  }

  @Test
  void noAnsweringMemberIsOneError() {
    List<DumpCommand.Target> targets = List.of(target("n1", 1, ProcessState.DEAD));
    assertThatThrownBy(() -> DumpCommand.waitsReport(control, targets, TIMEOUT, Duration.ofSeconds(1), 0L))
        .isInstanceOf(CliError.class).hasMessage("dump: no member answered /kernel/waits (n1 dead (no process))");
  }

  @Test
  void badOptionCombinationsAreOneLineErrors() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Console console = new Console(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    String dir = tmp.resolve("run").toString();
    assertThat(Main.run(List.of("dump", "--dir", dir, "--memory", "--waits"), console)).isEqualTo(Main.EXIT_ERROR);
    assertThat(Main.run(List.of("dump", "--dir", dir, "--stall-bound", "5s"), console)).isEqualTo(Main.EXIT_ERROR);
    assertThat(Main.run(List.of("dump", "--dir", dir, "--waits", "--stall-bound", "soon"), console))
        .isEqualTo(Main.EXIT_ERROR);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo(
        "dlm: dump: give at most one of --memory, --tasks and --waits\n"
            + "dlm: dump: --stall-bound goes with --waits only\n"
            + "dlm: dump: --stall-bound 'soon' is not a duration (e.g. 30s, 500ms)\n");
  }
}
