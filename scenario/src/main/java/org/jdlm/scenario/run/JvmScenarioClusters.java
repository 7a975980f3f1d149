package org.jdlm.scenario.run;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.jdlm.member.ControlClient;
import org.jdlm.lab.ExternalStore;
import org.jdlm.lab.LabSettings;
import org.jdlm.lab.MemberLauncher;
import org.jdlm.lab.ProcessState;
import org.jdlm.lab.RunDir;
import org.jdlm.lab.Supervisor;
import org.jdlm.scenario.Header;
import org.jdlm.scenario.Scenario;
import org.jdlm.scenario.Statement;

/**
 * {@code --mode jvm}: every file runs on real member JVMs started by a lab {@link Supervisor} in a
 * temporary run directory, driven through {@link HttpNodeDriver}s.
 *
 * <p>Starting N JVMs costs seconds, so a cluster is reused across files of the same size, each file
 * in a lockspace of its own (its name plus a run number), as the in-process mode does. A file with a
 * fault statement ({@code kill pause resume restart}) gets a fresh cluster that is stopped after it:
 * its fault would otherwise start recovery in the earlier files' lockspaces too, and leave a cluster
 * no later file should trust. A reused cluster with a member that is no longer running is replaced.
 *
 * <p>{@link #close()} SIGKILLs every member this factory started (the run directories are
 * temporary, so there is nothing to leave gracefully for) and deletes the directories; a JVM
 * shutdown hook does the same if the runner's JVM is stopped first.
 */
public final class JvmScenarioClusters implements ScenarioCluster.Factory, AutoCloseable {

  /** Bounds of the jvm mode, from {@code jdlm.cli.scenario.jvm}. */
  public record Settings(Duration requestTimeout, Duration joinTimeout, Duration membershipTimeout, boolean keepRunDirs) {
    public static Settings fromConfig(Config root) {
      Config c = root.getConfig("jdlm.cli.scenario.jvm");
      return new Settings(c.getDuration("request-timeout"), c.getDuration("join-timeout"),
          c.getDuration("membership-timeout"), c.getBoolean("keep-run-dirs"));
    }
  }

  /** One lab cluster: its supervisor and run directory. */
  private static final class Lab {
    final int size;
    final Supervisor supervisor;
    final Path dir;

    Lab(int size, Supervisor supervisor, Path dir) {
      this.size = size;
      this.supervisor = supervisor;
      this.dir = dir;
    }

    boolean allRunning() {
      for (int i = 1; i <= size; i++) {
        if (supervisor.processState("n" + i) != ProcessState.RUNNING) {
          return false;
        }
      }
      return true;
    }
  }

  private final Settings settings;
  private final LabSettings labSettings;
  private final MemberLauncher launcher;
  private final ControlClient control;
  private final ExecutorService joiners;
  private final Path root;
  private final Map<Integer, Lab> shared = new HashMap<>();
  private final Set<Lab> live = ConcurrentHashMap.newKeySet();
  private final Thread reaper;
  /** A store the lab does not run (PostgreSQL), or empty for each lab's own H2 store. */
  private final Optional<ExternalStore> store;
  private int runs;
  private int labs;

  /** With this process's configuration, java and classpath. */
  public JvmScenarioClusters() throws IOException {
    this(Optional.empty());
  }

  /** With this process's configuration; every lab's members on {@code store} when given. */
  public JvmScenarioClusters(Optional<ExternalStore> store) throws IOException {
    this(Settings.fromConfig(ConfigFactory.load()), LabSettings.load(), store);
  }

  public JvmScenarioClusters(Settings settings, LabSettings labSettings) throws IOException {
    this(settings, labSettings, Optional.empty());
  }

