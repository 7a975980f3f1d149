package org.jdlm.cli.node;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.jdlm.cli.CliError;
import org.jdlm.cli.Console;
import org.jdlm.cli.Options;
import org.jdlm.cli.Subcommand;

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
                        [--host HOST] [--dir DIR]

        Runs one jdlm cluster member in the foreground until it leaves, is downed or gets SIGTERM.
          --name NAME          the member's name (n1, n2 ...), carried as cluster role "node:NAME"
          --port PORT          the Artery TCP port of this member
          --seeds LIST         seed nodes HOST:PORT,...; the first bootstraps a new cluster when no
                               other seed answers (default: this member alone)
          --control-port PORT  the control endpoint's HTTP port (default: one the OS picks, logged)
          --host HOST          the address to bind and advertise (default 127.0.0.1)
          --dir DIR            the member's own directory (default ./run/node-NAME)
        Exit status: 0 after leaving the cluster, 1 when downed or otherwise terminated, 2 on bad input;
        SIGTERM/Ctrl-C leave the cluster first, then the JVM exits with 143/130.
        """;
  }

  @Override
  public int run(List<String> args, Console console) throws Exception {
    Options o = Options.parse("node", args,
        Set.of("--name", "--port", "--seeds", "--control-port", "--host", "--dir"), Set.of()).noPositional();
    NodeSettings settings = settings(o);
    MemberNode member = MemberNode.start(settings, NodeConfig.build(settings));
    return member.termination().toCompletableFuture().join();
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
    return new NodeSettings(name, self, seeds, control, dir);
  }
}
