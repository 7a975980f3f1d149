package org.jdlm.tests;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jdlm.lab.LabSettings;
import org.jdlm.lab.MemberLauncher;
import org.jdlm.lab.RunDir;
import org.jdlm.lab.Supervisor;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The multi-JVM harness's safety net (a JUnit extension; register with {@code @RegisterExtension}).
 * After every test, pass or fail, it SIGKILLs every member process the test started: those of the
 * supervisors it handed out, those recorded in the run directories it was told about (the CLI run
 * in-process makes its own supervisors), and any child of this JVM that is a lab member. A JVM
 * shutdown hook does the same if the test JVM is stopped mid-test.
 *
 * <p>Member JVMs get this JVM's classpath ({@code java.class.path}): the tests module depends on
 * cli, so they need no packaged jar. They are tagged {@code jvm} and run in {@code ./mvnw verify}
 * (failsafe), not in the fast loop, because each takes tens of seconds.
 */
public final class LabProcesses implements AfterEachCallback {
  /** Marker on every member's and store's command line (see MemberLauncher). */
  private static final String MEMBER_MARK = "-Djdlm.lab.run-dir=";
  /** Marker that only the store's command line carries (see MemberLauncher). */
  private static final String STORE_MARK = "-Djdlm.lab.store=true";
  private static final Set<Path> ALL_DIRS = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(LabProcesses::killEverything, "jdlm-lab-reaper"));
  }

  private final List<Supervisor> supervisors = new CopyOnWriteArrayList<>();
  private final List<Path> dirs = new CopyOnWriteArrayList<>();

  /** A supervisor on {@code dir} with the lab's settings and this JVM's java and classpath. */
  public Supervisor supervisor(Path dir) {
    LabSettings settings = LabSettings.load();
    Supervisor s = new Supervisor(new RunDir(dir), settings, MemberLauncher.current(settings));
    supervisors.add(s);
    watch(dir);
    return s;
  }

  /**
   * A supervisor whose members get {@code extraMemberOptions} after the lab's JVM flags, e.g.
   * {@code -Djdlm.fencing.agents.0=storage}: -D properties override jdlm-node.conf (NodeConfig).
   */
  public Supervisor supervisor(Path dir, List<String> extraMemberOptions) {
    LabSettings l = LabSettings.load();
    List<String> jvm = new java.util.ArrayList<>(l.memberJvmOptions());
    jvm.addAll(extraMemberOptions);
    LabSettings settings = new LabSettings(l.defaultDir(), l.maxNodes(), l.upTimeout(), l.restartTimeout(),
        l.controlTimeout(), l.pollInterval(), l.downGrace(), l.killTimeout(), jvm, l.storeStartTimeout(),
        l.storeJvmOptions());
    Supervisor s = new Supervisor(new RunDir(dir), settings, MemberLauncher.current(settings));
    supervisors.add(s);
    watch(dir);
    return s;
  }

  /** Makes sure members recorded in {@code dir} are killed after the test. */
  public Path watch(Path dir) {
    dirs.add(dir);
    ALL_DIRS.add(dir);
    return dir;
  }

  /** Lab processes (members and stores) that are children of this JVM and still alive. */
  public static List<ProcessHandle> liveLabProcesses() {
    return ProcessHandle.current().descendants()
        .filter(ProcessHandle::isAlive)
        .filter(h -> h.info().commandLine().map(c -> c.contains(MEMBER_MARK)).orElse(false))
        .toList();
  }

  /** Lab member processes ({@code dlm node}, not the store) that are children of this JVM and still alive. */
  public static List<ProcessHandle> liveMembers() {
    return liveLabProcesses().stream()
        .filter(h -> h.info().commandLine().map(c -> !c.contains(STORE_MARK)).orElse(false))
        .toList();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    supervisors.forEach(Supervisor::killAll);
    for (Path d : dirs) {
      Supervisor.forDirectory(d).killAll();
    }
    killChildren();
    supervisors.clear();
    dirs.clear();
  }

  private static void killEverything() {
    for (Path d : ALL_DIRS) {
      try {
        Supervisor.forDirectory(d).killAll();
      } catch (RuntimeException ignored) {
        // directory already removed by JUnit; the children sweep below still applies
      }
    }
    killChildren();
  }

  private static void killChildren() {
    List<ProcessHandle> members = liveLabProcesses();
    members.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle h : members) {
      try {
        h.onExit().get(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception ignored) {
        // reported by the tests' own "nothing left running" assertions
      }
    }
  }
}
