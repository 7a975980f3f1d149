package org.jdlm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdlm.lab.LabSettings;
import org.jdlm.lab.MemberLauncher;
import org.jdlm.lab.RunDir;
import org.jdlm.lab.Supervisor;
import org.jdlm.scenario.Mode;
import org.jdlm.scenario.run.HttpNodeDriver;
import org.jdlm.scenario.run.NodeDriver;

/**
 * Failover time on real member JVMs (issue 4 item 7): how long a waiter at a surviving master waits
 * when the holder of an incompatible lock dies (SIGKILL) or freezes (SIGSTOP, then fenced by the
 * power agent).
 *
 * <p>One sample, on a 3-member lab cluster and a fresh lockspace: n1 takes NL on R (so n1 masters R),
 * n3 takes EX, n2 requests EX and waits. The clock starts just before the signal; the sample ends at
 * the {@code atNanos} of n2's completion callback, which the member stamps with
 * {@code System.nanoTime()} — on one Linux host the same monotonic clock as this process's, so the
 * figure does not include the long poll's own latency. n3 is then restarted for the next sample.
 *
 * <p>The kill, the grant and the restart are awaited with bounds; a sample that does not end in a
 * grant is an error, never a number.
 */
public final class FailoverBench implements AutoCloseable {

  /** How a sample's victim fails. */
  public enum Fault {
    /** SIGKILL: the process is gone, its TCP connections close. */
    KILL,
    /** SIGSTOP: the process is frozen, only the failure detector notices; the power agent kills it. */
    PAUSE
  }

  /**
   * Which member fails (issue 14 item 3: losing the oldest member, which hosts the cluster
   * singletons, must cost what losing any other does).
   */
  public enum Victim {
    /** n3, the youngest of the three: n1 masters R, n3 holds EX, n2 waits. */
    OTHER("n3", "n1", "n2"),
    /**
     * n1, the oldest member (it bootstraps the lab, and the others restarted after it each run keep
     * it oldest): n2 masters R, n1 holds EX, n3 waits.
     */
    OLDEST("n1", "n2", "n3");

    final String holder;
    final String master;
    final String waiter;

    Victim(String holder, String master, String waiter) {
      this.holder = holder;
      this.master = master;
      this.waiter = waiter;
    }
  }

  /** One measured failover; {@code phases} is the coordinator's "recovery N finished" line, if found. */
  public record Sample(Fault fault, int run, long millis, Optional<String> phases) {}

  /** Bounds of one sample. */
  public record Bounds(Duration grant, Duration join, Duration request) {
    public static final Bounds DEFAULT = new Bounds(Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(20));
  }

  private static final String RESOURCE = "R";

  private final Supervisor supervisor;
  private final Path dir;
  private boolean ownDir;
  private final Bounds bounds;
  private int lockspaces;

  private FailoverBench(Supervisor supervisor, Path dir, boolean ownDir, Bounds bounds) {
    this.supervisor = supervisor;
    this.dir = dir;
    this.ownDir = ownDir;
    this.bounds = bounds;
  }

  /**
   * Starts a 3-member lab cluster in {@code dir} (a new temporary directory when empty), members
   * started with the lab's JVM options plus {@code extraMemberOptions} (e.g. {@code -D} overrides of
   * the failure detector).
   */
  public static FailoverBench start(Optional<Path> dir, List<String> extraMemberOptions, LabSettings lab, Bounds bounds)
      throws IOException, InterruptedException {
    Path d = dir.isPresent() ? dir.get() : Files.createTempDirectory("jdlm-bench-failover-");
    List<String> jvm = new ArrayList<>(lab.memberJvmOptions());
    jvm.addAll(extraMemberOptions);
    LabSettings settings = new LabSettings(lab.defaultDir(), lab.maxNodes(), lab.upTimeout(), lab.restartTimeout(),
        lab.controlTimeout(), lab.pollInterval(), lab.downGrace(), lab.killTimeout(), jvm, lab.storeStartTimeout(),
        lab.storeJvmOptions());
    Supervisor supervisor = new Supervisor(new RunDir(d), settings, MemberLauncher.current(settings));
    FailoverBench bench = new FailoverBench(supervisor, d, dir.isEmpty(), bounds);
    try {
      supervisor.up(3, OptionalInt.empty());
    } catch (IOException | InterruptedException | RuntimeException e) {
      bench.close();
      throw e;
    }
    return bench;
  }

