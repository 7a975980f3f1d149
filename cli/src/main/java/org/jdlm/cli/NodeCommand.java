package org.jdlm.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jdlm.bench.BenchEndpoints;
import org.jdlm.member.CliError;
import org.jdlm.member.HostPort;
import org.jdlm.member.JoinWatch;
import org.jdlm.member.KernelEndpoints;
import org.jdlm.member.MemberNode;
import org.jdlm.member.NodeConfig;
import org.jdlm.member.NodeServices;
import org.jdlm.member.NodeSettings;
import org.jdlm.member.StoreNotReady;
import org.jdlm.recovery.NodeName;
import org.jdlm.scenario.chaos.ChaosEndpoints;
import org.jdlm.scenario.run.DiskEndpoints;
import org.jdlm.scenario.run.ScenarioEndpoints;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dlm node}: runs one cluster member in the foreground until its ActorSystem terminates. */
@Command(name = "node", description = {"run one cluster member in the foreground", "",
    "Runs one jdlm cluster member in the foreground until it leaves, is downed or gets SIGTERM. With a store"
        + " (--store or jdlm.store.url) it first checks the store (reachable, login accepted, tables there: `dlm"
        + " store init`) and exits 78 at once if not; then it runs the fencing authority, shared disk and fence"
        + " coordinator. The store's password comes from jdlm.store.password-file or the environment variable"
        + " JDLM_STORE_PASSWORD, never from the command line. The operator fence (POST /fencing/fence, `dlm fence`)"
        + " needs the shared secret of jdlm.member.operator-secret-file or jdlm.member.operator-secret; without one"
        + " it is refused. SIGTERM/Ctrl-C leave the cluster first, then the JVM exits with 143/130."},
    exitCodeList = {"0:left the cluster", "1:terminated for another reason",
        "2:bad input, or the fencing authority refused this incarnation as fenced",
        "70:a member with a store was downed and fenced itself (jdlm.fencing.watchdog.exit-status)",
        "78:the store cannot be used: unreachable, login refused, or not prepared (dlm store init)"})
public final class NodeCommand extends DlmCommand {

  @Option(names = "--name", paramLabel = "NAME", required = true,
      description = "the member's name (n1, n2 ...), carried as cluster role \"node:NAME\"")
  String name;

  @Option(names = "--port", paramLabel = "PORT", required = true, description = "the Artery TCP port of this member")
  int port;

  @Option(names = "--seeds", paramLabel = "HOST:PORT,...", description = {"seed nodes; the first bootstraps a new"
      + " cluster when no other seed answers (default: this member alone)"})
  String seeds;

  @Option(names = "--control-port", paramLabel = "PORT",
      description = "the control endpoint's HTTP port (default: one the OS picks, logged)")
  Integer controlPort;

