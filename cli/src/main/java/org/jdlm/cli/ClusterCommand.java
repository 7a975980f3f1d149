package org.jdlm.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.jdlm.lab.LabFencing;
import org.jdlm.lab.LabSettings;
import org.jdlm.lab.MemberLauncher;
import org.jdlm.lab.RunDir;
import org.jdlm.lab.NodeSpec;
import org.jdlm.lab.NodeStatus;
import org.jdlm.lab.ProcessState;
import org.jdlm.lab.Supervisor;
import org.jdlm.member.CliError;
import org.jdlm.member.MembershipView;

/** {@code dlm cluster …}: the lab supervisor's commands, each a thin shell over {@link Supervisor}. */
public final class ClusterCommand implements Subcommands.CommandGroup {
  private static final String DIR = "--dir";

  private final Subcommands actions = new Subcommands("dlm cluster")
      .register(new Up())
      .register(new Status())
      .register(new Signal("kill", "SIGKILL a member (it dies without leaving)", Supervisor::kill, "killed"))
      .register(new Signal("pause", "SIGSTOP a member (it freezes: no heartbeats, no replies)", Supervisor::pause, "paused"))
      .register(new Signal("resume", "SIGCONT a paused member", Supervisor::resume, "resumed"))
      .register(new Restart())
      .register(new Logs())
      .register(new Down());

  @Override
  public String name() {
    return "cluster";
  }

  @Override
  public String summary() {
    return "lab supervisor: up, status, kill, pause, resume, restart, logs, down";
  }

  @Override
  public String usage() {
    return actions.help();
  }

  @Override
  public int run(List<String> args, Console console) throws Exception {
    return actions.dispatch(args, console);
  }

  private static Supervisor supervisor(Options o) {
    Path dir = o.get(DIR).map(Path::of).orElse(LabSettings.load().defaultDir());
    // The fence agents chosen by `cluster up --fencing` apply to every member started later too.
    var fencing = LabFencing.recorded(dir);
    if (fencing.isEmpty()) {
      return Supervisor.forDirectory(dir);
    }
    LabSettings settings = fencing.get().apply(LabSettings.load());
    return new Supervisor(new RunDir(dir), settings, MemberLauncher.current(settings));
  }

  private static final String DIR_HELP = "  --dir DIR   the run directory (default ./run/cluster)\n";

  /** `cluster up`. */
  private static final class Up implements Subcommand {
    @Override
    public String name() {
      return "up";
    }

    @Override
    public String summary() {
      return "start N member JVMs on 127.0.0.1 and wait until all are Up";
    }

    @Override
    public String usage() {
      return """
          usage: dlm cluster up --nodes N [--dir DIR] [--base-port P] [--fencing power|storage|both]

          Starts the shared store (an H2 server JVM, database in DIR/store, log DIR/store.log), then
          members n1..nN as detached JVMs (they outlive this command), waits until every member sees all
          N Up, and prints their status. A database left in DIR/store by an earlier run is served again.
          Refuses a run directory that already holds a cluster, running or dead (clean that with
          `dlm cluster down`).
            --nodes N       number of members (1..jdlm.cli.lab.max-nodes)
            --base-port P   member i gets cluster port P+2(i-1) and control port P+2(i-1)+1, the store
                            P+2N (default: free ports chosen by the OS)
            --fencing F     the members' fence agents: power (kill -9), storage (revoke the disk key;
                            a frozen member stays alive) or both (each must confirm); remembered in
                            DIR/fencing for `cluster restart` (default: jdlm-node.conf's [power, storage])
          """ + DIR_HELP;
    }

    @Override
    public int run(List<String> args, Console console) throws Exception {
      Options o = Options.parse("cluster up", args, Set.of("--nodes", "--base-port", "--fencing", DIR), Set.of())
          .noPositional();
      int nodes = o.parseInt("--nodes", o.require("--nodes"), 1, Integer.MAX_VALUE);
      OptionalInt base = o.integer("--base-port", 1, 65535).map(OptionalInt::of).orElse(OptionalInt.empty());
      var fencing = o.get("--fencing").map(f -> LabFencing.parse("cluster up", f));
      Path dir = o.get(DIR).map(Path::of).orElse(LabSettings.load().defaultDir());
      if (new RunDir(dir).readLayout().isEmpty()) {
        LabFencing.remember(dir, fencing); // not over a running cluster: up refuses that directory below
      }
      Supervisor supervisor = supervisor(o);
      List<NodeStatus> status = supervisor.up(nodes, base);
      console.out().print(Supervisor.table(status));
      console.out().println(supervisor.storeStatus().line());
      console.out().println("run directory: " + supervisor.runDir().path());
      return 0;
    }
  }

  /** `cluster status`. */
  private static final class Status implements Subcommand {
    @Override
    public String name() {
      return "status";
    }

    @Override
    public String summary() {
      return "one line per member: Up, Unreachable, Down, Removed, Paused, Dead ...";
    }

    @Override
    public String usage() {
      return """
          usage: dlm cluster status [--dir DIR]

          One line per member, name first. STATE is Dead (no process) or Paused (SIGSTOP) from the OS,
          otherwise the member's status as a live member sees it: Up, Unreachable, Joining, Leaving,
          Down, Removed ... MEMBERSHIP is that live member's view, also for dead and paused members.
          A last line shows the store: state (Up, NotServing, Paused, Dead), pid and JDBC URL.
          """ + DIR_HELP;
    }

