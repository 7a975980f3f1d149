package org.jdlm.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.jdlm.lab.LabFencing;
import org.jdlm.lab.LabSettings;
import org.jdlm.lab.MemberLauncher;
import org.jdlm.lab.NodeSpec;
import org.jdlm.lab.NodeStatus;
import org.jdlm.lab.ProcessState;
import org.jdlm.lab.RunDir;
import org.jdlm.lab.Supervisor;
import org.jdlm.member.CliError;
import org.jdlm.member.MembershipView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dlm cluster …}: the lab supervisor's commands, each a thin shell over {@link Supervisor}. */
@Command(name = "cluster", description = "lab supervisor: up, status, kill, pause, resume, restart, logs, down",
    subcommands = {ClusterCommand.Up.class, ClusterCommand.Status.class, ClusterCommand.Kill.class,
        ClusterCommand.Pause.class, ClusterCommand.Resume.class, ClusterCommand.Restart.class,
        ClusterCommand.Logs.class, ClusterCommand.Down.class})
final class ClusterCommand extends DlmCommand.Group {

  /** {@code --dir DIR}, shared by every cluster command. */
  static final class RunDirOption {
    @Option(names = "--dir", paramLabel = "DIR", description = "the run directory (default ./run/cluster)")
    Path dir;

    Path path() {
      return dir != null ? dir : LabSettings.load().defaultDir();
    }

    Supervisor supervisor() {
      Path runDir = path();
      // The fence agents chosen by `cluster up --fencing` apply to every member started later too.
      var fencing = LabFencing.recorded(runDir);
      if (fencing.isEmpty()) {
        return Supervisor.forDirectory(runDir);
      }
      LabSettings settings = fencing.get().apply(LabSettings.load());
      return new Supervisor(new RunDir(runDir), settings, MemberLauncher.current(settings));
    }
  }

  /** `cluster up`. */
  @Command(name = "up", description = {"start N member JVMs on 127.0.0.1 and wait until all are Up", "",
      "Starts the shared store (an H2 server JVM, database in DIR/store, log DIR/store.log), then members n1..nN as"
          + " detached JVMs (they outlive this command), waits until every member sees all N Up, and prints their"
          + " status. A database left in DIR/store by an earlier run is served again. With --store the members use"
          + " that database instead (PostgreSQL, prepared with `dlm store init`), also after `cluster restart`, and no"
          + " store process is started. Refuses a run directory that"
          + " already holds a cluster, running or dead (clean that with `dlm cluster down`)."},
      exitCodeList = {"0:every member is Up", "2:bad input, a port in use, or a member that did not come Up"})
  static final class Up extends DlmCommand {
    @Option(names = "--nodes", paramLabel = "N", required = true,
        description = "number of members (1..jdlm.cli.lab.max-nodes)")
    int nodes;

    @Option(names = "--base-port", paramLabel = "P", description = {"member i gets cluster port P+2(i-1) and control"
        + " port P+2(i-1)+1, the store P+2N (default: free ports chosen by the OS)"})
    Integer basePort;

    @Option(names = "--fencing", paramLabel = "power|storage|both", description = {"the members' fence agents:"
        + " power alone, storage alone, or both (each must confirm); remembered in DIR/fencing for later restarts"
        + " (default jdlm-node.conf's [power, storage], the first that works)"})
    String fencing;

    @Mixin
    RunDirOption dir;

    @Mixin
    StoreOptions store;

    @Override
    protected int run(Console console) throws Exception {
      range("--nodes", nodes, 1, Integer.MAX_VALUE);
      OptionalInt base = basePort == null ? OptionalInt.empty() : OptionalInt.of(range("--base-port", basePort, 1, 65535));
      var agents = java.util.Optional.ofNullable(fencing).map(f -> LabFencing.parse("cluster up", f));
      if (new RunDir(dir.path()).readLayout().isEmpty()) {
        LabFencing.remember(dir.path(), agents); // not over a running cluster: up refuses that directory below
      }
      Supervisor supervisor = dir.supervisor();
      List<NodeStatus> status = supervisor.up(nodes, base, store.external());
      console.out().print(Supervisor.table(status));
      console.out().println(supervisor.storeStatus().line());
      console.out().println("run directory: " + supervisor.runDir().path());
      return 0;
    }
  }

  /** `cluster status`. */
  @Command(name = "status", description = {"one line per member: Up, Unreachable, Down, Removed, Paused, Dead ...", "",
      "One line per member, name first. STATE is Dead (no process) or Paused (SIGSTOP) from the OS, otherwise the"
          + " member's status as a live member sees it: Up, Unreachable, Joining, Leaving, Down, Removed ..."
          + " MEMBERSHIP is that live member's view, also for dead and paused members. A last line shows the store:"
          + " state (Up, NotServing, Paused, Dead), pid and JDBC URL; then each live member's lockspaces."})
  static final class Status extends DlmCommand {
    @Mixin
    RunDirOption dir;

    @Override
    protected int run(Console console) {
      Supervisor supervisor = dir.supervisor();
      console.out().print(Supervisor.table(supervisor.status()));
      console.out().println(supervisor.storeStatus().line());
      printLockspaces(supervisor, console);
      return 0;
    }
  }

