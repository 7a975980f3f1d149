package org.jdlm.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jdlm.fencing.core.WriteToken;
import org.jdlm.lab.ProcessState;
import org.jdlm.lab.Supervisor;
import org.jdlm.scenario.Mode;
import org.jdlm.scenario.run.HttpNodeDriver;
import org.jdlm.scenario.run.NodeDriver;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * "No two incompatible locks are ever granted at once, across a failure" on real member JVMs, from
 * the storage side (docs/fencing.md, "The safety test"): a frozen EX holder is fenced by the
 * {@code storage} agent alone (members run with {@code jdlm.fencing.agents = [storage]}, so nothing
 * kills it), the waiting EX on another member is granted, and when the frozen member runs again its
 * first write — with the token it held when it froze — is rejected by the shared disk, while the new
 * holder's write stands.
 *
 * <p>The stale write is sent while n3 is still stopped (the kernel accepts the connection) and
 * SIGCONT follows at once, so the write is issued before n3 can learn that it was downed; n3 then
 * halts itself (SelfFence, exit 70). If n3 were gone before its write reached the disk, the test
 * fails saying so: it must never pass without the rejection having happened.
 */
@Tag("jvm")
class StorageFencingSafetyJvmTest {
  private static final Duration STEP = Duration.ofSeconds(60);
  private static final String LS = "safety";
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @RegisterExtension
  final LabProcesses lab = new LabProcesses();

  @TempDir
  Path tmp;

