package org.jdlm.lab;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jdlm.member.CliError;
import org.jdlm.member.ControlClient;
import org.jdlm.member.HostPort;
import org.jdlm.member.MembershipView;
import org.jdlm.member.StoreCredentials;

/**
 * The lab's power switch: starts N member JVMs on loopback, records their pids and ports in a run
 * directory ({@link RunDir}), and kills, pauses, resumes, restarts and stops them. The CLI's
 * {@code dlm cluster …} commands and the multi-JVM tests both drive the cluster through this class.
 *
 * <p>Member processes are detached: they outlive the supervisor object and its JVM, and a later
 * supervisor on the same directory picks them up from the pid files. Problems the user can act on
 * are {@link CliError}s with one-line messages; a failed {@link #up} or {@link #restart} stops what
 * it started, so nothing is left half-started.
 *
 * <p>Not safe for two supervisors changing the same directory at once (the lab has one operator).
 */
public final class Supervisor {
  /** Loopback: lab members never listen on other interfaces. */
  public static final String HOST = "127.0.0.1";

  private final RunDir dir;
  private final LabSettings settings;
  private final MemberLauncher launcher;
  private final ControlClient control;
  // Processes this object started: a test's cleanup can kill them even if their pid file is gone.
  private final Map<Long, Process> started = new ConcurrentHashMap<>();

  public Supervisor(RunDir dir, LabSettings settings, MemberLauncher launcher) {
    this.dir = dir;
    this.settings = settings;
    this.launcher = launcher;
    this.control = new ControlClient(settings.controlTimeout());
  }

  /** A supervisor for {@code dir} with this process's settings, java and classpath. */
  public static Supervisor forDirectory(java.nio.file.Path dir) {
    LabSettings settings = LabSettings.load();
    return new Supervisor(new RunDir(dir), settings, MemberLauncher.current(settings));
  }

  public RunDir runDir() {
    return dir;
  }

  public LabSettings settings() {
    return settings;
  }

  /** The client this supervisor asks members' control endpoints with (connect timeout jdlm.cli.lab.control-timeout). */
  public ControlClient control() {
    return control;
  }

  // ---------------------------------------------------------------- up

  /**
   * Starts {@code nodes} members named n1…nN and waits until every one sees all N Up.
   *
   * @param basePort when present, member i gets cluster port base+2(i-1) and control port base+2(i-1)+1;
   *     otherwise the OS picks free ports
   * @return the status of every member
   * @throws CliError on bad input (node count, port in use, a directory that holds a cluster) and
   *     when a member fails to come Up in time; in that case every member started is killed again
   */
  public List<NodeStatus> up(int nodes, OptionalInt basePort) throws IOException, InterruptedException {
    return up(nodes, basePort, Optional.empty());
  }

  /**
   * Like {@link #up(int, OptionalInt)}; with an {@code external} store (PostgreSQL, prepared with
   * {@code dlm store init}) no H2 store process is started and every member, also when restarted,
   * uses that store; its password reaches them only through a file of the run directory.
   */
  public List<NodeStatus> up(int nodes, OptionalInt basePort, Optional<ExternalStore> external)
      throws IOException, InterruptedException {
    return up(nodes, basePort, external, List.of());
  }