  @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
      description = "the cluster address to bind and advertise (default ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--control-host", paramLabel = "HOST", description = {"the address the control endpoint binds"
      + " (default 127.0.0.1, whatever --host is: the endpoint's only protection is the operator secret)"})
  String controlHost;

  @Option(names = "--dir", paramLabel = "DIR", description = "the member's own directory (default ./run/node-NAME)")
  Path dir;

  @Option(names = "--store", paramLabel = "URL", description = {"JDBC URL of the shared store (jdbc:h2:tcp://... as"
      + " printed by `dlm store serve`, or jdbc:postgresql://HOST:PORT/DB); default jdlm.store.url. Without one the"
      + " member runs without persistence and fencing."})
  String store;

  @Option(names = "--pid-dir", paramLabel = "DIR", description = {"where <node>.pid files are (the lab's run"
      + " directory), for the power fence agent; default jdlm.fencing.power.pid-dir"})
  Path pidDir;

  @Option(names = "--lab", description = {"also serve the lab's endpoints that change state for tests and"
      + " measurements: /scenario/*, /disk/*, /chaos/*, /bench/*, /store/*; and run a simulated kernel read through /kernel/*."
      + " The lab supervisor passes it; never give it to a"
      + " production member."})
  boolean lab;

  @Override
  protected int run(Console console) throws Exception {
    for (int rejoins = 0; ; rejoins++) {
      MemberNode member = start();
      Config config = member.system().settings().config();
      // A welcomed member that the others never learnt of starts over as a new incarnation (JoinWatch).
      var rejoin = JoinWatch.install(member.system(), config);
      int status = member.termination().toCompletableFuture().join();
      if (!rejoin.getNow(false) || rejoins >= config.getInt("jdlm.cli.node.join-stall.max-rejoins")) {
        return status;
      }
    }
  }

  /** Parses {@code args} as {@code dlm node} does and starts the member (tests). */
  static MemberNode start(List<String> args) {
    return Cli.parse(new NodeCommand(), args).start();
  }

  /**
   * Starts the member and its services (and with {@code --lab} the lab's endpoints).
   *
   * @throws StoreNotReady before anything starts when the store cannot be used
   */
  MemberNode start() {
    NodeSettings settings = settings();
    Config config = NodeConfig.build(settings);
    // Every setting of the services is read and checked before anything starts listening.
    NodeServices.Plan services = NodeServices.plan(settings, config);
    // The store is checked before any persistent actor exists and before this member joins.
    services.verifyStore();
    boolean withLab = lab;
    // A lab member runs the simulated kernel (jdlm.member.kernel.enabled, off for production members).
    Config memberConfig = withLab ? services.config().withValue("jdlm.member.kernel.enabled",
        ConfigValueFactory.fromAnyRef(true)) : services.config();
    // Installed before /status answers, so the supervisor never sees an Up member without its paths.
    return MemberNode.start(settings, memberConfig, member -> {
      Optional<NodeServices.Running> running = services.install(member);
      if (withLab) {
        installLab(member, running);
      }
    });
  }

  /**
   * The lab's member-side endpoints, installed only with {@code --lab}: the scenario agent
   * (/scenario/*) that `scenario run --mode jvm` and `dlm dump` drive, its writes to the
   * shared disk (/disk/*), `dlm bench`'s driver (/bench/*) and the store probe (/store/*). Each
   * takes locks or writes in the member's name, which a production member must never offer.
   * With them, the kernel's read-only /kernel/memory, /kernel/tasks and /kernel/waits: harmless,
   * but kept with the lab until production members run a kernel.
   */
  static void installLab(MemberNode member, Optional<NodeServices.Running> services) {
    NodeServices.installStoreProbe(member, services);
    ScenarioEndpoints scenario = ScenarioEndpoints.install(member);
    DiskEndpoints.install(member, services, scenario);
    ChaosEndpoints.install(member, services);
    BenchEndpoints.install(member.system(), member.control());
    member.kernel().ifPresent(k -> KernelEndpoints.install(member.control(), k));
  }

  /** Validates the options into settings; every problem is one {@link CliError}. */
  NodeSettings settings() {
    String problem = NodeName.problem(name);
    if (problem != null) {
      throw new CliError("node: " + problem);
    }
    range("--port", port, 1, 65535);
    HostPort self = new HostPort(host, port);
    List<HostPort> seedList = seeds == null ? List.of(self)
        : Arrays.stream(seeds.split(",")).map(String::trim).filter(t -> !t.isEmpty())
            .map(t -> HostPort.parse(t, "node: seed")).toList();
    if (seedList.isEmpty()) {
      throw new CliError("node: --seeds '" + seeds + "' names no seed");
    }
    int control = controlPort == null ? 0 : range("--control-port", controlPort, 0, 65535);
    if (control == port) {
      throw new CliError("node: --control-port " + control + " is the same as --port");
    }
    Path memberDir = dir != null ? dir : Path.of("run/node-" + name);
    Optional<String> storeUrl = Optional.ofNullable(store).map(String::strip);
    if (storeUrl.isPresent() && !storeUrl.get().startsWith("jdbc:")) {
      throw new CliError("node: --store '" + storeUrl.get() + "' is not a JDBC URL (expected jdbc:h2:tcp://HOST:PORT/jdlm;"
          + "WRITE_DELAY=0 as printed by `dlm store serve`, or jdbc:postgresql://HOST:5432/DATABASE)");
    }
    String bind = controlHost != null ? controlHost.strip() : NodeSettings.DEFAULT_CONTROL_HOST;
    if (bind.isEmpty()) {
      throw new CliError("node: --control-host is blank");
    }
    return new NodeSettings(name, self, seedList, control, memberDir, storeUrl, Optional.ofNullable(pidDir), bind);
  }
}