  @Test
  void resumedFrozenHoldersWriteIsRejectedByTheDiskWhileTheNewHoldersWriteIsAccepted() throws Exception {
    Supervisor cluster = lab.supervisor(tmp.resolve("run"), List.of("-Djdlm.fencing.agents.0=storage"));
    cluster.up(3, OptionalInt.empty());
    HttpNodeDriver n1 = driver(cluster, "n1");
    HttpNodeDriver n2 = driver(cluster, "n2");
    HttpNodeDriver n3 = driver(cluster, "n3");
    joinAll(cluster, List.of(n1, n2, n3));
    // n1 is never frozen: its /disk/submit stands in for the storage fabric every member reaches
    // (a removed member's cluster messages are dropped by quarantine; a SAN sees its I/O anyway).
    String array = Supervisor.HOST + ":" + cluster.node("n1").controlPort();

    lockGranted(n1, "m", Mode.NL); // first lock: n1 masters R and survives
    lockGranted(n3, "h", Mode.EX);
    String before = post(cluster, "n3", diskWrite("h", "n3-before", array)).body();
    assertThat(before).as("n3's write under its EX").startsWith("written block=0");
    WriteToken oldToken = token(before);

    assertThat(n2.lock("w", "R", Mode.EX, Set.of(), null, true)).isEqualTo("OK");
    cluster.await("n2's EX to wait behind n3's", STEP,
        () -> Optional.ofNullable(n2.lockView("w")).filter(v -> v.state().equals("waiting")));

    long frozenPid = cluster.pid("n3").orElseThrow();
    cluster.pause("n3");
    NodeDriver.ObservedEvent grant = awaitCast(n2, "w");
    assertThat(grant.status()).as("n2's EX after n3 froze").isEqualTo("OK");
    assertThat(grant.mode()).isEqualTo(Mode.EX);
    // Granted only after fencing, and the fence was storage's (nothing killed n3).
    String fencing = ControlHttp.get(cluster, "n1", "/fencing/status", Duration.ofSeconds(10)).orElseThrow().body();
    assertThat(fencing).as("/fencing/status on n1").containsPattern("fenced node=n3 .*agent=storage");
    assertThat(cluster.processState("n3")).as("the storage agent does not kill").isEqualTo(ProcessState.PAUSED);

    String after = post(cluster, "n2", diskWrite("w", "n2-after", array)).body();
    assertThat(after).as("the new holder's write").startsWith("written block=0");
    WriteToken newToken = token(after);
    assertThat(newToken).as("a new grant carries a newer token").isGreaterThan(oldToken);

    // The frozen member's write, issued the moment it runs again.
    CompletableFuture<HttpResponse<String>> stale = HTTP.sendAsync(
        request(cluster, "n3", diskWrite("h", "n3-stale", array)), HttpResponse.BodyHandlers.ofString());
    cluster.resume("n3");
    HttpResponse<String> staleReply;
    try {
      staleReply = stale.get(STEP.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      // A separate outcome, reported as such: n3 halted before its write reached the disk, so the
      // disk's rejection was not shown. Never a pass.
      throw new AssertionError("n3's write was never answered: the process was gone after SIGCONT before the write"
          + " reached the disk (" + e.getCause() + "); the storage-side rejection was not exercised", e);
    }
    System.out.println("n3's write after SIGCONT: " + staleReply.body().strip()); // the evidence, in the test's output
    assertThat(staleReply.statusCode()).as("n3's stale write: %s", staleReply.body()).isEqualTo(200);
    assertThat(staleReply.body()).as("n3's write after it was fenced").startsWith("rejected block=0")
        .containsPattern("refusal=(KEY_REVOKED|STALE_TOKEN)");

    String block = ControlHttp.get(cluster, "n1", "/disk/read?block=0", Duration.ofSeconds(10)).orElseThrow().body();
    assertThat(block.strip()).isEqualTo("block block=0 data=n2-after token=" + newToken.generation() + "." + newToken.counter());

    // n3, downed while frozen, normally halts itself once it runs (SelfFence, exit 70). Reported, not
    // asserted: in one of the first runs (storage-only fencing, 1.5 s / 1 s detector) it was still
    // running 60 s after SIGCONT, a finding for the lead (MemberFailureJvmTest asserts the exit for
    // the lab's default agents). Whether it lingers or not, its writes are rejected, as shown above.
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (cluster.processState("n3") != ProcessState.DEAD && System.nanoTime() < deadline) {
      Thread.sleep(200); // polling the OS for the process, bounded by the deadline
    }
    OptionalInt exit = cluster.exitStatus(frozenPid);
    System.out.println("n3 after SIGCONT: " + (cluster.processState("n3") == ProcessState.DEAD
        ? "exited with status " + (exit.isPresent() ? exit.getAsInt() : "?")
        : "still running 20 s later; log tail:\n" + tail(cluster.logFile("n3"), 40)));
  }

  private static String tail(Path log, int lines) {
    try {
      List<String> all = java.nio.file.Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  private static HttpNodeDriver driver(Supervisor cluster, String node) {
    return new HttpNodeDriver(node, cluster.node(node).control(), LS, cluster.control(), Duration.ofSeconds(20));
  }

  private static void joinAll(Supervisor cluster, List<HttpNodeDriver> nodes) throws Exception {
    // One after the other: concurrent joins of a new lockspace can stall (see FailoverBench.joinAll).
    for (HttpNodeDriver d : nodes) {
      d.join(8, STEP);
    }
    for (HttpNodeDriver d : nodes) {
      cluster.await(d + " to see 3 lockspace members", STEP,
          () -> Optional.of(d.members()).filter(m -> m.size() == 3));
    }
  }

  private static void lockGranted(HttpNodeDriver node, String lock, Mode mode) {
    assertThat(node.lock(lock, "R", mode, Set.of(), null, true)).isEqualTo("OK");
    assertThat(awaitCast(node, lock).status()).as(node + " " + lock + " " + mode).isEqualTo("OK");
  }

  /** n's completion callback of {@code lock}, long-polled with a bound. */
  private static NodeDriver.ObservedEvent awaitCast(NodeDriver node, String lock) {
    long deadline = System.nanoTime() + STEP.toNanos();
    long seq = 0;
    while (System.nanoTime() < deadline) {
      for (NodeDriver.ObservedEvent e : node.events(seq, 5_000)) {
        seq = e.seq();
        if (e.kind() == NodeDriver.ObservedEvent.Kind.CAST && e.lock().equals(lock)) {
          return e;
        }
      }
    }
    throw new AssertionError(node + ": no completion of " + lock + " within " + STEP.toSeconds() + " s");
  }

  private static String diskWrite(String lock, String data, String via) {
    return "/disk/write?ls=" + LS + "&lock=" + lock + "&block=0&data=" + data + "&via=" + via;
  }

  private static HttpRequest request(Supervisor cluster, String node, String path) {
    return HttpRequest.newBuilder(URI.create("http://" + Supervisor.HOST + ":" + cluster.node(node).controlPort() + path))
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()).build();
  }

  private static HttpResponse<String> post(Supervisor cluster, String node, String path) throws IOException,
      InterruptedException {
    HttpResponse<String> r = HTTP.send(request(cluster, node, path), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("POST %s on %s: %s", path, node, r.body()).isEqualTo(200);
    return r;
  }

  /** The token of a {@code written block=B token=G.C} reply. */
  private static WriteToken token(String written) {
    String t = ControlHttp.field(written.strip(), "token");
    String[] parts = t.split("\\.");
    return new WriteToken(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
  }
}