  /**
   * Like {@link #up(int, OptionalInt, Optional)}, member {@code i} bound to {@code hosts.get(i)}
   * (its cluster address, outbound connections and control endpoint) instead of {@link #HOST}:
   * one loopback address per member, so that packet filters can cut chosen members apart
   * (chaos partitions). An empty list binds every member to {@link #HOST}.
   */
  public List<NodeStatus> up(int nodes, OptionalInt basePort, Optional<ExternalStore> external, List<String> hosts)
      throws IOException, InterruptedException {
    if (!hosts.isEmpty() && hosts.size() != nodes) {
      throw new IllegalArgumentException(hosts.size() + " member addresses for " + nodes + " members");
    }
    if (nodes < 1 || nodes > settings.maxNodes()) {
      throw new CliError("cluster up: --nodes " + nodes + " is out of range (1.." + settings.maxNodes()
          + ", jdlm.cli.lab.max-nodes)");
    }
    refuseOccupiedDirectory();
    // 2 ports per member, then one for the store: with --base-port the store takes P+2N.
    List<Integer> ports = basePort.isPresent() ? fixedPorts(basePort.getAsInt(), nodes) : freePorts(2 * nodes + 1);
    List<NodeSpec> specs = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      String host = hosts.isEmpty() ? HOST : hosts.get(i);
      specs.add(new NodeSpec("n" + (i + 1), new HostPort(host, ports.get(2 * i)), ports.get(2 * i + 1)));
    }
    int storePort = ports.get(2 * nodes);
    for (NodeSpec s : specs) { // checked before anything is written or started
      requireFree(s.cluster().host(), s.cluster().port(), s.name() + " cluster port");
      requireFree(s.cluster().host(), s.controlPort(), s.name() + " control port");
    }
    if (external.isEmpty()) {
      requireFree(HOST, storePort, "store port");
    }
    RunDir.Layout layout = external.isPresent() ? new RunDir.Layout(HOST, specs, OptionalInt.empty(), external)
        : new RunDir.Layout(HOST, specs, OptionalInt.of(storePort));
    if (external.isPresent()) {
      Optional<String> password = StoreCredentials.password(external.get().passwordFile(), System::getenv);
      Files.deleteIfExists(dir.storePasswordFile());
      if (password.isPresent()) {
        dir.writeStorePassword(password.get());
      }
    }
    dir.writeLayout(layout);
    List<String> logs = new ArrayList<>(layout.names());
    if (external.isEmpty()) {
      logs.add(RunDir.STORE);
    }
    dir.truncateLogs(logs);
    try {
      // The store first: every member's fencing authority, shared disk and probe journal live there.
      if (external.isEmpty()) {
        startStore(storePort, "cluster up");
      }
      for (NodeSpec s : specs) {
        start(layout, s);
      }
      Deadline deadline = new Deadline(settings.upTimeout());
      for (NodeSpec s : specs) {
        awaitUp(s, nodes, deadline, "cluster up");
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      killAll();
      dir.forget();
      throw e;
    }
    return status();
  }

  /** `up` refuses a directory with a cluster in it, running or dead, rather than guess (docs/cluster.md). */
  private void refuseOccupiedDirectory() throws IOException {
    Optional<RunDir.Layout> layout = dir.readLayout();
    List<String> recorded = dir.pidFileNodes();
    if (layout.isEmpty() && recorded.isEmpty()) {
      return;
    }
    List<String> alive = new ArrayList<>();
    for (String n : recorded) {
      dir.readPid(n).filter(r -> Processes.state(r) != ProcessState.DEAD)
          .ifPresent(r -> alive.add(n + " pid " + r.pid()));
    }
    if (!alive.isEmpty()) {
      throw new CliError("run directory " + dir.path() + " already has a running cluster (" + String.join(", ", alive)
          + "); stop it with `dlm cluster down --dir " + dir.path() + "` or use another --dir");
    }
    throw new CliError("run directory " + dir.path() + " holds a dead cluster (stale "
        + (recorded.isEmpty() ? RunDir.LAYOUT : "pid files of " + String.join(", ", recorded))
        + ", left by a crashed supervisor or killed members); clean it with `dlm cluster down --dir "
        + dir.path() + "` (logs are kept) or remove the directory");
  }

  private static List<Integer> fixedPorts(int base, int nodes) {
    int last = base + 2 * nodes; // the store's port follows the members'
    if (base < 1024 || last > 65535) {
      throw new CliError("cluster up: --base-port " + base + " leaves no room for " + nodes
          + " members and the store (needs ports " + base + ".." + last + " within 1024..65535)");
    }
    List<Integer> ports = new ArrayList<>();
    for (int p = base; p <= last; p++) {
      ports.add(p);
    }
    return ports;
  }

  /** Ports the OS hands out right now, all distinct (sockets held open together, then closed). */
  static List<Integer> freePorts(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        ServerSocket s = new ServerSocket();
        sockets.add(s);
        s.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }

