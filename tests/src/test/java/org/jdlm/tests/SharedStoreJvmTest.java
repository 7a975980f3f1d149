package org.jdlm.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.jdlm.lab.NodeState;
import org.jdlm.lab.NodeStatus;
import org.jdlm.lab.ProcessState;
import org.jdlm.lab.Supervisor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab's shared store with real member JVMs: what a member writes outlives its incarnation, and
 * the fencing authority's ledger (fenced incarnations, generation) outlives every member and the
 * store process itself (brief §3; semantics §6.1; style rule 9: the generation only grows).
 */
@Tag("jvm")
class SharedStoreJvmTest {
  /** Bound for steps whose speed the tests do not assert (singleton start, journal replay, a fence). */
  private static final Duration STEP = Duration.ofSeconds(60);
  private static final Duration REQUEST = Duration.ofSeconds(70);

  @RegisterExtension
  final LabProcesses lab = new LabProcesses();

  @TempDir
  Path tmp;

  @Test
  void eventAppendedOnN1IsReadByItsRestartedIncarnationAndStatusShowsTheStore() throws Exception {
    Supervisor cluster = lab.supervisor(tmp.resolve("run"));
    cluster.up(1, OptionalInt.empty());
    Supervisor.StoreStatus store = cluster.storeStatus();
    assertThat(store.label()).isEqualTo("Up");
    assertThat(store.url()).hasValueSatisfying(url -> assertThat(url).startsWith("jdbc:h2:tcp://127.0.0.1:"));
    assertThat(store.line()).contains("store", "Up", "pid " + store.pid().getAsLong(), store.url().get());
    long oldUid = cluster.view("n1").self().uid();

    String text = "written by incarnation " + oldUid;
    ControlHttp appended = cluster.await("n1 stores the event", STEP, () -> ControlHttp.get(cluster, "n1",
        "/store/append?text=" + ControlHttp.encode(text), REQUEST).filter(r -> r.status() == 200));
    assertThat(appended.body()).contains("event " + text);

    long newUid = cluster.restart("n1").self().uid();
    assertThat(newUid).isNotEqualTo(oldUid);
    ControlHttp read = cluster.await("n1's new incarnation reads the store", STEP,
        () -> ControlHttp.get(cluster, "n1", "/store/read", REQUEST).filter(r -> r.status() == 200));
    assertThat(read.body().lines()).containsExactly("events count=1", "event " + text);
    assertThat(cluster.storeStatus().pid()).as("restart keeps the same store").isEqualTo(store.pid());

    cluster.down();
    assertThat(LabProcesses.liveLabProcesses()).as("members and store stopped").isEmpty();
  }

  @Test
  void fencedIncarnationAndGenerationSurviveAFullClusterRestartAndTheRestartedMemberIsAdmitted() throws Exception {
    Supervisor cluster = lab.supervisor(tmp.resolve("run"));
    cluster.up(3, OptionalInt.empty());
    long n3Uid = cluster.view("n3").self().uid();
    long n3Pid = cluster.pid("n3").orElseThrow();
    ControlHttp before = awaitAdmitted(cluster, "n1");
    long generationBefore = generation(before);

    // The operator fence: the acting coordinator's power agent SIGKILLs n3 and confirms it gone.
    // Nobody fences without the operator secret: not with a GET, not with a POST that lacks it.
    assertThat(ControlHttp.get(cluster, "n2", "/fencing/fence?node=n3", REQUEST).orElseThrow().status()).isEqualTo(405);
    ControlHttp refused = ControlHttp.post(cluster, "n2", "/fencing/fence?node=n3", java.util.Map.of(), REQUEST).orElseThrow();
    assertThat(refused.status()).as(refused.body()).isEqualTo(403);
    assertThat(refused.body()).startsWith("refused: operator action without the operator secret");
    // `dlm fence` with the run directory's secret (the supervisor gave its members the file).
    CliRun fence = CliRun.of("fence", "--node", "n3", "--dir", cluster.runDir().path().toString());
    assertThat(fence.exit()).as(fence.out() + fence.err()).isZero();
    ControlHttp fenced = new ControlHttp(200, fence.out());
    String line = fenced.line("fenced", "node=n3", "incarnation=" + n3Uid).orElseThrow(() -> new AssertionError(fenced.body()));
    assertThat(ControlHttp.field(line, "agent")).isEqualTo("power");
    assertThat(ProcessHandle.of(n3Pid).map(ProcessHandle::isAlive).orElse(false)).as("n3's pid " + n3Pid + " is dead").isFalse();
    assertThat(cluster.processState("n3")).isEqualTo(ProcessState.DEAD);
    ControlHttp after = ControlHttp.get(cluster, "n1", "/fencing/status", REQUEST).orElseThrow();
    long generationAfterFence = generation(after);
    assertThat(generationAfterFence).isGreaterThan(generationBefore);
    assertThat(Long.parseLong(ControlHttp.field(line, "generation"))).isEqualTo(generationAfterFence);
    assertThat(after.line("fenced", "node=n3", "incarnation=" + n3Uid)).isPresent();

    // Full-cluster restart: every member and the store stop; the database stays in the run directory.
    List<String> down = cluster.down();
    assertThat(down).anyMatch(l -> l.startsWith("store stopped"));
    assertThat(LabProcesses.liveLabProcesses()).isEmpty();
    List<NodeStatus> up = cluster.up(3, OptionalInt.empty());
    assertThat(up).extracting(NodeStatus::state).containsOnly(NodeState.UP);

    long newN3Uid = cluster.view("n3").self().uid();
    assertThat(newN3Uid).isNotEqualTo(n3Uid);
    ControlHttp n3 = awaitAdmitted(cluster, "n3");
    assertThat(n3.line("self", "name=n3", "incarnation=" + newN3Uid, "admission=admitted")).isPresent();
    ControlHttp n1 = awaitAdmitted(cluster, "n1");
    assertThat(n1.line("fenced", "node=n3", "incarnation=" + n3Uid, "agent=power")).as(n1.body()).isPresent();
    assertThat(generation(n1)).isGreaterThanOrEqualTo(generationAfterFence);
    assertThat(n1.line("admitted", "node=n3")).hasValueSatisfying(l -> assertThat(ControlHttp.field(l, "incarnations")
        .split(",")).contains(Long.toString(newN3Uid)));

    cluster.down();
    assertThat(LabProcesses.liveLabProcesses()).isEmpty();
  }

  /** {@code /fencing/status} of {@code node} once the authority has admitted its incarnation. */
  private static ControlHttp awaitAdmitted(Supervisor cluster, String node) throws InterruptedException {
    return cluster.await(node + " admitted by the fencing authority", STEP, () ->
        ControlHttp.get(cluster, node, "/fencing/status", REQUEST)
            .filter(r -> r.status() == 200 && r.line("self", "admission=admitted").isPresent()));
  }

  private static long generation(ControlHttp status) {
    return Long.parseLong(ControlHttp.field(status.line("authority").orElseThrow(() -> new AssertionError(status.body())),
        "generation"));
  }
}
