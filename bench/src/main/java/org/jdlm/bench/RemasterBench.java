package org.jdlm.bench;

import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdlm.dlm.api.LockHandle;
import org.jdlm.dlm.api.LockResult;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.dlm.api.RecoveryState;
import org.jdlm.dlm.core.CastStatus;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.testkit.InprocCluster;

/**
 * Remastering time (issue 4 item 7, part 2): n3 masters N resources (it takes the first lock, NL, on
 * each) and n1 holds a PR copy on every one of them, so the survivors have N locks to rebuild at
 * new masters when n3 dies. n3 is killed; the figures are the coordinator's phase timings
 * ({@link RecoveryState#lastRunMillis}: the phases from the start of recovery to RESUME, detection
 * apart) and the time from the kill to the grant of a new PR lock that n2 requested on one of
 * those resources right after the kill (parked while the lockspace is stopped).
 *
 * <p>In-process ({@link InprocCluster}: three ActorSystems in this JVM, real Artery TCP on
 * loopback between them), because setting up 100,000 resources through a member's HTTP endpoint
 * would measure the endpoint; the recovery messages cross the same remoting as between JVMs.
 */
public final class RemasterBench {

  /** Locks in flight while setting up: enough to keep the masters busy, bounded so nothing overflows. */
  private static final int IN_FLIGHT = 2_000;
  private static final long STEP_SECONDS = 120;

  private RemasterBench() {}

  /** One run's figures. */
  record Result(int locks, Map<String, Long> coordinatorMillis, long phasesMillis, long killToGrantMillis,
                long setupMillis, long cpuMillis) {}

  public static int run(int locks, int runs, java.io.PrintStream out) throws Exception {
    List<Long> phases = new ArrayList<>();
    for (int i = 1; i <= runs; i++) {
      Result r = once(locks);
      phases.add(r.phasesMillis());
      out.printf("remaster run %d: %d locks (setup %d ms): phases %d ms %s; kill -> new lock granted %d ms"
          + " (process CPU meanwhile %d ms)%n",
          i, r.locks(), r.setupMillis(), r.phasesMillis(), r.coordinatorMillis(), r.killToGrantMillis(), r.cpuMillis());
    }
    out.printf("remaster %d locks: phases samples %s ms, median %d ms%n", locks, phases,
        FailoverBench.median(phases));
    return 0;
  }

  static Result once(int locks) throws Exception {
    // The bench holds 2N locks on two nodes: lift the per-node bound above N for the run.
    try (InprocCluster c = InprocCluster.start(3, "remaster", LockspaceSettings.defaults(), ConfigFactory.parseString(
        "jdlm.dlm-actors.max-locks-per-node = " + Math.max(100_000, 2 * locks + 10)))) {
      LockspaceHandle n1 = c.lockspace(0);
      LockspaceHandle n2 = c.lockspace(1);
      LockspaceHandle n3 = c.lockspace(2);
      long setup = System.nanoTime();
      lockAll(n3, locks, LockMode.NL); // first lock on each name: n3 becomes its master
      lockAll(n1, locks, LockMode.PR); // a survivor's copy of every resource, rebuilt at the new master
      long setupMillis = (System.nanoTime() - setup) / 1_000_000;

      long before1 = n1.recoveryState().recoveriesCompleted();
      long before2 = n2.recoveryState().recoveriesCompleted();
      long cpuBefore = processCpuNanos();
      long killed = System.nanoTime();
      c.kill(2);
      LockHandle probe = n2.lock(name(locks / 2), LockMode.PR, Set.of(), null, null);
      LockResult granted = probe.completion().toCompletableFuture().get(STEP_SECONDS, TimeUnit.SECONDS);
      long killToGrant = (System.nanoTime() - killed) / 1_000_000;
      long cpuMillis = (processCpuNanos() - cpuBefore) / 1_000_000;
      if (granted.status() != CastStatus.OK) {
        throw new IllegalStateException("n2's PR on " + name(locks / 2) + " ended " + granted.status());
      }
      RecoveryState coordinator = awaitCoordinatorReport(n1, before1, n2, before2);
      long phasesMillis = coordinator.lastRunMillis().entrySet().stream().filter(e -> !e.getKey().equals("detection"))
          .mapToLong(Map.Entry::getValue).sum();
      return new Result(locks, coordinator.lastRunMillis(), phasesMillis, killToGrant, setupMillis, cpuMillis);
    }
  }

  /**
   * CPU time of this whole process (all three members), or 0 where the JVM does not tell. The lab
   * machine is shared, so wall-clock phase times depend on the load; the CPU spent from the kill
   * to the grant is the figure that does not.
   */
  private static long processCpuNanos() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return Math.max(0, os.getProcessCpuTime());
    }
    return 0;
  }

  private static String name(int i) {
    return "res-" + i;
  }

  /** Takes {@code mode} on res-0 … res-(n-1) from {@code node}, at most {@link #IN_FLIGHT} at once, all granted. */
  private static void lockAll(LockspaceHandle node, int n, LockMode mode) throws Exception {
    List<CompletableFuture<LockResult>> window = new ArrayList<>(IN_FLIGHT);
    for (int i = 0; i < n; i++) {
      window.add(node.lock(name(i), mode, Set.of(), null, null).completion().toCompletableFuture());
      if (window.size() == IN_FLIGHT || i == n - 1) {
        for (CompletableFuture<LockResult> f : window) {
          LockResult r = f.get(STEP_SECONDS, TimeUnit.SECONDS);
          if (r.status() != CastStatus.OK) {
            throw new IllegalStateException(node.nodeId() + ": " + mode + " lock ended " + r.status() + " during setup");
          }
        }
        window.clear();
      }
    }
  }

  /** The survivor that coordinated the recovery from the kill (it publishes the phase timings), once both finished it. */
  private static RecoveryState awaitCoordinatorReport(LockspaceHandle a, long beforeA, LockspaceHandle b, long beforeB)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STEP_SECONDS);
    while (System.nanoTime() < deadline) {
      RecoveryState ra = a.recoveryState();
      RecoveryState rb = b.recoveryState();
      // Only the run for the kill moves masters: the join run before it has no REMASTER phase, and a
      // member counts the new run as completed (at its RESUME) before the coordinator reports it.
      if (ra.recoveriesCompleted() > beforeA && rb.recoveriesCompleted() > beforeB) {
        if (ra.lastRunMillis().containsKey("REMASTER")) {
          return ra;
        }
        if (rb.lastRunMillis().containsKey("REMASTER")) {
          return rb;
        }
      }
      Thread.sleep(20); // polling an in-process state holder, bounded by the deadline
    }
    throw new IllegalStateException("no coordinator reported the recovery within " + STEP_SECONDS + " s");
  }
}