  private static void requireFree(String host, int port, String what) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
    } catch (IOException e) {
      throw new CliError("port " + port + " (" + what + ") on " + host + " is in use; nothing was started");
    }
  }

  private void awaitFree(String host, int port, String what, Deadline deadline) throws InterruptedException {
    while (true) {
      try {
        requireFree(host, port, what);
        return;
      } catch (CliError busy) {
        if (deadline.expired()) {
          throw busy;
        }
      }
      Thread.sleep(Math.min(50, settings.pollInterval().toMillis())); // no event for "port released"
    }
  }

  private void start(RunDir.Layout layout, NodeSpec node) throws IOException {
    dir.ensureOperatorSecret();
    List<String> command = launcher.command(dir, layout, node);
    dir.appendLog(node.name(), "starting " + node.name() + " at " + Instant.now() + ": " + String.join(" ", command));
    Process process = new ProcessBuilder(command)
        .directory(dir.path().toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.logFile(node.name()).toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
    ProcessHandle handle = process.toHandle();
    started.put(handle.pid(), process);
    dir.writePid(node.name(), new RunDir.PidRecord(handle.pid(), Processes.startMillis(handle)));
  }

  /** Waits until {@code node} is Up in its own view and sees {@code expectedUp} members Up. */
  private MembershipView awaitUp(NodeSpec node, int expectedUp, Deadline deadline, String command)
      throws InterruptedException {
    while (true) {
      ProcessState process = processState(node.name());
      if (process == ProcessState.DEAD) {
        throw new CliError(command + ": " + node.name() + " exited before it was Up" + lastError(node.name())
            + "; see " + dir.logFile(node.name()));
      }
      Optional<MembershipView> view = process == ProcessState.RUNNING ? tryView(node.name()) : Optional.empty();
      if (view.isPresent() && view.get().self().status().equals("Up")
          && view.get().members().stream().filter(m -> m.status().equals("Up") && m.reachable()).count() >= expectedUp) {
        return view.get();
      }
      if (deadline.expired()) {
        throw new CliError(command + ": " + node.name() + " was not Up within " + human(deadline.total)
            + " (last seen: " + view.map(v -> "self " + v.self().status() + ", " + v.members().size() + " members")
                .orElse("no answer from its control endpoint") + "); see " + dir.logFile(node.name()));
      }
      Thread.sleep(settings.pollInterval().toMillis()); // polling a remote endpoint: bounded by the deadline
    }
  }

  /** The member's own last one-line error from its log ({@code dlm: ...}), to say why it exited. */
  private String lastError(String name) {
    try (var lines = Files.lines(dir.logFile(name))) {
      return lines.filter(l -> l.startsWith("dlm: ")).reduce((a, b) -> b).map(l -> " (" + l + ")").orElse("");
    } catch (IOException | java.io.UncheckedIOException e) {
      return "";
    }
  }

  // ---------------------------------------------------------------- status and views

  /** The layout of this directory's cluster; a directory without one is an error naming it. */
  public RunDir.Layout layout() {
    return dir.readLayout().orElseThrow(() -> new CliError("no cluster in " + dir.path() + " (no " + RunDir.LAYOUT
        + "; start one with `dlm cluster up --dir " + dir.path() + "`)"));
  }

  /** The member with this name, or an error listing the known names. */
  public NodeSpec node(String name) {
    RunDir.Layout layout = layout();
    return layout.node(name).orElseThrow(() -> new CliError("unknown node '" + name + "' (nodes in " + dir.path()
        + ": " + String.join(", ", layout.names()) + ")"));
  }

  /** The recorded process of a member, if it is alive. */
  public OptionalLong pid(String name) {
    node(name);
    return dir.readPid(name).filter(r -> Processes.state(r) != ProcessState.DEAD)
        .map(r -> OptionalLong.of(r.pid())).orElse(OptionalLong.empty());
  }

  /** What the OS says about a member's recorded process. */
  public ProcessState processState(String name) {
    node(name);
    return dir.readPid(name).map(Processes::state).orElse(ProcessState.DEAD);
  }

  /** The member's own view of the cluster from its control endpoint, or empty if it does not answer in time. */
  public Optional<MembershipView> tryView(String name) {
    NodeSpec node = node(name);
    try {
      // Not listening, not answering in time, or terminating: "no view".
      return control.tryGet(name, node.control(), "/status", Map.of(), settings.controlTimeout())
          .filter(ControlClient.Reply::ok).map(r -> MembershipView.parse(r.body()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The member's view; an error if it does not answer. */
  public MembershipView view(String name) {
    return tryView(name).orElseThrow(() -> new CliError(name + " does not answer on its control endpoint (port "
        + node(name).controlPort() + ")"));
  }

  /**
   * Every member's status, membership as seen by the first running member that answers and is Up
   * itself (short timeouts: a paused member is never asked).
   */
  public List<NodeStatus> status() {
    RunDir.Layout layout = layout();
    Map<String, ProcessState> processes = new LinkedHashMap<>();
    Map<String, Optional<MembershipView>> own = new LinkedHashMap<>();
    for (NodeSpec n : layout.nodes()) {
      ProcessState p = processState(n.name());
      processes.put(n.name(), p);
      own.put(n.name(), p == ProcessState.RUNNING ? tryView(n.name()) : Optional.empty());
    }
    Optional<Map.Entry<String, MembershipView>> observer = own.entrySet().stream()
        .filter(e -> e.getValue().isPresent() && e.getValue().get().self().status().equals("Up"))
        .map(e -> Map.entry(e.getKey(), e.getValue().get())).findFirst()
        .or(() -> own.entrySet().stream().filter(e -> e.getValue().isPresent())
            .map(e -> Map.entry(e.getKey(), e.getValue().get())).findFirst());
    Optional<MembershipView> seenBy = observer.map(Map.Entry::getValue);
    List<NodeStatus> lines = new ArrayList<>();
    for (NodeSpec n : layout.nodes()) {
      ProcessState p = processes.get(n.name());
      Optional<MembershipView.Member> member = seenBy.flatMap(v -> v.member(n.name()));
      lines.add(new NodeStatus(n, NodeState.derive(p, n.name(), seenBy), p,
          p == ProcessState.DEAD ? OptionalLong.empty() : pid(n.name()),
          observer.map(Map.Entry::getKey), member,
          member.isPresent() ? Optional.empty() : seenBy.flatMap(v -> v.lastRemoved(n.name())),
          own.get(n.name()).map(v -> OptionalLong.of(v.self().uid())).orElse(OptionalLong.empty())));
    }
    return lines;
  }

  /** The status as a table, node name first (the output of `cluster up` and `cluster status`). */
  public static String table(List<NodeStatus> lines) {
    List<String[]> rows = new ArrayList<>();
    String observer = lines.stream().flatMap(l -> l.observer().stream()).findFirst().orElse("no live member");
    rows.add(new String[] {"NODE", "STATE", "PID", "ADDRESS", "CONTROL", "MEMBERSHIP (seen by " + observer + ")"});
    for (NodeStatus l : lines) {
      rows.add(new String[] {l.node().name(), l.state().label(),
          l.pid().isPresent() ? Long.toString(l.pid().getAsLong()) : "-", l.node().cluster().toString(),
          Integer.toString(l.node().controlPort()), l.membershipText()});
    }
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    return rows.stream().map(r -> {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        line.append(i == r.length - 1 ? r[i] : r[i] + " ".repeat(width[i] - r[i].length() + 2));
      }
      return line.toString();
    }).collect(Collectors.joining("\n", "", "\n"));
  }

  // ---------------------------------------------------------------- the shared store

  /**
   * The shared store as the supervisor sees it.
   *
   * @param configured whether this cluster has a store at all (its layout records a store port)
   * @param serving whether its port accepts connections right now
   */
  public record StoreStatus(boolean configured, ProcessState process, OptionalLong pid, Optional<String> url,
                            boolean serving) {
    /** {@code Up} (serving), {@code NotServing} (running, port closed), {@code Paused}, {@code Dead}, or {@code None}. */
    public String label() {
      if (!configured) {
        return "None";
      }
      return switch (process) {
        case DEAD -> "Dead";
        case PAUSED -> "Paused";
        case RUNNING -> serving ? "Up" : "NotServing";
      };
    }

    /** The {@code store} line of `cluster status`: state, pid and URL. */
    public String line() {
      return "store  " + label() + "  pid " + (pid.isPresent() ? Long.toString(pid.getAsLong()) : "-") + "  "
          + url.orElse("(no store in this run directory)");
    }
  }

  /** The store's process state, pid and URL, and whether it accepts connections. */
  public StoreStatus storeStatus() {
    RunDir.Layout layout = layout();
    Optional<RunDir.PidRecord> record = dir.readPid(RunDir.STORE);
    ProcessState process = record.map(Processes::state).orElse(ProcessState.DEAD);
    OptionalLong pid = process == ProcessState.DEAD ? OptionalLong.empty() : OptionalLong.of(record.get().pid());
    if (layout.external().isPresent()) {
      // Not the lab's process: the members check it themselves when they start (exit 78 if unusable).
      return new StoreStatus(true, ProcessState.RUNNING, OptionalLong.empty(), layout.storeUrl(), true);
    }
    boolean serving = process == ProcessState.RUNNING && layout.storePort().isPresent()
        && accepts(layout.storePort().getAsInt());
    return new StoreStatus(layout.storePort().isPresent(), process, pid, layout.storeUrl(), serving);
  }

  /**
   * Starts {@code dlm store serve} on {@code port} as a detached JVM (files under the run
   * directory's {@code store/}, output in {@code store.log}) and waits until it accepts connections.
   *
   * @throws CliError when it exits first (with the store's own one-line reason) or is not serving in time
   */
  private void startStore(int port, String command) throws IOException, InterruptedException {
    List<String> argv = launcher.storeCommand(dir, port);
    dir.appendLog(RunDir.STORE, "starting the store at " + Instant.now() + ": " + String.join(" ", argv));
    Process process = new ProcessBuilder(argv)
        .directory(dir.path().toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.logFile(RunDir.STORE).toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
    ProcessHandle handle = process.toHandle();
    started.put(handle.pid(), process);
    RunDir.PidRecord record = new RunDir.PidRecord(handle.pid(), Processes.startMillis(handle));
    dir.writePid(RunDir.STORE, record);
    Deadline deadline = new Deadline(settings.storeStartTimeout());
    while (true) {
      if (Processes.state(record) == ProcessState.DEAD) {
        throw new CliError(command + ": the store exited before it served on " + HOST + ":" + port + " ("
            + lastLine(dir.logFile(RunDir.STORE)) + "); nothing was started, see " + dir.logFile(RunDir.STORE));
      }
      if (accepts(port)) {
        return;
      }
      if (deadline.expired()) {
        throw new CliError(command + ": the store did not accept connections on " + HOST + ":" + port + " within "
            + human(deadline.total) + " (jdlm.cli.lab.store.start-timeout); see " + dir.logFile(RunDir.STORE));
      }
      Thread.sleep(settings.pollInterval().toMillis()); // no event to wait on: bounded by the deadline
    }
  }

  /** SIGTERM to the store (H2 closes the database in its shutdown hook), SIGKILL after {@code down-grace}. */
  private String stopStore() throws InterruptedException {
    Optional<RunDir.PidRecord> record = dir.readPid(RunDir.STORE);
    ProcessState state = record.map(Processes::state).orElse(ProcessState.DEAD);
    if (state == ProcessState.DEAD) {
      return "was not running (database kept in " + dir.storeDir() + ")";
    }
    String how = "stopped";
    if (state == ProcessState.PAUSED) {
      Processes.signal(record.get().pid(), "KILL");
      Processes.signal(record.get().pid(), "CONT");
      how = "was paused: killed";
    } else {
      Processes.signal(record.get().pid(), "TERM");
      if (!Processes.awaitDeath(record.get(), settings.downGrace(), settings.pollInterval())) {
        Processes.signal(record.get().pid(), "KILL");
        how = "did not stop within " + human(settings.downGrace()) + ": killed";
      }
    }
    if (!Processes.awaitDeath(record.get(), settings.killTimeout(), settings.pollInterval())) {
      throw new CliError("cluster down: the store (pid " + record.get().pid() + ") survived SIGKILL; pid files kept in "
          + dir.path());
    }
    return how + " (database kept in " + dir.storeDir() + ")";
  }

  /** Whether something accepts TCP connections on loopback {@code port} within the control timeout. */
  private boolean accepts(int port) {
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getByName(HOST), port), (int) settings.controlTimeout().toMillis());
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The last non-blank line of a log, for a one-line error; a placeholder if there is none. */
  private static String lastLine(java.nio.file.Path log) {
    try {
      List<String> lines = java.nio.file.Files.readAllLines(log).stream().filter(l -> !l.isBlank())
          .filter(l -> !l.startsWith("=== dlm supervisor:")).toList();
      return lines.isEmpty() ? "it printed nothing" : lines.get(lines.size() - 1).strip();
    } catch (IOException | java.io.UncheckedIOException e) {
      return "its log is unreadable";
    }
  }

  // ---------------------------------------------------------------- the power switch

  /** SIGKILL: the member dies without leaving; waits until the process is gone. */
  public void kill(String name) throws InterruptedException {
    RunDir.PidRecord record = live(name, "kill");
    Processes.signal(record.pid(), "KILL");
    if (!Processes.awaitDeath(record, settings.killTimeout(), settings.pollInterval())) {
      throw new CliError(name + " (pid " + record.pid() + ") survived SIGKILL for " + human(settings.killTimeout()));
    }
  }

  /**
   * SIGTERM: the member leaves the cluster gracefully; SIGKILL if it has not exited after
   * {@code down-grace}. Waits until the process is gone.
   */
  public void stop(String name) throws InterruptedException {
    RunDir.PidRecord record = live(name, "stop");
    Processes.signal(record.pid(), "TERM");
    if (!Processes.awaitDeath(record, settings.downGrace(), settings.pollInterval())) {
      Processes.signal(record.pid(), "KILL");
      if (!Processes.awaitDeath(record, settings.killTimeout(), settings.pollInterval())) {
        throw new CliError(name + " (pid " + record.pid() + ") survived SIGKILL for " + human(settings.killTimeout()));
      }
    }
  }

  /** Sends {@code signal} (e.g. STOP, CONT) to the member's live process, without waiting; false if none. */
  public boolean signal(String name, String signal) {
    Optional<RunDir.PidRecord> record = dir.readPid(name).filter(r -> Processes.state(r) != ProcessState.DEAD);
    record.ifPresent(r -> Processes.signal(r.pid(), signal));
    return record.isPresent();
  }

  /** SIGSTOP: the member freezes (no heartbeats, no replies) until {@link #resume}. */
  public void pause(String name) throws InterruptedException {
    RunDir.PidRecord record = live(name, "pause");
    if (Processes.state(record) == ProcessState.PAUSED) {
      throw new CliError("cannot pause " + name + ": it is already paused (pid " + record.pid() + ")");
    }
    Processes.signal(record.pid(), "STOP");
    awaitProcessState(record, ProcessState.PAUSED, name);
  }

  /** SIGCONT: a paused member runs again (and finds out whether it was downed meanwhile). */
  public void resume(String name) throws InterruptedException {
    RunDir.PidRecord record = live(name, "resume");
    if (Processes.state(record) != ProcessState.PAUSED) {
      throw new CliError("cannot resume " + name + ": it is not paused (pid " + record.pid() + ")");
    }
    Processes.signal(record.pid(), "CONT");
    awaitProcessState(record, ProcessState.RUNNING, name);
  }

  private void awaitProcessState(RunDir.PidRecord record, ProcessState wanted, String name) throws InterruptedException {
    Deadline deadline = new Deadline(settings.killTimeout());
    while (true) {
      ProcessState now = Processes.state(record);
      if (now == wanted || now == ProcessState.DEAD) { // a resumed member may exit at once if it was downed
        return;
      }
      if (deadline.expired()) {
        throw new CliError(name + " (pid " + record.pid() + ") is not " + wanted + " after " + human(deadline.total));
      }
      Thread.sleep(Math.min(50, settings.pollInterval().toMillis()));
    }
  }

  /**
   * Starts the member again with the same name and ports, as a new incarnation, and waits until it
   * is Up. A member that is still alive (running or paused) is SIGKILLed first: restart is a
   * power cycle.
   *
   * @return the new incarnation's own view
   */
  public MembershipView restart(String name) throws IOException, InterruptedException {
    NodeSpec node = node(name);
    Optional<RunDir.PidRecord> old = dir.readPid(name).filter(r -> Processes.state(r) != ProcessState.DEAD);
    if (old.isPresent()) {
      Processes.signal(old.get().pid(), "KILL");
      if (!Processes.awaitDeath(old.get(), settings.killTimeout(), settings.pollInterval())) {
        throw new CliError("cannot restart " + name + ": its old process " + old.get().pid() + " survived SIGKILL");
      }
    }
    // The leader thread of a SIGKILLed JVM is a zombie (DEAD to us) before its last thread has
    // exited and released the sockets; a restart right after the kill waits for the ports, bounded.
    Deadline portsFree = new Deadline(settings.killTimeout());
    awaitFree(node.cluster().host(), node.cluster().port(), name + " cluster port", portsFree);
    awaitFree(node.cluster().host(), node.controlPort(), name + " control port", portsFree);
    StoreStatus store = storeStatus();
    if (layout().storePort().isPresent() && !store.serving()) {
      // A member without its store could neither be admitted nor fence; say so instead of waiting.
      throw new CliError("cannot restart " + name + ": the store is " + store.label() + " (" + store.url().orElse("")
          + "); see " + dir.logFile(RunDir.STORE) + ", or bring the cluster down and up again");
    }
    start(layout(), node);
    try {
      return awaitUp(node, 1, new Deadline(settings.restartTimeout()), "cluster restart");
    } catch (InterruptedException | RuntimeException e) {
      dir.readPid(name).ifPresent(r -> {
        if (Processes.state(r) != ProcessState.DEAD) {
          Processes.signal(r.pid(), "KILL");
        }
      });
      throw e;
    }
  }

  private RunDir.PidRecord live(String name, String verb) {
    node(name);
    return dir.readPid(name).filter(r -> Processes.state(r) != ProcessState.DEAD)
        .orElseThrow(() -> new CliError("cannot " + verb + " " + name + ": it has no live process (see `dlm cluster status`)"));
  }

  /** The member's log file (stdout and stderr of every incarnation). */
  public java.nio.file.Path logFile(String name) {
    node(name);
    return dir.logFile(name);
  }

  /**
   * Stops every member: SIGTERM to running ones (they leave the cluster gracefully), SIGKILL to
   * paused ones, then after {@code down-grace} SIGKILL to whatever is left. Afterwards no recorded
   * process survives, and the layout and pid files are deleted (logs stay).
   *
   * @return one line per member saying how it ended
   */
  public List<String> down() throws IOException, InterruptedException {
    List<String> names = new ArrayList<>(dir.readLayout().map(RunDir.Layout::names).orElse(List.of()));
    dir.pidFileNodes().stream().filter(n -> !names.contains(n) && !n.equals(RunDir.STORE)).forEach(names::add);
    boolean hasStore = dir.readPid(RunDir.STORE).isPresent();
    if (names.isEmpty() && !hasStore) {
      throw new CliError("no cluster in " + dir.path() + " (no " + RunDir.LAYOUT + " and no pid files)");
    }
    Map<String, RunDir.PidRecord> alive = new LinkedHashMap<>();
    Map<String, String> outcome = new LinkedHashMap<>();
    for (String n : names) {
      Optional<RunDir.PidRecord> r = dir.readPid(n);
      ProcessState s = r.map(Processes::state).orElse(ProcessState.DEAD);
      if (s == ProcessState.DEAD) {
        outcome.put(n, "was not running");
      } else if (s == ProcessState.PAUSED) {
        // A frozen member cannot leave; it has been (or will be) downed by the majority anyway.
        Processes.signal(r.get().pid(), "KILL");
        Processes.signal(r.get().pid(), "CONT");
        alive.put(n, r.get());
        outcome.put(n, "was paused: killed");
      } else {
        Processes.signal(r.get().pid(), "TERM");
        alive.put(n, r.get());
        outcome.put(n, "left");
      }
    }
    Deadline grace = new Deadline(settings.downGrace());
    for (Map.Entry<String, RunDir.PidRecord> e : alive.entrySet()) {
      Duration left = grace.remaining();
      if (!Processes.awaitDeath(e.getValue(), left, settings.pollInterval())) {
        Processes.signal(e.getValue().pid(), "KILL");
        outcome.put(e.getKey(), "did not leave within " + human(settings.downGrace()) + ": killed");
      }
    }
    List<String> survivors = new ArrayList<>();
    for (Map.Entry<String, RunDir.PidRecord> e : alive.entrySet()) {
      if (!Processes.awaitDeath(e.getValue(), settings.killTimeout(), settings.pollInterval())) {
        survivors.add(e.getKey() + " pid " + e.getValue().pid());
      }
    }
    if (!survivors.isEmpty()) {
      throw new CliError("cluster down: " + String.join(", ", survivors) + " survived SIGKILL; pid files kept in " + dir.path());
    }
    // The store last: members that leave still write to it (singleton hand-over, final events).
    if (hasStore) {
      outcome.put(RunDir.STORE, stopStore());
    }
    dir.forget();
    return outcome.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList();
  }

  /**
   * Kills, without grace, every process this directory records and every process this object
   * started. For test cleanup and failed starts; never throws for a process that is already gone.
   */
  public void killAll() {
    List<ProcessHandle> victims = new ArrayList<>(started.values().stream().map(Process::toHandle).toList());
    try {
      for (String n : dir.pidFileNodes()) {
        try {
          dir.readPid(n).flatMap(Processes::handle).ifPresent(victims::add);
        } catch (CliError unreadable) {
          // a corrupt pid file names no process we could safely kill
        }
      }
    } catch (IOException ignored) {
      // the directory is gone: only the processes we started remain to be killed
    }
    for (ProcessHandle h : victims) {
      h.destroyForcibly(); // SIGKILL also ends a stopped process
    }
    for (ProcessHandle h : victims) {
      try {
        h.onExit().get(settings.killTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (Exception ignored) {
        // best effort: reported by the caller's own checks
      }
    }
    started.keySet().removeIf(pid -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
  }

  /**
   * The exit status of a member process this object started, once it has exited (a member started
   * by another supervisor, e.g. an earlier `dlm` command, is not this JVM's child: empty).
   */
  public OptionalInt exitStatus(long pid) {
    Process p = started.get(pid);
    return p == null || p.isAlive() ? OptionalInt.empty() : OptionalInt.of(p.exitValue());
  }

  /** Waits, polling, until {@code condition} yields a value; an error naming {@code what} after {@code timeout}. */
  public <T> T await(String what, Duration timeout, Supplier<Optional<T>> condition) throws InterruptedException {
    Deadline deadline = new Deadline(timeout);
    while (true) {
      Optional<T> value = condition.get();
      if (value.isPresent()) {
        return value.get();
      }
      if (deadline.expired()) {
        throw new CliError("timed out after " + human(timeout) + " waiting for " + what);
      }
      Thread.sleep(Math.min(settings.pollInterval().toMillis(), Math.max(1, deadline.remaining().toMillis())));
    }
  }

  static String human(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }

  /** A bound on a wait, measured on the monotonic clock. */
  private static final class Deadline {
    final Duration total;
    final long end;

    Deadline(Duration total) {
      this.total = total;
      this.end = System.nanoTime() + total.toNanos();
    }

    boolean expired() {
      return System.nanoTime() >= end;
    }

    Duration remaining() {
      return Duration.ofNanos(Math.max(0, end - System.nanoTime()));
    }
  }
}