  /**
   * One line per lockspace and live member: its state as that member reports it (running, with the
   * last recovery's timings; stopped, waiting for fencing of …; recovering: PHASE) and generation
   * (docs/recovery.md). Dead and paused members are not asked.
   */
  private static void printLockspaces(Supervisor supervisor, Console console) {
    java.time.Duration timeout = com.typesafe.config.ConfigFactory.load().getDuration("jdlm.cli.dump.member-timeout");
    for (NodeSpec n : supervisor.layout().nodes()) {
      if (supervisor.processState(n.name()) != ProcessState.RUNNING) {
        continue;
      }
      org.jdlm.cli.DumpCommand.Answer a = org.jdlm.cli.DumpCommand.ask(supervisor.control(), n, null, timeout);
      if (a.problem() != null) {
        console.out().println("lockspaces on " + n.name() + ": " + a.problem());
        continue;
      }
      for (org.jdlm.dlm.dump.LockspaceDump d : a.dumps()) {
        console.out().println("lockspace " + d.lockspace() + " on " + n.name() + ": " + d.state() + ", generation "
            + d.generation());
      }
    }
  }

  /** An action on one member's process: kill, pause, resume. */
  abstract static class Signal extends DlmCommand {
    @Parameters(paramLabel = "NODE", description = "the member (n1, n2 ...)")
    String node;

    @Mixin
    RunDirOption dir;

    abstract void apply(Supervisor supervisor, String node) throws Exception;

    abstract String done();

    @Override
    protected int run(Console console) throws Exception {
      Supervisor supervisor = dir.supervisor();
      long pid = supervisor.pid(node).orElse(-1);
      apply(supervisor, node);
      console.out().println(node + " " + done() + (pid > 0 ? " (pid " + pid + ")" : ""));
      return 0;
    }
  }

  @Command(name = "kill", description = "SIGKILL a member (it dies without leaving)")
  static final class Kill extends Signal {
    @Override
    void apply(Supervisor supervisor, String node) throws Exception {
      supervisor.kill(node);
    }

    @Override
    String done() {
      return "killed";
    }
  }

  @Command(name = "pause", description = "SIGSTOP a member (it freezes: no heartbeats, no replies)")
  static final class Pause extends Signal {
    @Override
    void apply(Supervisor supervisor, String node) throws Exception {
      supervisor.pause(node);
    }

    @Override
    String done() {
      return "paused";
    }
  }

  @Command(name = "resume", description = "SIGCONT a paused member")
  static final class Resume extends Signal {
    @Override
    void apply(Supervisor supervisor, String node) throws Exception {
      supervisor.resume(node);
    }

    @Override
    String done() {
      return "resumed";
    }
  }

  /** `cluster restart nX`. */
  @Command(name = "restart", description = {"start a member again (same name and ports, new incarnation); wait until Up",
      "", "Starts NODE again with its name and ports and waits until it is Up as a new incarnation (a new Pekko uid),"
          + " using the same store. A member that is still alive, running or paused, is SIGKILLed first. Refused"
          + " when the store is not serving."})
  static final class Restart extends DlmCommand {
    @Parameters(paramLabel = "NODE", description = "the member (n1, n2 ...)")
    String node;

    @Mixin
    RunDirOption dir;

    @Override
    protected int run(Console console) throws Exception {
      Supervisor supervisor = dir.supervisor();
      MembershipView view = supervisor.restart(node);
      console.out().println(node + " Up again as incarnation uid=" + view.self().uid() + " (pid "
          + supervisor.pid(node).orElse(-1) + ")");
      return 0;
    }
  }

  /** `cluster logs nX`. */
  @Command(name = "logs", description = {"print a member's log (all its incarnations)", "",
      "Prints NODE's log file: stdout and stderr of every incarnation."})
  static final class Logs extends DlmCommand {
    @Parameters(paramLabel = "NODE", description = "the member (n1, n2 ...)")
    String node;

    @Mixin
    RunDirOption dir;

    @Override
    protected int run(Console console) throws Exception {
      Path log = dir.supervisor().logFile(node);
      if (!Files.isRegularFile(log)) {
        throw new CliError("no log for " + node + " (" + log + " does not exist)");
      }
      Files.copy(log, console.out());
      console.out().flush();
      return 0;
    }
  }

  /** `cluster down`. */
  @Command(name = "down", description = {
      "stop every member (leave gracefully, then SIGKILL), then the store; clean the run directory", "",
      "SIGTERM to running members (they leave the cluster), SIGKILL to paused ones, SIGKILL to any member still"
          + " alive after jdlm.cli.lab.down-grace; then SIGTERM to the store. Deletes cluster.properties and the pid"
          + " files; logs stay until the next `up`, the store's database in DIR/store stays until the directory is"
          + " removed. Also cleans a directory whose processes are all dead."})
  static final class Down extends DlmCommand {
    @Mixin
    RunDirOption dir;

    @Override
    protected int run(Console console) throws Exception {
      Supervisor supervisor = dir.supervisor();
      for (String line : supervisor.down()) {
        console.out().println(line);
      }
      console.out().println("cluster in " + supervisor.runDir().path() + " is down");
      return 0;
    }
  }
}
