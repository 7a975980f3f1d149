package org.jdlm.dlm;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jdlm.dlm.Dlm;
import org.jdlm.dlm.api.LockHandle;
import org.jdlm.dlm.api.LockRequester;
import org.jdlm.dlm.api.LockResult;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.dlm.core.CastStatus;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.core.OwnerLockState;
import org.jdlm.dlm.testkit.InprocCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The periodic wait-for-graph detector on a live in-process cluster (issue 11 ★, done-when: a
 * cross-member DLM-only deadlock over two or more resources is reported, and where configured
 * broken with EDEADLK, within 5 s): ABBA across members, a three-member ring, and a plain long
 * wait that must be a stall, never a deadlock. Lockspace {@code wfg} only reports; {@code brk} is
 * listed in {@code break-deadlocks-in}.
 */
class WaitsDetectorClusterTest {

  private static InprocCluster cluster;
  private static final LockspaceHandle[] wfg = new LockspaceHandle[3];
  private static final LockspaceHandle[] brk = new LockspaceHandle[3];

  @BeforeAll
  static void start() throws Exception {
    cluster = InprocCluster.start(3, "wfg", LockspaceSettings.defaults(), ConfigFactory.parseString("""
        jdlm.kernel.detector.break-deadlocks-in = [brk]
        jdlm.kernel.detector.stall-bound = 1s
        """));
    for (int i = 0; i < 3; i++) {
      wfg[i] = cluster.lockspace(i);
    }
    for (int i = 0; i < 3; i++) {
      brk[i] = Dlm.get(cluster.system(i)).joinLockspace("brk", LockspaceSettings.defaults())
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (brk[0].members().size() < 3 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static LockHandle lock(LockspaceHandle ls, String task, String resource) {
    return LockRequester.as(task, () -> ls.lock(resource, LockMode.EX, Set.of(), null, null));
  }

  private static LockResult granted(LockHandle h) throws Exception {
    LockResult r = h.completion().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(r.status()).isEqualTo(CastStatus.OK);
    return r;
  }

  private static void awaitState(LockHandle h, OwnerLockState state) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (h.state() != state && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(h.state()).isEqualTo(state);
  }

  /** The first report on member {@code i} matching {@code p}, waiting up to {@code within}. */
  private static Optional<WaitsDetector.Report> awaitReport(int i, Predicate<WaitsDetector.Report> p, Duration within)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    do {
      Optional<WaitsDetector.Report> r = WaitsDetector.get(cluster.system(i)).reports().stream().filter(p).findFirst();
      if (r.isPresent()) {
        return r;
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    return Optional.empty();
  }

  private static Predicate<WaitsDetector.Report> deadlockOf(String... tasks) {
    return r -> r.kind().equals("DEADLOCK") && List.of(tasks).stream().allMatch(t -> r.vertices().contains(t));
  }

  @Test
  void abbaAcrossTwoMembersIsReportedWithinFiveSecondsOnEveryMember() throws Exception {
    LockHandle a1 = lock(wfg[0], "abba-A", "ab-R1");
    LockHandle b2 = lock(wfg[1], "abba-B", "ab-R2");
    granted(a1);
    granted(b2);
    LockHandle a2 = lock(wfg[0], "abba-A", "ab-R2");
    LockHandle b1 = lock(wfg[1], "abba-B", "ab-R1");
    long closed = System.nanoTime();
    awaitState(a2, OwnerLockState.WAITING);
    awaitState(b1, OwnerLockState.WAITING);

    Optional<WaitsDetector.Report> report = awaitReport(0, deadlockOf("n1/task:abba-A", "n2/task:abba-B"),
        Duration.ofSeconds(5));
    assertThat(report).as("ABBA reported on n1 within 5 s").isPresent();
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closed);
    System.out.println("ABBA reported after " + tookMs + " ms:\n" + report.get().text());
    assertThat(report.get().text()).contains("(cross-node)").contains("--held-by-->")
        .contains("--waits-dlm-grant(EX ab-R2)-->").contains("cycle over 2 lock resources");
    assertThat(report.get().victim()).as("wfg is not in break-deadlocks-in").isEmpty();
    // Every member merges the same facts and sees the knot.
    assertThat(awaitReport(2, deadlockOf("n1/task:abba-A", "n2/task:abba-B"), Duration.ofSeconds(3))).isPresent();
    // Reported once while it lasts, not every scan.
    Thread.sleep(2500);
    assertThat(WaitsDetector.get(cluster.system(0)).reports().stream()
        .filter(deadlockOf("n1/task:abba-A", "n2/task:abba-B")).count()).isEqualTo(1);
    // Not broken: both still wait.
    assertThat(a2.state()).isEqualTo(OwnerLockState.WAITING);
    assertThat(b1.state()).isEqualTo(OwnerLockState.WAITING);

    b1.cancel().toCompletableFuture().get(10, TimeUnit.SECONDS);
    b2.unlock(Set.of(), null).toCompletableFuture().get(10, TimeUnit.SECONDS);
    granted(a2);
    a1.unlock(Set.of(), null).toCompletableFuture().get(10, TimeUnit.SECONDS);
    a2.unlock(Set.of(), null).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void abbaInABreakingLockspaceDeniesTheLaterRequestWithEdeadlkWithinFiveSeconds() throws Exception {
    LockHandle a1 = lock(brk[0], "brk-A", "bk-R1");
    LockHandle b2 = lock(brk[1], "brk-B", "bk-R2");
    granted(a1);
    granted(b2);
    LockHandle a2 = lock(brk[0], "brk-A", "bk-R2");
    awaitState(a2, OwnerLockState.WAITING);
    Thread.sleep(50); // b's request closes the cycle: queued last, it is the victim
    LockHandle b1 = lock(brk[1], "brk-B", "bk-R1");
    long closed = System.nanoTime();

    LockResult denied = b1.completion().toCompletableFuture().get(5, TimeUnit.SECONDS);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closed);
    System.out.println("ABBA broken after " + tookMs + " ms");
    assertThat(denied.status()).isEqualTo(CastStatus.EDEADLK);
    assertThat(b1.state()).as("a denied new request is destroyed").isEqualTo(OwnerLockState.DESTROYED);
    assertThat(b2.state()).as("the victim's other lock is untouched").isEqualTo(OwnerLockState.GRANTED);
    assertThat(a2.state()).isEqualTo(OwnerLockState.WAITING);
    Optional<WaitsDetector.Report> report = awaitReport(0, deadlockOf("n1/task:brk-A", "n2/task:brk-B"),
        Duration.ofSeconds(1));
    assertThat(report).isPresent();
    assertThat(report.get().victim()).hasValueSatisfying(v -> assertThat(v).startsWith("n2/task:brk-B"));
    assertThat(report.get().text()).contains("victim: n2/task:brk-B").contains("completes with EDEADLK");

    // The victim backs off as a VMS application does: the survivor is granted.
    b2.unlock(Set.of(), null).toCompletableFuture().get(10, TimeUnit.SECONDS);
    granted(a2);
    a1.unlock(Set.of(), null).toCompletableFuture().get(10, TimeUnit.SECONDS);
    a2.unlock(Set.of(), null).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aConversionVictimKeepsItsGrantedMode() throws Exception {
    LockHandle a1 = LockRequester.as("cv-A", () -> brk[0].lock("cv-R1", LockMode.PR, Set.of(), null, null));
    LockHandle b1 = LockRequester.as("cv-B", () -> brk[1].lock("cv-R1", LockMode.PR, Set.of(), null, null));
    LockHandle b2 = lock(brk[1], "cv-B", "cv-R2");
    granted(a1);
    granted(b1);
    granted(b2);
    LockHandle a2 = lock(brk[0], "cv-A", "cv-R2"); // A waits for B's R2
    awaitState(a2, OwnerLockState.WAITING);
    Thread.sleep(50);
    var conversion = LockRequester.as("cv-B", () -> b1.convert(LockMode.EX, Set.of(), null)); // B waits for A's R1 PR
    LockResult denied = conversion.toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(denied.status()).isEqualTo(CastStatus.EDEADLK);
    assertThat(b1.state()).isEqualTo(OwnerLockState.GRANTED);
    assertThat(b1.grantedMode()).isEqualTo(LockMode.PR);
    b2.unlock(Set.of(), null).toCompletableFuture().get(10, TimeUnit.SECONDS);
    granted(a2);
    for (LockHandle h : List.of(a1, a2, b1)) {
      h.unlock(Set.of(), null).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aThreeMemberRingIsOneKnot() throws Exception {
    LockHandle x1 = lock(wfg[0], "ring-X", "rg-1");
    LockHandle y2 = lock(wfg[1], "ring-Y", "rg-2");
    LockHandle z3 = lock(wfg[2], "ring-Z", "rg-3");
    granted(x1);
    granted(y2);
    granted(z3);
    LockHandle x2 = lock(wfg[0], "ring-X", "rg-2");
    LockHandle y3 = lock(wfg[1], "ring-Y", "rg-3");
    LockHandle z1 = lock(wfg[2], "ring-Z", "rg-1");
    Optional<WaitsDetector.Report> report = awaitReport(1,
        deadlockOf("n1/task:ring-X", "n2/task:ring-Y", "n3/task:ring-Z"), Duration.ofSeconds(5));
    assertThat(report).isPresent();
    assertThat(report.get().text()).contains("cycle over 3 lock resources").contains("at=n1,n2,n3");
    z1.cancel().toCompletableFuture().get(10, TimeUnit.SECONDS);
    z3.unlock(Set.of(), null).toCompletableFuture().get(10, TimeUnit.SECONDS);
    granted(y3);
    y2.unlock(Set.of(), null).toCompletableFuture().get(10, TimeUnit.SECONDS);
    granted(x2);
    for (LockHandle h : List.of(x1, x2, y3)) {
      h.unlock(Set.of(), null).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aPlainLongWaitIsAStallNotADeadlock() throws Exception {
    LockHandle held = lock(brk[0], "long-holder", "lw-R");
    granted(held);
    LockHandle waiter = lock(brk[1], "long-waiter", "lw-R");
    awaitState(waiter, OwnerLockState.WAITING);
    Optional<WaitsDetector.Report> stall = awaitReport(0,
        r -> r.kind().equals("STALL") && r.vertices().contains("n2/task:long-waiter"), Duration.ofSeconds(5));
    assertThat(stall).isPresent();
    assertThat(stall.get().text()).contains("no-knot").contains("ends: n1/lkb:");
    assertThat(WaitsDetector.get(cluster.system(0)).reports().stream()
        .filter(r -> r.kind().equals("DEADLOCK") && r.vertices().contains("n2/task:long-waiter"))).isEmpty();
    assertThat(waiter.state()).as("never a victim: no deadlock").isEqualTo(OwnerLockState.WAITING);
    held.unlock(Set.of(), null).toCompletableFuture().get(10, TimeUnit.SECONDS);
    granted(waiter);
    waiter.unlock(Set.of(), null).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