  /** The lab's supervisor (for logs and tests). */
  public Supervisor supervisor() {
    return supervisor;
  }

  /** Runs one sample with n3 as the victim and restarts it afterwards. */
  public Sample sample(Fault fault, int run) throws Exception {
    return sample(fault, Victim.OTHER, run);
  }

  /**
   * Runs one sample and restarts the victim afterwards; for {@link Victim#OLDEST} the two others are
   * restarted after it too (one after the other), so that n1 is the oldest member again next run.
   */
  public Sample sample(Fault fault, Victim victim, int run) throws Exception {
    String ls = "failover-" + fault.name().toLowerCase() + "-" + (++lockspaces);
    java.util.Map<String, HttpNodeDriver> nodes = new java.util.HashMap<>();
    List<HttpNodeDriver> joined = joinAll(ls);
    for (int i = 0; i < joined.size(); i++) {
      nodes.put("n" + (i + 1), joined.get(i)); // joinAll answers n1, n2, n3 in that order
    }
    HttpNodeDriver master = nodes.get(victim.master);
    HttpNodeDriver holder = nodes.get(victim.holder);
    HttpNodeDriver waiter = nodes.get(victim.waiter);

    // The master locks first, so the directory makes it R's master: the master survives, only the holder dies.
    lockAndAwait(master, "m", Mode.NL);
    if (master.resourceView(RESOURCE) == null) {
      throw new IllegalStateException(master + " took the first lock on " + RESOURCE + " but does not master it");
    }
    lockAndAwait(holder, "h", Mode.EX);
    long after = lastSeq(waiter);
    expectOk(waiter.lock("w", RESOURCE, Mode.EX, Set.of(), null, true), waiter + " lock w EX");
    awaitState(waiter, "w", "waiting");

    long t0 = System.nanoTime();
    switch (fault) {
      case KILL -> supervisor.kill(victim.holder);
      case PAUSE -> supervisor.pause(victim.holder);
      default -> throw new IllegalStateException("no handler for " + fault);
    }
    NodeDriver.ObservedEvent grant = awaitCast(waiter, "w", after, bounds.grant());
    if (!"OK".equals(grant.status()) || grant.mode() != Mode.EX) {
      throw new IllegalStateException(waiter + "'s EX ended " + grant.status() + " " + grant.mode() + " instead of a grant");
    }
    long millis = (grant.atNanos() - t0) / 1_000_000;
    Optional<String> phases = recoveryLine(ls);
    supervisor.restart(victim.holder); // a paused victim was killed by the power agent; restart is a power cycle anyway
    if (victim == Victim.OLDEST) {
      supervisor.restart(victim.master);
      supervisor.restart(victim.waiter);
    }
    return new Sample(fault, run, millis, phases);
  }

  private List<HttpNodeDriver> joinAll(String ls) throws Exception {
    List<HttpNodeDriver> nodes = new ArrayList<>();
    for (String n : List.of("n1", "n2", "n3")) {
      nodes.add(new HttpNodeDriver(n, supervisor.node(n).control(), ls, supervisor.control(), bounds.request()));
    }
    // One after the other: three members joining a new lockspace at once, one of them a restarted
    // incarnation, sometimes stall in recovery (two coordinators with different views; reported to
    // the lead). Sequential joins are also what an application starting members one by one does.
    for (HttpNodeDriver d : nodes) {
      d.join(8, bounds.join());
    }
    for (HttpNodeDriver d : nodes) {
      supervisor.await(d + " seeing 3 lockspace members", bounds.join(),
          () -> d.members().size() >= 3 ? Optional.of(true) : Optional.empty());
    }
    return nodes;
  }

