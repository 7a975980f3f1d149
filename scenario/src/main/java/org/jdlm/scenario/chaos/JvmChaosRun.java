package org.jdlm.scenario.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdlm.lab.ExternalStore;
import org.jdlm.lab.LabSettings;
import org.jdlm.lab.MemberLauncher;
import org.jdlm.lab.NodeSpec;
import org.jdlm.lab.PacketFilter;
import org.jdlm.lab.ProcessState;
import org.jdlm.lab.RunDir;
import org.jdlm.lab.Supervisor;
import org.jdlm.member.CliError;
import org.jdlm.member.ControlClient;
import org.jdlm.member.MembershipView;
import org.jdlm.scenario.chaos.core.CheckResult;
import org.jdlm.scenario.chaos.core.Checkers;
import org.jdlm.scenario.chaos.core.Event;
import org.jdlm.scenario.chaos.core.FaultKind;
import org.jdlm.scenario.chaos.core.FaultSchedule;
import org.jdlm.scenario.chaos.core.History;

/**
 * {@code dlm chaos} on real member JVMs (issue 12, docs/chaos.md): a lab cluster whose members
 * each have their own loopback address, workload clients inside every member ({@link ChaosEndpoints})
 * all the time, the faults of a {@link FaultSchedule} injected into the real processes and the
 * network between them, the fencing authority's ledger polled for Fenced events, and at the end
 * the members' history files merged with the collector's fault and fencing events, checked, and
 * reported into the run directory.
 *
 * <p>How each fault is made: {@code kill} SIGKILL, back as a new incarnation at its end;
 * {@code pause-short}/{@code pause-long} SIGSTOP … SIGCONT; {@code restart} SIGTERM (leaves), started
 * again at its end; {@code partition} iptables DROP rules between the targets' addresses and the
 * others' ({@link PacketFilter}); {@code slow} a SIGSTOP/SIGCONT duty cycle. At the end of every
 * fault its targets must be healthy again (Up, seeing a majority) or they are restarted: a member
 * that was downed and fenced meanwhile exits, and comes back as a new incarnation.
 *
 * <p>Never more than {@code max-faulty} members are out at once: a fault whose start would put
 * more out — counting members still being restarted after an earlier fault, which the schedule
 * cannot know — is skipped and said so.
 */
public final class JvmChaosRun {

  /** Pause and resume of a slow member's duty cycle: half its CPU time taken away. */
  private static final long SLOW_STOP_MS = 100;
  private static final long SLOW_RUN_MS = 100;
  private static final long FENCING_POLL_MS = 200;
  private static final int STARTS_STRIDE = 100_000;
  private static final Pattern FENCED = Pattern.compile("fenced node=(\\S+) incarnation=(-?\\d+)");

  /**
   * One run.
   *
   * @param schedule         the faults (its spec names N and the duration)
   * @param clientsPerMember workload clients in every member
   * @param opTimeout        a client's bound on one lock operation (then info, new process)
   * @param livenessBound    after the last fault is healed the clients run this long, and each must
   *                         complete an operation within it
   * @param runDir           the lab run directory (member logs, histories, report)
   * @param external         an external store (PostgreSQL), or the lab's own H2 store
   * @param broken           {@code grants-twice} to run the members' clients on a deliberately broken lock
   */
  public record Settings(FaultSchedule schedule, Workload workload, int clientsPerMember, Duration opTimeout,
      Duration livenessBound, Path runDir, Optional<ExternalStore> external, Optional<String> broken) {}

  /** What a run produced: the verdict, its summary line and where the files are. */
  public record Result(boolean valid, String summary, Path report, Path html, Path history, int applied,
      int skipped, String partitions) {}

  private final Settings settings;
  private final LabSettings lab;
  private final PrintStream out;
  private final List<NodeSpec> nodes = new ArrayList<>();
  private final List<Event> events = Collections.synchronizedList(new ArrayList<>());
  private final Set<String> outNow = ConcurrentHashMap.newKeySet();
  private final AtomicInteger starts = new AtomicInteger();
  private final AtomicInteger applied = new AtomicInteger();
  private final AtomicInteger skipped = new AtomicInteger();
  private final String runId;
  private final ControlClient control;
  private Supervisor supervisor;
  private PacketFilter filter;
  private String partitionMechanism = "none (no partition faults)";
  private long origin;