    @Override
    public int run(List<String> args, Console console) {
      Options o = Options.parse("cluster status", args, Set.of(DIR), Set.of()).noPositional();
      Supervisor supervisor = supervisor(o);
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
    java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
        .version(java.net.http.HttpClient.Version.HTTP_1_1).connectTimeout(supervisor.settings().controlTimeout()).build();
    for (NodeSpec n : supervisor.layout().nodes()) {
      if (supervisor.processState(n.name()) != ProcessState.RUNNING) {
        continue;
      }
      org.jdlm.cli.DumpCommand.Answer a = org.jdlm.cli.DumpCommand.ask(http, n, null, timeout);
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

  /** An action on one member's process. */
  @FunctionalInterface
  private interface NodeAction {
    void apply(Supervisor supervisor, String node) throws Exception;
  }

  /** `cluster kill|pause|resume nX`. */
  private static final class Signal implements Subcommand {
    private final String name;
    private final String summary;
    private final NodeAction action;
    private final String done;

    Signal(String name, String summary, NodeAction action, String done) {
      this.name = name;
      this.summary = summary;
      this.action = action;
      this.done = done;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String summary() {
      return summary;
    }

    @Override
    public String usage() {
      return "usage: dlm cluster " + name + " NODE [--dir DIR]\n\n" + summary + ".\n" + DIR_HELP;
    }

    @Override
    public int run(List<String> args, Console console) throws Exception {
      Options o = Options.parse("cluster " + name, args, Set.of(DIR), Set.of());
      String node = o.positional(1, "one node name").get(0);
      Supervisor supervisor = supervisor(o);
      long pid = supervisor.pid(node).orElse(-1);
      action.apply(supervisor, node);
      console.out().println(node + " " + done + (pid > 0 ? " (pid " + pid + ")" : ""));
      return 0;
    }
  }

  /** `cluster restart nX`. */
  private static final class Restart implements Subcommand {
    @Override
    public String name() {
      return "restart";
    }

    @Override
    public String summary() {
      return "start a member again (same name and ports, new incarnation); wait until Up";
    }

    @Override
    public String usage() {
      return """
          usage: dlm cluster restart NODE [--dir DIR]

          Starts NODE again with its name and ports and waits until it is Up as a new incarnation
          (a new Pekko uid), using the same store. A member that is still alive, running or paused, is
          SIGKILLed first. Refused when the store is not serving.
          """ + DIR_HELP;
    }

    @Override
    public int run(List<String> args, Console console) throws Exception {
      Options o = Options.parse("cluster restart", args, Set.of(DIR), Set.of());
      String node = o.positional(1, "one node name").get(0);
      Supervisor supervisor = supervisor(o);
      MembershipView view = supervisor.restart(node);
      console.out().println(node + " Up again as incarnation uid=" + view.self().uid() + " (pid "
          + supervisor.pid(node).orElse(-1) + ")");
      return 0;
    }
  }

  /** `cluster logs nX`. */
  private static final class Logs implements Subcommand {
    @Override
    public String name() {
      return "logs";
    }

    @Override
    public String summary() {
      return "print a member's log (all its incarnations)";
    }

    @Override
    public String usage() {
      return "usage: dlm cluster logs NODE [--dir DIR]\n\nPrints NODE's log file: stdout and stderr of every incarnation.\n"
          + DIR_HELP;
    }

    @Override
    public int run(List<String> args, Console console) throws Exception {
      Options o = Options.parse("cluster logs", args, Set.of(DIR), Set.of());
      String node = o.positional(1, "one node name").get(0);
      Path log = supervisor(o).logFile(node);
      if (!Files.isRegularFile(log)) {
        throw new CliError("no log for " + node + " (" + log + " does not exist)");
      }
      Files.copy(log, console.out());
      console.out().flush();
      return 0;
    }
  }

  /** `cluster down`. */
  private static final class Down implements Subcommand {
    @Override
    public String name() {
      return "down";
    }

    @Override
    public String summary() {
      return "stop every member (leave gracefully, then SIGKILL), then the store; clean the run directory";
    }

    @Override
    public String usage() {
      return """
          usage: dlm cluster down [--dir DIR]

          SIGTERM to running members (they leave the cluster), SIGKILL to paused ones, SIGKILL to any
          member still alive after jdlm.cli.lab.down-grace; then SIGTERM to the store. Deletes
          cluster.properties and the pid files; logs stay until the next `up`, the store's database in
          DIR/store stays until the directory is removed. Also cleans a directory whose processes are
          all dead.
          """ + DIR_HELP;
    }

    @Override
    public int run(List<String> args, Console console) throws Exception {
      Options o = Options.parse("cluster down", args, Set.of(DIR), Set.of()).noPositional();
      Supervisor supervisor = supervisor(o);
      for (String line : supervisor.down()) {
        console.out().println(line);
      }
      console.out().println("cluster in " + supervisor.runDir().path() + " is down");
      return 0;
    }
  }
}
