package org.jdlm.cli;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdlm.bench.BenchEndpoints;
import org.jdlm.member.CliError;
import org.jdlm.member.HostPort;
import org.jdlm.member.JoinWatch;
import org.jdlm.member.MemberNode;
import org.jdlm.member.NodeConfig;
import org.jdlm.member.NodeServices;
import org.jdlm.member.NodeSettings;
import org.jdlm.recovery.NodeName;
import org.jdlm.scenario.run.DiskEndpoints;
import org.jdlm.scenario.run.ScenarioEndpoints;

/** {@code dlm node}: runs one cluster member in the foreground until its ActorSystem terminates. */
public final class NodeCommand implements Subcommand {

  @Override
  public String name() {
    return "node";
  }

  @Override
  public String summary() {
    return "run one cluster member in the foreground";
  }

  @Override
  public String usage() {
    return """
        usage: dlm node --name NAME --port PORT [--seeds HOST:PORT,...] [--control-port PORT]
                        [--host HOST] [--control-host HOST] [--dir DIR] [--store URL] [--pid-dir DIR]
                        [--lab]

        Runs one jdlm cluster member in the foreground until it leaves, is downed or gets SIGTERM.
          --name NAME          the member's name (n1, n2 ...), carried as cluster role "node:NAME"
          --port PORT          the Artery TCP port of this member
          --seeds LIST         seed nodes HOST:PORT,...; the first bootstraps a new cluster when no
                               other seed answers (default: this member alone)
          --control-port PORT  the control endpoint's HTTP port (default: one the OS picks, logged)
          --host HOST          the cluster address to bind and advertise (default 127.0.0.1)
          --control-host HOST  the address the control endpoint binds (default 127.0.0.1, whatever
                               --host is: the endpoint's only protection is the operator secret)
          --dir DIR            the member's own directory (default ./run/node-NAME)
          --store URL          JDBC URL of the shared store (jdbc:h2:tcp://... as printed by
                               `dlm store serve`, or jdbc:postgresql://...); default jdlm.store.url.
                               With a store the member runs the fencing authority, shared disk and
                               fence coordinator; without one it runs without persistence.
          --pid-dir DIR        where <node>.pid files are (the lab's run directory), for the power
                               fence agent; default jdlm.fencing.power.pid-dir
          --lab                also serve the lab's endpoints that change state for tests and
                               measurements: /scenario/*, /disk/*, /bench/*, /store/*. The
                               lab supervisor passes it; never give it to a production member.
        The operator fence (POST /fencing/fence, `dlm fence`) needs the shared secret of
        jdlm.member.operator-secret-file or jdlm.member.operator-secret; without one it is refused.
        Exit status: 0 after leaving the cluster, 1 when terminated for another reason, 2 on bad input
        or when the fencing authority refuses this incarnation as fenced, 70 (jdlm.fencing.watchdog.
        exit-status) when a member with a store was downed and fenced itself; SIGTERM/Ctrl-C leave the
        cluster first, then the JVM exits with 143/130.
        """;
  }

  @Override
  public int run(List<String> args, Console console) throws Exception {
    for (int rejoins = 0; ; rejoins++) {
      MemberNode member = start(args);
      Config config = member.system().settings().config();
      // A welcomed member that the others never learnt of starts over as a new incarnation (JoinWatch).
      var rejoin = JoinWatch.install(member.system(), config);
      int status = member.termination().toCompletableFuture().join();
      if (!rejoin.getNow(false) || rejoins >= config.getInt("jdlm.cli.node.join-stall.max-rejoins")) {
        return status;
      }
    }
  }

  /** Parses {@code args}, starts the member and its services (and with {@code --lab} the lab's endpoints). */
  static MemberNode start(List<String> args) {
    Options o = Options.parse("node", args,
        Set.of("--name", "--port", "--seeds", "--control-port", "--host", "--control-host", "--dir", "--store", "--pid-dir"),
        Set.of("--lab")).noPositional();
    NodeSettings settings = settings(o);
    Config config = NodeConfig.build(settings);
    // Every setting of the services is read and checked before anything starts listening.
    NodeServices.Plan services = NodeServices.plan(settings, config);
    boolean lab = o.has("--lab");
    // Installed before /status answers, so the supervisor never sees an Up member without its paths.
    return MemberNode.start(settings, services.config(), member -> {
      Optional<NodeServices.Running> running = services.install(member);
      if (lab) {
        installLab(member, running);
      }
    });
  }

  /**
   * The lab's member-side endpoints, installed only with {@code --lab}: the scenario agent
   * (/scenario/*) that `scenario run --mode jvm` and `dlm dump` drive, its writes to the
   * shared disk (/disk/*), `dlm bench`'s driver (/bench/*) and the store probe (/store/*). Each
   * takes locks or writes in the member's name, which a production member must never offer.
   */
  static void installLab(MemberNode member, Optional<NodeServices.Running> services) {
    NodeServices.installStoreProbe(member, services);
    ScenarioEndpoints scenario = ScenarioEndpoints.install(member);
    DiskEndpoints.install(member, services, scenario);
    BenchEndpoints.install(member.system(), member.control());
  }

  /** Validates the options into settings; every problem is one {@link CliError}. */
  static NodeSettings settings(Options o) {
    String name = o.require("--name");
    String problem = NodeName.problem(name);
    if (problem != null) {
      throw new CliError("node: " + problem);
    }
    String host = o.get("--host").orElse("127.0.0.1");
    int port = o.parseInt("--port", o.require("--port"), 1, 65535);
    HostPort self = new HostPort(host, port);
    List<HostPort> seeds = o.get("--seeds")
        .map(s -> Arrays.stream(s.split(",")).map(String::trim).filter(t -> !t.isEmpty())
            .map(t -> HostPort.parse(t, "node: seed")).toList())
        .orElse(List.of(self));
    if (seeds.isEmpty()) {
      throw new CliError("node: --seeds '" + o.get("--seeds").orElse("") + "' names no seed");
    }
    int control = o.integer("--control-port", 0, 65535).orElse(0);
    if (control == port) {
      throw new CliError("node: --control-port " + control + " is the same as --port");
    }
    Path dir = Path.of(o.get("--dir").orElse("run/node-" + name));
    Optional<String> store = o.get("--store").map(String::strip);
    if (store.isPresent() && !store.get().startsWith("jdbc:")) {
      throw new CliError("node: --store '" + store.get() + "' is not a JDBC URL (expected jdbc:h2:tcp://HOST:PORT/jdlm;"
          + "WRITE_DELAY=0 as printed by `dlm store serve`, or jdbc:postgresql://HOST:5432/DATABASE)");
    }
    String controlHost = o.get("--control-host").map(String::strip).orElse(NodeSettings.DEFAULT_CONTROL_HOST);
    if (controlHost.isEmpty()) {
      throw new CliError("node: --control-host is blank");
    }
    return new NodeSettings(name, self, seeds, control, dir, store, o.get("--pid-dir").map(Path::of), controlHost);
  }
}
