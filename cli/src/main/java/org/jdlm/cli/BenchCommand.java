package org.jdlm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jdlm.bench.BenchEndpoints;
import org.jdlm.bench.BenchResult;
import org.jdlm.bench.BenchSettings;
import org.jdlm.bench.BenchWorkload;
import org.HdrHistogram.Histogram;
import org.jdlm.bench.Latencies;
import org.jdlm.lab.LabSettings;
import org.jdlm.lab.NodeSpec;
import org.jdlm.lab.Supervisor;
import org.jdlm.member.CliError;
import org.jdlm.member.ControlClient;
import org.jdlm.member.OperatorSecret;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code dlm bench}: runs the bench workloads on the members of a lab cluster (one it starts in a
 * temporary directory, or a running one with {@code --dir}) and prints one row per workload with
 * ops/s, acquire p50/p99/p99.9, the target and PASS/MISS; or, with {@code --jmh}, the JMH
 * benchmarks of the core's grant path. The members do the work ({@link BenchEndpoints}); this
 * command only coordinates over their control endpoints and merges their histograms.
 */
@Command(name = "bench", description = {
    "measure lock throughput and latency on real members (or --jmh: the core's grant path)", "",
    "Starts a lab cluster of N members in a temporary directory (or uses the running one in DIR), runs each workload"
        + " on its members and prints ops/s, acquire p50/p99/p99.9, the target and PASS or MISS; then stops what it"
        + " started. Workloads (default all, in this order): local (locally mastered uncontended lock+unlock on the"
        + " first member), remote (uncontended lock+unlock on resources the second member masters), mixed (every"
        + " member at once, mostly on its own resources, --own-share), uniform (every member at once, resources"
        + " picked uniformly across members), handoff (one EX resource handed between all members)."},
    exitCodeList = {"0:every workload ran (PASS or MISS)", "1:a workload failed", "2:bad input"})
public final class BenchCommand extends DlmCommand {

  /** The version in the JMH jar's name (bench-jmh/pom.xml). */
  static final String JMH_JAR_VERSION = "0.1.0-SNAPSHOT";

  @Mixin
  BenchOptions.Raw raw;

  @Override
  protected int run(Console console) throws Exception {
    BenchSettings settings = BenchSettings.load();
    LabSettings lab = LabSettings.load();
    BenchOptions options = raw.check(settings, lab.maxNodes());
    if (options.jmh()) {
      // JMH is not in the runtime jar (bench-jmh module); bin/dlm runs its own jar for --jmh.
      throw new CliError("bench --jmh runs from its own jar, not the runtime jar: use bin/dlm bench --jmh"
          + " (or java -jar bench-jmh/target/bench-jmh-" + JMH_JAR_VERSION + "-jmh.jar)");
    }
    if (options.dir().isPresent()) {
      Supervisor supervisor = Supervisor.forDirectory(options.dir().get());
      return bench(supervisor, options, settings, console, options.dir().get().toString());
    }
    Path dir = Files.createTempDirectory("dlm-bench-");
    Supervisor supervisor = Supervisor.forDirectory(dir);
    // Ctrl-C must not leave member JVMs behind on a shared machine.
    Thread reaper = new Thread(supervisor::killAll, "dlm-bench-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
    int status = 1;
    try {
      console.out().printf("starting %d member(s) in %s ...%n", options.nodes(), dir);
      console.out().flush();
      supervisor.up(options.nodes(), OptionalInt.empty());
      status = bench(supervisor, options, settings, console, "a new cluster in " + dir);
      return status;
    } finally {
      try {
        supervisor.down();
      } catch (RuntimeException | IOException e) {
        supervisor.killAll();
      }
      Runtime.getRuntime().removeShutdownHook(reaper);
      if (status == 0) {
        deleteTree(dir); // the members' logs only matter when something failed
      } else {
        console.out().println("the members' logs are kept in " + dir);
      }
    }
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | RuntimeException ignored) {
      // a temp directory left behind is harmless
    }
  }