  private void lockAndAwait(HttpNodeDriver node, String lock, Mode mode) {
    long after = lastSeq(node);
    expectOk(node.lock(lock, RESOURCE, mode, Set.of(), null, true), node + " lock " + lock + " " + mode);
    NodeDriver.ObservedEvent e = awaitCast(node, lock, after, bounds.request());
    if (!"OK".equals(e.status())) {
      throw new IllegalStateException(node + " lock " + lock + " " + mode + " ended " + e.status());
    }
  }

  private static void expectOk(String code, String what) {
    if (!"OK".equals(code)) {
      throw new IllegalStateException(what + " answered " + code);
    }
  }

  private static long lastSeq(NodeDriver node) {
    List<NodeDriver.ObservedEvent> all = node.events(0, 0);
    return all.isEmpty() ? 0 : all.get(all.size() - 1).seq();
  }

  /** Long-polls {@code node}'s callbacks after {@code after} until {@code lock}'s completion, bounded. */
  private static NodeDriver.ObservedEvent awaitCast(NodeDriver node, String lock, long after, Duration bound) {
    long deadline = System.nanoTime() + bound.toNanos();
    long seq = after;
    while (System.nanoTime() < deadline) {
      long wait = Math.max(1, Math.min(5_000, (deadline - System.nanoTime()) / 1_000_000));
      for (NodeDriver.ObservedEvent e : node.events(seq, wait)) {
        seq = e.seq();
        if (e.kind() == NodeDriver.ObservedEvent.Kind.CAST && e.lock().equals(lock)) {
          return e;
        }
      }
    }
    throw new IllegalStateException(node + ": no completion of " + lock + " within " + bound.toSeconds() + " s");
  }

  private void awaitState(HttpNodeDriver node, String lock, String state) throws InterruptedException {
    supervisor.await(node + " " + lock + " " + state, bounds.request(), () -> {
      NodeDriver.LockView v = node.lockView(lock);
      return v != null && state.equals(v.state()) ? Optional.of(true) : Optional.<Boolean>empty();
    });
  }

  private static final Pattern FINISHED = Pattern.compile("lockspace (\\S+): recovery (\\d+) finished: (.*)$");

  /**
   * The coordinator's "recovery N finished: detection X ms, phases {...}" line of the failure's
   * recovery (the one with a REMASTER phase) for {@code ls} from
   * the survivors' logs (the coordinator is the lowest surviving member by address, not necessarily
   * n1). The line is written just before RESUME reaches the members, so it is there by the time n2
   * was granted; one short bounded wait covers the log's buffering.
   */
  Optional<String> recoveryLine(String ls) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    do {
      for (String n : List.of("n1", "n2", "n3")) { // the coordinator is a survivor: n1 or n2, or n2 or n3
        Optional<String> line = findFinished(supervisor.logFile(n), ls);
        if (line.isPresent()) {
          return Optional.of(n + ": " + line.get());
        }
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    return Optional.empty();
  }

  static Optional<String> findFinished(Path log, String ls) {
    try (var lines = Files.lines(log)) {
      // Only a run with a departure has a REMASTER phase: the lockspace's joins finish runs too.
      return lines.map(FINISHED::matcher).filter(Matcher::find).filter(m -> m.group(1).equals(ls))
          .filter(m -> m.group(3).contains("REMASTER"))
          .map(m -> "recovery " + m.group(2) + " finished: " + m.group(3)).reduce((a, b) -> b);
    } catch (IOException | java.io.UncheckedIOException e) {
      return Optional.empty();
    }
  }

  /** The median of {@code values} (the lower middle for an even count, so it is a measured value). */
  public static long median(List<Long> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("no samples");
    }
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get((sorted.size() - 1) / 2);
  }

  /** Kills every process of the lab (a temporary cluster has nothing to leave gracefully for). */
  @Override
  public void close() {
    supervisor.killAll();
    if (ownDir) {
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a temporary directory: what cannot be deleted now the OS removes later
      }
    }
  }

  /** Keeps a temporary run directory after {@link #close()}: a failed run's member logs are the evidence. */
  public void keepDir() {
    ownDir = false;
  }

  /** For messages. */
  public Path dir() {
    return dir;
  }
}