  public JvmScenarioClusters(Settings settings, LabSettings labSettings, Optional<ExternalStore> store)
      throws IOException {
    this.store = store;
    this.settings = settings;
    this.labSettings = labSettings;
    this.launcher = MemberLauncher.current(labSettings);
    this.control = new ControlClient(labSettings.controlTimeout());
    this.joiners = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "jdlm-scenario-join");
      t.setDaemon(true);
      return t;
    });
    this.root = Files.createTempDirectory("jdlm-scenario-jvm-");
    this.reaper = new Thread(this::killEverything, "jdlm-scenario-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  @Override
  public String mode() {
    return "jvm";
  }

  @Override
  public ScenarioCluster start(Header header) throws Exception {
    return start(header, false);
  }

  @Override
  public ScenarioCluster start(Scenario scenario) throws Exception {
    boolean faults = scenario.statements().stream().anyMatch(s -> s instanceof Statement.Fault);
    return start(scenario.header(), faults);
  }

  private synchronized ScenarioCluster start(Header header, boolean ownCluster) throws Exception {
    Lab lab = ownCluster ? null : shared.get(header.nodes());
    if (lab != null && !lab.allRunning()) {
      shared.remove(header.nodes());
      destroy(lab);
      lab = null;
    }
    if (lab == null) {
      if (store.isPresent()) {
        // One database, one cluster at a time: two clusters' fencing authorities would write the
        // same persistence id in the shared journal.
        for (Lab other : List.copyOf(live)) {
          shared.values().remove(other);
          destroy(other);
        }
      }
      lab = newLab(header.nodes());
      if (!ownCluster) {
        shared.put(header.nodes(), lab);
      }
    }
    String lockspace = header.lockspace() + "." + (++runs);
    List<HttpNodeDriver> drivers = new ArrayList<>();
    try {
      for (int i = 1; i <= lab.size; i++) {
        drivers.add(new HttpNodeDriver("n" + i, lab.supervisor.node("n" + i).control(), lockspace, control,
            settings.requestTimeout()));
      }
      join(drivers, header.lvbLength());
      for (HttpNodeDriver d : drivers) {
        awaitMembers(d, lab.size);
      }
    } catch (Exception | Error e) {
      shared.values().remove(lab);
      destroy(lab);
      throw e;
    }
    return new Running(lab, drivers, ownCluster, header.lvbLength());
  }

  private Lab newLab(int size) throws IOException, InterruptedException {
    Path dir = root.resolve("cluster-" + (++labs) + "-" + size + "n");
    Supervisor supervisor = new Supervisor(new RunDir(dir), labSettings, launcher);
    Lab lab = new Lab(size, supervisor, dir);
    live.add(lab);
    try {
      supervisor.up(size, OptionalInt.empty(), store);
    } catch (IOException | InterruptedException | RuntimeException e) {
      destroy(lab);
      throw e;
    }
    return lab;
  }

  /** Joins on every member at once: a member's join may wait for the others' handshakes. */
  private void join(List<HttpNodeDriver> drivers, int lvbLength) throws InterruptedException {
    List<CompletableFuture<List<String>>> joins = drivers.stream()
        .map(d -> CompletableFuture.supplyAsync(() -> d.join(lvbLength, settings.joinTimeout()), joiners)).toList();
    for (CompletableFuture<List<String>> j : joins) {
      try {
        j.get();
      } catch (ExecutionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
      }
    }
  }

  /** Mastering is undefined until every member sees all of them: wait before the file's first line. */
  private void awaitMembers(HttpNodeDriver d, int size) throws InterruptedException {
    long deadline = System.nanoTime() + settings.membershipTimeout().toNanos();
    while (true) {
      List<String> members = d.members();
      if (members.size() >= size) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(d + " sees only " + members + " after " + settings.membershipTimeout().toSeconds()
            + " s");
      }
      Thread.sleep(labSettings.pollInterval().toMillis() / 4 + 1); // polling a remote member: bounded above
    }
  }

  private void destroy(Lab lab) {
    lab.supervisor.killAll();
    live.remove(lab);
    if (!settings.keepRunDirs()) {
      deleteTree(lab.dir);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory; what cannot be deleted now the OS removes later
    }
  }

  private void killEverything() {
    for (Lab lab : live) {
      lab.supervisor.killAll();
    }
  }

  @Override
  public synchronized void close() {
    for (Lab lab : List.copyOf(live)) {
      destroy(lab);
    }
    shared.clear();
    joiners.shutdownNow();
    if (!settings.keepRunDirs()) {
      deleteTree(root);
    }
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook is running or about to: it kills the same processes
    }
  }

  /** One file's view of a lab cluster: its own lockspace on every member. */
  private final class Running implements ScenarioCluster {
    private final Lab lab;
    private final List<HttpNodeDriver> drivers;
    private final boolean own;
    private final int lvbLength;

    Running(Lab lab, List<HttpNodeDriver> drivers, boolean own, int lvbLength) {
      this.lab = lab;
      this.drivers = drivers;
      this.own = own;
      this.lvbLength = lvbLength;
    }

    @Override
    public NodeDriver node(int number) {
      return drivers.get(number - 1);
    }

    @Override
    public int size() {
      return drivers.size();
    }

    @Override
    public FsDriver fs(int number) {
      return drivers.get(number - 1);
    }

    @Override
    public void fault(Statement.FaultKind kind, int number) throws Exception {
      String name = "n" + number;
      switch (kind) {
        case KILL -> lab.supervisor.kill(name);
        case PAUSE -> lab.supervisor.pause(name);
        case RESUME -> lab.supervisor.resume(name);
        case RESTART -> {
          lab.supervisor.restart(name);
          // A new incarnation has a new DLM and no agent: join the file's lockspace again.
          HttpNodeDriver d = drivers.get(number - 1);
          d.join(lvbLength, settings.joinTimeout());
          // Every member that is running, not the file's size: another victim of the same round
          // may still be dead or frozen (found by dlm chaos: two victims restarted one by one).
          int running = 0;
          for (int k = 1; k <= lab.size; k++) {
            if (lab.supervisor.processState("n" + k) == ProcessState.RUNNING) {
              running++;
            }
          }
          awaitMembers(d, running);
        }
        default -> throw new IllegalStateException("no handler for fault " + kind);
      }
    }

    @Override
    public boolean isResponsive(int number) {
      return lab.supervisor.processState("n" + number) == ProcessState.RUNNING;
    }

    @Override
    public void close() {
      synchronized (JvmScenarioClusters.this) {
        if (own || !lab.allRunning()) {
          shared.values().remove(lab);
          destroy(lab);
        }
      }
    }
  }
}