  private int bench(Supervisor supervisor, BenchOptions options, BenchSettings settings, Console console,
      String where) throws Exception {
    List<NodeSpec> nodes = supervisor.layout().nodes();
    for (NodeSpec n : nodes) {
      if (supervisor.tryView(n.name()).filter(v -> v.self().status().equals("Up")).isEmpty()) {
        throw new CliError("bench: member " + n.name() + " in " + supervisor.runDir().path()
            + " is not Up (see dlm cluster status)");
      }
    }
    Members members = new Members(nodes, supervisor.control());
    members.all("/bench/join", Map.of(), settings.joinTimeout());
    supervisor.await("every member of lockspace " + settings.lockspace() + " to see all " + nodes.size(),
        settings.joinTimeout(), () -> members.allSeeMembers(nodes.size()) ? Optional.of(true) : Optional.empty());
    console.out().printf("dlm bench on %s: %d member(s), %d core(s), window %s after %s warm-up%n", where,
        nodes.size(), Runtime.getRuntime().availableProcessors(), BenchOptions.human(options.duration()),
        BenchOptions.human(options.warmup()));
    console.out().println(Row.HEADER);
    console.out().flush();
    boolean failed = false;
    int runNumber = 0;
    for (BenchWorkload w : options.workloads()) {
      String run = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36) + (runNumber++);
      Row row = workload(w, run, nodes, members, options, settings);
      failed |= row.failed();
      console.out().println(row.render());
      console.out().flush();
    }
    return failed ? 1 : 0;
  }

  private Row workload(BenchWorkload w, String run, List<NodeSpec> nodes, Members members, BenchOptions options,
      BenchSettings settings) throws Exception {
    int clients = options.clientsFor(w);
    if (nodes.size() < w.minNodes()) {
      return Row.skipped(w, clients, "needs at least " + w.minNodes() + " members");
    }
    List<String> names = nodes.stream().map(NodeSpec::name).toList();
    List<NodeSpec> runners = w.allNodes() ? nodes : List.of(nodes.get(0));
    // Pre-place mastery: the pool owner locks its names first (NL, held for the run).
    Map<NodeSpec, Map<String, String>> holds = new LinkedHashMap<>();
    switch (w) {
      case REMOTE -> holds.put(nodes.get(1), Map.of("count", Integer.toString(clients)));
      case MIXED, UNIFORM -> nodes.forEach(n -> holds.put(n, Map.of("count", Integer.toString(settings.pool()))));
      case HANDOFF -> holds.put(nodes.get(0), Map.of("count", "0", "handoff", "1"));
      default -> { }
    }
    try {
      members.each(holds, n -> with(n.getValue(), "run", run, "self", n.getKey().name()), "/bench/hold",
          settings.holdTimeout());
      Map<NodeSpec, Map<String, String>> runs = new LinkedHashMap<>();
      for (NodeSpec n : runners) {
        Map<String, String> q = new LinkedHashMap<>(Map.of("workload", w.id(), "run", run, "self", n.name(),
            "nodes", String.join(",", names), "clients", Integer.toString(clients),
            "warmup-ms", Long.toString(options.warmup().toMillis()),
            "duration-ms", Long.toString(options.duration().toMillis()),
            "own-share", Double.toString(options.ownShare()), "pool", Integer.toString(settings.pool())));
        if (w == BenchWorkload.REMOTE) {
          q.put("target", nodes.get(1).name());
        }
        runs.put(n, q);
      }
      Duration bound = options.warmup().plus(options.duration()).plus(settings.stopTimeout()).plusSeconds(30);
      Map<NodeSpec, String> replies = members.each(runs, Map.Entry::getValue, "/bench/run", bound);
      List<BenchResult> results = replies.values().stream().map(BenchResult::decode).toList();
      return Row.of(w, runners.size(), clients, results);
    } finally {
      members.each(holds, n -> Map.of("run", run), "/bench/release", settings.holdTimeout());
    }
  }

  private static Map<String, String> with(Map<String, String> base, String... kv) {
    Map<String, String> q = new LinkedHashMap<>(base);
    for (int i = 0; i < kv.length; i += 2) {
      q.put(kv[i], kv[i + 1]);
    }
    return q;
  }

  /** One printed row. */
  record Row(BenchWorkload workload, int nodes, int clients, double perSecond, long p50, long p99, long p999,
      String result, String note) {

    static final String HEADER = String.format(Locale.ROOT, "%-8s %5s %7s %12s %9s %9s %9s  %-26s %-6s %s",
        "WORKLOAD", "NODES", "CLIENTS", "OPS/S", "P50", "P99", "P99.9", "TARGET", "RESULT", "NOTE");

    static Row skipped(BenchWorkload w, int clients, String why) {
      return new Row(w, 0, clients, 0, 0, 0, 0, "SKIP", why);
    }

    static Row of(BenchWorkload w, int nodes, int clients, List<BenchResult> results) {
      Histogram acquire = Latencies.histogram();
      double pairs = 0;
      double handoffs = 0;
      long errors = 0;
      String firstError = "";
      for (BenchResult r : results) {
        acquire.add(r.acquire());
        pairs += r.pairsPerSecond();
        handoffs += r.handoffsPerSecond();
        errors += r.errors();
        firstError = firstError.isEmpty() ? r.firstError() : firstError;
      }
      double perSecond = w.countsHandoffs() ? handoffs : pairs;
      long p50 = Latencies.percentile(acquire, 50);
      String note = w.countsHandoffs() ? String.format(Locale.ROOT, "hand-offs/s; %,.0f pairs/s", pairs) : "pairs/s";
      if (errors > 0) {
        return new Row(w, nodes, clients, perSecond, p50, Latencies.percentile(acquire, 99), Latencies.percentile(acquire, 99.9), "ERROR",
            errors + " error(s): " + firstError);
      }
      if (acquire.getTotalCount() == 0) {
        return new Row(w, nodes, clients, perSecond, 0, 0, 0, "ERROR", "no operation completed in the window");
      }
      return new Row(w, nodes, clients, perSecond, p50, Latencies.percentile(acquire, 99), Latencies.percentile(acquire, 99.9),
          w.met(perSecond, p50) ? "PASS" : "MISS", note);
    }

    boolean failed() {
      return result.equals("ERROR");
    }

    String render() {
      if (result.equals("SKIP")) {
        return String.format(Locale.ROOT, "%-8s %5s %7d %12s %9s %9s %9s  %-26s %-6s %s", workload.id(), "-", clients,
            "-", "-", "-", "-", workload.target(), result, note);
      }
      return String.format(Locale.ROOT, "%-8s %5d %7d %,12.0f %9s %9s %9s  %-26s %-6s %s", workload.id(), nodes, clients,
          perSecond, micros(p50), micros(p99), micros(p999), workload.target(), result, note);
    }

    static String micros(long nanos) {
      return nanos >= 10_000_000 ? String.format(Locale.ROOT, "%.1fms", nanos / 1e6)
          : String.format(Locale.ROOT, "%.1fus", nanos / 1e3);
    }
  }

  /** The members' control endpoints, asked in parallel. */
  private static final class Members {
    private final List<NodeSpec> nodes;
    private final ControlClient control;

    Members(List<NodeSpec> nodes, ControlClient control) {
      this.nodes = nodes;
      this.control = control;
    }

    void all(String path, Map<String, String> query, Duration timeout) throws InterruptedException {
      Map<NodeSpec, Map<String, String>> each = new LinkedHashMap<>();
      nodes.forEach(n -> each.put(n, query));
      each(each, Map.Entry::getValue, path, timeout);
    }

    boolean allSeeMembers(int expected) {
      for (NodeSpec n : nodes) {
        Optional<ControlClient.Reply> r = control.tryGet(n.name(), n.control(), "/bench/members", Map.of(),
            Duration.ofSeconds(5));
        if (r.isEmpty() || !r.get().ok() || !r.get().body().startsWith("members=" + expected + " ")) {
          return false; // not yet joined, or busy: asked again
        }
      }
      return true;
    }

    /** POSTs {@code path} to every key of {@code targets} at once and returns the bodies; a failure is a CliError. */
    <T> Map<NodeSpec, String> each(Map<NodeSpec, T> targets,
        java.util.function.Function<Map.Entry<NodeSpec, T>, Map<String, String>> query, String path, Duration timeout)
        throws InterruptedException {
      Map<NodeSpec, CompletableFuture<ControlClient.Reply>> pending = new LinkedHashMap<>();
      for (Map.Entry<NodeSpec, T> e : targets.entrySet()) {
        NodeSpec n = e.getKey();
        pending.put(n, control.sendAsync(new ControlClient.Request(n.name(), n.control(), "POST", path, query.apply(e),
            OperatorSecret.none(), timeout)));
      }
      Map<NodeSpec, String> out = new LinkedHashMap<>();
      List<String> problems = new ArrayList<>();
      for (Map.Entry<NodeSpec, CompletableFuture<ControlClient.Reply>> e : pending.entrySet()) {
        try {
          ControlClient.Reply r = e.getValue().get(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
          if (r.ok()) {
            out.put(e.getKey(), r.body());
          } else {
            problems.add(e.getKey().name() + ": " + path + " answered " + r.status() + ": " + r.body().strip());
          }
        } catch (ExecutionException ex) {
          problems.add(ex.getCause() instanceof CliError c ? c.getMessage() : e.getKey().name() + ": " + ex.getCause());
        } catch (TimeoutException ex) {
          problems.add(e.getKey().name() + ": no answer to " + path + " within " + timeout.toSeconds() + "s");
        }
      }
      if (!problems.isEmpty()) {
        throw new CliError("bench: " + path + " failed on " + String.join("; ", problems));
      }
      return out;
    }
  }
}