  public JvmChaosRun(Settings settings, LabSettings lab, PrintStream out) {
    this.settings = settings;
    this.lab = lab;
    this.out = out;
    this.runId = Long.toString(settings.schedule().spec().seed() & 0xffffffffL, 36) + "-"
        + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    this.control = new ControlClient(lab.controlTimeout());
  }

  /** Runs, checks, reports; cleans up every process and packet-filter rule, also on failure. */
  public Result run() throws IOException, InterruptedException {
    FaultSchedule schedule = settings.schedule();
    int n = schedule.spec().members();
    boolean partitions = schedule.faults().stream().anyMatch(f -> f.kind() == FaultKind.PARTITION);
    if (partitions) {
      PacketFilter.Result opened = PacketFilter.open();
      if (opened.filter().isEmpty()) {
        throw new CliError("chaos: partition faults need iptables as root, and here: " + opened.description()
            + "; run without partition in --faults");
      }
      filter = opened.filter().get();
      partitionMechanism = "iptables (" + opened.description() + ")";
    }
    Thread cleanup = new Thread(this::cleanUp, "chaos-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    ScheduledExecutorService faults = Executors.newScheduledThreadPool(Math.max(2, schedule.spec().maxFaulty() * 2),
        r -> daemon(r, "chaos-fault"));
    AtomicBoolean polling = new AtomicBoolean(true);
    Thread poller = null;
    try {
      List<String> hosts = addresses(n);
      supervisor = new Supervisor(new RunDir(settings.runDir()), lab, MemberLauncher.current(lab));
      out.println("chaos: " + n + " members on " + String.join(", ", hosts) + ", run directory "
          + settings.runDir() + "; partitions by " + partitionMechanism);
      supervisor.up(n, OptionalInt.empty(), settings.external(), hosts);
      nodes.addAll(supervisor.layout().nodes());
      origin = System.nanoTime();
      for (NodeSpec node : nodes) {
        checkClock(node);
      }
      for (NodeSpec node : nodes) {
        startClients(node);
      }
      poller = daemon(() -> pollFencing(polling), "chaos-fencing-poll");
      poller.start();
      CountDownLatch done = new CountDownLatch(schedule.faults().size());
      long late = 0;
      for (FaultSchedule.Fault f : schedule.faults()) {
        Thread.sleep(delayTo(f.atMs() + late));
        late = Math.max(late, awaitRoom(f) - f.atMs());
        inject(f, faults, done);
      }
      Thread.sleep(delayTo(schedule.spec().durationMs() + late));
      done.await();
      // Members that died outside any fault (fenced on a hiccup, say) come back before the quiet phase.
      int extra = 0;
      for (NodeSpec node : nodes) {
        if (!healthyNow(node)) {
          // A member that died outside any fault's window (downed after its fault was judged
          // healed, say): its restart disturbs the cluster like a fault, so it is one in the history.
          int id = schedule.faults().size() + 1 + extra++;
          events.add(new Event.FaultStart(now(), System.currentTimeMillis(), id, FaultKind.RESTART,
              List.of(node.name()), null));
          ensureHealthy(node, "after the faults");
          events.add(new Event.FaultEnd(now(), System.currentTimeMillis(), id, FaultKind.RESTART, List.of(node.name())));
        }
      }
      out.println(stamp() + " faults over (" + applied.get() + " applied, " + skipped.get()
          + " skipped); clients run " + settings.livenessBound().toSeconds() + " s more");
      Thread.sleep(settings.livenessBound().toMillis() + 2_000);
      for (NodeSpec node : nodes) {
        stopClients(node);
      }
      finals();
      polling.set(false);
      poller.join(5_000);
    } finally {
      polling.set(false);
      faults.shutdownNow();
      cleanUp();
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway
      }
    }
    return report();
  }

  // ---------------------------------------------------------------- setup

  /** One loopback address per member in a /24 of 127/8 picked at random, so parallel runs do not share addresses. */
  private static List<String> addresses(int n) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String prefix = "127." + (1 + random.nextInt(254)) + "." + (1 + random.nextInt(254)) + ".";
    List<String> hosts = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      hosts.add(prefix + (i + 1));
    }
    return hosts;
  }

  /**
   * The one-clock check (docs/chaos.md): a member's {@code System.nanoTime()} must lie between the
   * collector's before and after asking; on Linux all read the host's CLOCK_MONOTONIC, so it does,
   * and events of every member compare. A platform where it does not would make every check
   * meaningless: the run stops.
   */
  private void checkClock(NodeSpec node) {
    long before = System.nanoTime();
    ControlClient.Reply reply = control.get(node.name(), node.control(), "/chaos/clock", Map.of(), lab.controlTimeout());
    long after = System.nanoTime();
    long theirs = Long.parseLong(reply.body().strip().replace("nanos=", ""));
    if (theirs < before || theirs > after) {
      throw new IllegalStateException(node.name() + "'s monotonic clock reads " + theirs + ", outside the collector's ["
          + before + ", " + after + "]: the members do not share one clock, and the history could not be ordered");
    }
  }

  private void startClients(NodeSpec node) {
    int base = starts.incrementAndGet() * STARTS_STRIDE;
    Map<String, String> q = new LinkedHashMap<>(common(base));
    q.put("clients", Integer.toString(settings.clientsPerMember()));
    q.put("seed", Long.toString(settings.schedule().spec().seed() * 1_000 + base / STARTS_STRIDE));
    settings.broken().ifPresent(b -> q.put("broken", b));
    // A new incarnation's first join can meet the lockspace in recovery ("stopped before the join
    // completed"); the agent joins again on the next try.
    String why = "";
    for (int attempt = 1; attempt <= 3; attempt++) {
      ControlClient.Reply reply = control.post(node.name(), node.control(), "/chaos/start", q, Duration.ofSeconds(60));
      if (reply.ok()) {
        return;
      }
      why = reply.firstLine();
      out.println(stamp() + " " + node.name() + " did not start its clients (attempt " + attempt + "): " + why);
    }
    throw new IllegalStateException(node.name() + " did not start its chaos clients: " + why);
  }

  private Map<String, String> common(int base) {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("run", runId);
    q.put("workload", settings.workload().label());
    q.put("origin", Long.toString(origin));
    q.put("base", Integer.toString(base));
    q.put("timeout", Long.toString(settings.opTimeout().toMillis()));
    q.put("frontends", String.join(",", nodes.stream().map(s -> s.control().toString()).toList()));
    return q;
  }

  private void stopClients(NodeSpec node) {
    if (supervisor.processState(node.name()) != ProcessState.RUNNING) {
      return;
    }
    try {
      control.post(node.name(), node.control(), "/chaos/stop", Map.of(),
          settings.opTimeout().multipliedBy(2).plusSeconds(5));
    } catch (ControlClient.Unreachable e) {
      out.println(stamp() + " " + node.name() + " did not stop its clients: " + e.getMessage());
    }
  }

  /** The end-of-run reads (registers, counters), made by the first member that answers. */
  private void finals() {
    for (NodeSpec node : nodes) {
      if (supervisor.processState(node.name()) != ProcessState.RUNNING) {
        continue;
      }
      try {
        ControlClient.Reply r = control.post(node.name(), node.control(), "/chaos/final",
            common(starts.incrementAndGet() * STARTS_STRIDE), settings.opTimeout().multipliedBy(4));
        if (r.ok()) {
          return;
        }
        out.println(stamp() + " " + node.name() + " could not make the final reads: " + r.firstLine());
      } catch (ControlClient.Unreachable e) {
        out.println(stamp() + " " + node.name() + " could not make the final reads: " + e.getMessage());
      }
    }
  }

  // ---------------------------------------------------------------- faults

  private long now() {
    return System.nanoTime() - origin;
  }

  private long delayTo(long atMs) {
    return Math.max(0, atMs - TimeUnit.NANOSECONDS.toMillis(now()));
  }

  private String stamp() {
    return String.format(java.util.Locale.ROOT, "t=%.1fs", now() / 1e9);
  }

  private NodeSpec node(String name) {
    return nodes.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  /**
   * Waits until {@code f} may start without putting more than max-faulty members out (members
   * still restarting after an earlier fault count: the schedule cannot know how long a JVM takes to
   * start on a loaded machine). Later faults move by the same delay, so the order and spacing of the
   * schedule hold. Returns the time (ms since the start) it may go.
   */
  private long awaitRoom(FaultSchedule.Fault f) throws InterruptedException {
    long deadline = System.nanoTime() + lab.restartTimeout().multipliedBy(2).toNanos();
    while (!room(f) && System.nanoTime() < deadline) {
      Thread.sleep(lab.pollInterval().toMillis());
    }
    return TimeUnit.NANOSECONDS.toMillis(now());
  }

  private boolean room(FaultSchedule.Fault f) {
    synchronized (outNow) {
      Set<String> after = new HashSet<>(outNow);
      after.addAll(f.targets());
      return f.targets().stream().noneMatch(outNow::contains) && after.size() <= settings.schedule().spec().maxFaulty();
    }
  }

  private void inject(FaultSchedule.Fault f, ScheduledExecutorService executor, CountDownLatch done) {
    long startedAt = TimeUnit.NANOSECONDS.toMillis(now());
    synchronized (outNow) {
      if (!room(f)) {
        skipped.incrementAndGet();
        out.println(stamp() + " " + f.line() + ": skipped (members " + outNow + " still out after "
            + lab.restartTimeout().multipliedBy(2).toSeconds() + " s)");
        done.countDown();
        return;
      }
      outNow.addAll(f.targets());
    }
    List<List<String>> rules = new ArrayList<>();
    Thread[] slow = new Thread[1];
    AtomicBoolean slowing = new AtomicBoolean(true);
    try {
      events.add(new Event.FaultStart(now(), System.currentTimeMillis(), f.id(), f.kind(), f.targets(), f.detail()));
      for (String t : f.targets()) {
        switch (f.kind()) {
          case KILL -> supervisor.kill(t);
          case PAUSE_SHORT, PAUSE_LONG -> supervisor.pause(t);
          case RESTART -> supervisor.stop(t);
          case PARTITION -> rules.addAll(cut(t, f.targets(), "both".equals(f.detail())));
          case SLOW -> {
            slow[0] = daemon(() -> dutyCycle(t, slowing), "chaos-slow-" + t);
            slow[0].start();
          }
          default -> throw new IllegalStateException("fault kind " + f.kind());
        }
      }
      applied.incrementAndGet();
      long lateBy = startedAt - f.atMs();
      out.println(stamp() + " " + f.line() + ": applied" + (lateBy > 1_000 ? " (" + lateBy / 1000
          + " s late: clients starting, or members still coming back)" : ""));
    } catch (RuntimeException | InterruptedException e) {
      out.println(stamp() + " " + f.line() + ": could not be applied: " + e.getMessage());
    }
    executor.schedule(() -> heal(f, rules, slow[0], slowing, done), f.forMs(), TimeUnit.MILLISECONDS);
  }

  /** Drop rules cutting {@code target} off from every member not among {@code side}. */
  private List<List<String>> cut(String target, List<String> side, boolean both) {
    List<List<String>> rules = new ArrayList<>();
    NodeSpec t = node(target);
    for (NodeSpec other : nodes) {
      if (side.contains(other.name())) {
        continue;
      }
      if (both) {
        rules.add(filter.dropAll(t.cluster().host(), other.cluster().host()));
        rules.add(filter.dropAll(other.cluster().host(), t.cluster().host()));
      } else {
        // One way: the targets' messages to the others are lost; they still hear the others.
        rules.add(filter.dropTo(t.cluster().host(), other.cluster().host(), other.cluster().port()));
      }
    }
    return rules;
  }

  private void dutyCycle(String name, AtomicBoolean slowing) {
    try {
      while (slowing.get()) {
        supervisor.signal(name, "STOP");
        Thread.sleep(SLOW_STOP_MS);
        supervisor.signal(name, "CONT");
        Thread.sleep(SLOW_RUN_MS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      out.println(stamp() + " slowing " + name + " stopped: " + e.getMessage());
    } finally {
      supervisor.signal(name, "CONT");
    }
  }

  private void heal(FaultSchedule.Fault f, List<List<String>> rules, Thread slow, AtomicBoolean slowing,
      CountDownLatch done) {
    try {
      for (String t : f.targets()) {
        try {
          switch (f.kind()) {
            case KILL, RESTART -> restart(node(t));
            case PAUSE_SHORT, PAUSE_LONG -> {
              if (supervisor.processState(t) == ProcessState.PAUSED) {
                supervisor.resume(t);
              }
            }
            case PARTITION -> rules.forEach(filter::remove);
            case SLOW -> {
              slowing.set(false);
              if (slow != null) {
                slow.join(5_000);
              }
            }
            default -> throw new IllegalStateException("fault kind " + f.kind());
          }
        } catch (RuntimeException e) {
          out.println(stamp() + " healing " + t + " after fault " + f.id() + ": " + e.getMessage());
        }
      }
      for (String t : f.targets()) {
        ensureHealthy(node(t), "after fault " + f.id());
      }
      events.add(new Event.FaultEnd(now(), System.currentTimeMillis(), f.id(), f.kind(), f.targets()));
      out.println(stamp() + " fault " + f.id() + " healed");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      outNow.removeAll(f.targets());
      done.countDown();
    }
  }

  /**
   * Waits until the member is Up and sees a majority Up, restarting it when its process is gone (it
   * was downed and fenced, or power-fenced) or it is not healthy within the restart timeout.
   */
  private void ensureHealthy(NodeSpec node, String when) throws InterruptedException {
    long deadline = System.nanoTime() + lab.restartTimeout().toNanos();
    int majority = nodes.size() / 2 + 1;
    while (System.nanoTime() < deadline) {
      ProcessState state = supervisor.processState(node.name());
      if (state == ProcessState.DEAD) {
        out.println(stamp() + " " + node.name() + " is gone " + when + ": restarting it");
        restart(node);
        return;
      }
      if (state == ProcessState.PAUSED) {
        supervisor.resume(node.name()); // a stray SIGSTOP of a duty cycle must not outlive its fault
      }
      Optional<MembershipView> view = supervisor.tryView(node.name());
      if (view.isPresent() && view.get().self().status().equals("Up")
          && view.get().members().stream().filter(m -> m.status().equals("Up") && m.reachable()).count() >= majority
          && seenUpByAnother(node)) {
        return;
      }
      Thread.sleep(lab.pollInterval().toMillis());
    }
    out.println(stamp() + " " + node.name() + " not healthy within " + lab.restartTimeout().toSeconds() + " s "
        + when + ": restarting it");
    restart(node);
  }

  private boolean healthyNow(NodeSpec node) {
    if (supervisor.processState(node.name()) != ProcessState.RUNNING) {
      return false;
    }
    Optional<MembershipView> view = supervisor.tryView(node.name());
    return view.isPresent() && view.get().self().status().equals("Up") && seenUpByAnother(node);
  }

  /**
   * Another member sees {@code node} Up and reachable. A member downed during a partition still
   * calls itself Up for a moment after the partition heals (until the gossip tells it), so its own
   * view alone would pass it as healthy just before it exits.
   */
  private boolean seenUpByAnother(NodeSpec node) {
    for (NodeSpec other : nodes) {
      if (other.equals(node) || supervisor.processState(other.name()) != ProcessState.RUNNING) {
        continue;
      }
      Optional<MembershipView> view = supervisor.tryView(other.name());
      if (view.isPresent() && view.get().members().stream()
          .anyMatch(m -> m.name().equals(node.name()) && m.status().equals("Up") && m.reachable())) {
        return true;
      }
    }
    return nodes.size() == 1;
  }

  private void restart(NodeSpec node) throws InterruptedException {
    try {
      supervisor.restart(node.name());
      startClients(node);
    } catch (IOException | RuntimeException e) {
      out.println(stamp() + " restarting " + node.name() + " failed: " + e.getMessage());
    }
  }

  // ---------------------------------------------------------------- fencing

  /**
   * Polls the fencing authority's ledger ({@code /fencing/status}) of the live members; an
   * incarnation seen fenced for the first time becomes a Fenced event at the moment it was seen,
   * no sooner than the previous round began (when no member listed it yet).
   */
  private void pollFencing(AtomicBoolean polling) {
    Set<String> seen = new HashSet<>();
    long previousRound = 0;
    while (polling.get()) {
      long round = now();
      for (NodeSpec node : nodes) {
        if (supervisor.processState(node.name()) != ProcessState.RUNNING) {
          continue;
        }
        Optional<ControlClient.Reply> reply = control.tryGet(node.name(), node.control(), "/fencing/status", Map.of(),
            Duration.ofSeconds(1));
        if (reply.isEmpty() || !reply.get().ok()) {
          continue;
        }
        Matcher m = FENCED.matcher(reply.get().body());
        while (m.find()) {
          if (seen.add(m.group(1) + "#" + m.group(2))) {
            events.add(new Event.Fenced(now(), System.currentTimeMillis(), m.group(1), Long.parseLong(m.group(2)),
                previousRound));
            out.println(stamp() + " fenced " + m.group(1) + " incarnation " + m.group(2));
          }
        }
      }
      previousRound = round;
      try {
        Thread.sleep(FENCING_POLL_MS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  // ---------------------------------------------------------------- end

  /** Heals every partition, stops every process of the run; safe to call twice and from a shutdown hook. */
  private synchronized void cleanUp() {
    if (filter != null) {
      filter.close();
    }
    if (supervisor != null) {
      try {
        supervisor.killAll();
        // The layout and pid files go (the logs, histories and report stay): nothing runs here any more.
        supervisor.runDir().forget();
      } catch (RuntimeException | IOException e) {
        out.println("chaos: cleaning up: " + e.getMessage());
      }
    }
  }

  private Result report() throws IOException {
    List<Event> all = new ArrayList<>(events);
    int torn = 0;
    for (NodeSpec node : nodes) {
      Path dir = settings.runDir().resolve(node.name());
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "chaos-" + runId + "-*.jsonl")) {
        for (Path file : files) {
          torn += read(file, all);
        }
      }
    }
    History history = new History(all);
    List<CheckResult> results = Checkers.run(history, settings.livenessBound().toNanos());
    Report report = new Report(history, results);
    Path dir = settings.runDir();
    Path historyFile = dir.resolve("history.jsonl");
    try (Writer w = Files.newBufferedWriter(historyFile, StandardCharsets.UTF_8)) {
      HistoryJson.write(history, w);
    }
    Files.writeString(dir.resolve("schedule.txt"), settings.schedule().print(), StandardCharsets.UTF_8);
    Path json = dir.resolve("report.json");
    Files.writeString(json, report.jsonText(), StandardCharsets.UTF_8);
    Path html = dir.resolve("report.html");
    Files.writeString(html, report.html(), StandardCharsets.UTF_8);
    String summary = report.summaryLine() + " (" + applied.get() + " faults applied, " + skipped.get()
        + " skipped; partitions by " + partitionMechanism + (torn > 0 ? "; " + torn + " torn last lines of killed members" : "")
        + ")";
    return new Result(report.valid(), summary, json, html, historyFile, applied.get(), skipped.get(), partitionMechanism);
  }

  /** Reads one member history file into {@code into}; returns 1 if its last line was torn by a kill. */
  private static int read(Path file, List<Event> into) throws IOException {
    List<String> lines;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      lines = r.lines().toList();
    }
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      try {
        into.add(HistoryJson.fromLine(line));
      } catch (IllegalArgumentException e) {
        if (i == lines.size() - 1) {
          return 1; // a SIGKILL in the middle of the last write
        }
        throw new IllegalStateException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
      }
    }
    return 0;
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
