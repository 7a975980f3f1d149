package org.jdlm.cli;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.jdlm.lab.NodeSpec;
import org.jdlm.lab.RunDir;
import org.jdlm.member.CliError;
import org.jdlm.member.ControlClient;
import org.jdlm.member.HostPort;
import org.jdlm.member.OperatorSecret;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dlm fence}: the operator fence, a production cluster's one state-changing action on a
 * member's control endpoint ({@code POST /fencing/fence}). The secret comes from a file or the
 * environment, never from the command line (which every user of the machine sees in {@code ps}).
 */
@Command(name = "fence", description = {"fence a member by hand (operator action; needs the operator secret)", "",
    "Asks a member's control endpoint to fence member NAME's current incarnation and waits for the outcome"
        + " (jdlm.cli.fence.timeout). The member asked must not be NAME itself. Give --control (with --secret-file"
        + " or JDLM_OPERATOR_SECRET in the environment), or --dir for a lab cluster. Prints the member's answer"
        + " (fenced/refused/pending lines, docs/cluster.md)."},
    exitCodeList = {"0:fenced", "1:refused or not confirmed in time",
        "2:bad input, or the member refused the request (no or wrong secret, unknown node)"})
public final class FenceCommand extends DlmCommand {
  /** The environment variable that may hold the operator secret. */
  public static final String SECRET_ENV = "JDLM_OPERATOR_SECRET";

  private final Function<String, String> env;

  @Option(names = "--node", paramLabel = "NAME", required = true, description = "the member to fence (n3 ...)")
  String node;

  @Option(names = "--control", paramLabel = "HOST:PORT",
      description = "the control endpoint of another member that runs with a store")
  String controlOption;

  @Option(names = "--secret-file", paramLabel = "FILE", description = {"a file whose first line is the operator"
      + " secret (the member's jdlm.member.operator-secret); without it the secret is read from the environment"
      + " variable JDLM_OPERATOR_SECRET (never from the command line)"})
  Path secretFile;

  @Option(names = "--dir", paramLabel = "RUNDIR", description = {"a lab cluster: ask its first other member, with the"
      + " run directory's own secret (RUNDIR/operator-secret)"})
  Path runDir;

  public FenceCommand() {
    this(System::getenv);
  }

  /** With {@code env} standing in for the process environment (tests). */
  FenceCommand(Function<String, String> env) {
    this.env = env;
  }

  @Override
  protected int run(Console console) throws Exception {
    HostPort control;
    OperatorSecret secret;
    if (runDir != null) {
      if (controlOption != null || secretFile != null) {
        throw new CliError("fence: --dir takes the member and the secret from the run directory; give it without"
            + " --control and --secret-file");
      }
      RunDir dir = new RunDir(runDir);
      RunDir.Layout layout = dir.readLayout().orElseThrow(() -> new CliError("fence: " + dir.path()
          + " holds no lab cluster (no " + RunDir.LAYOUT + "; start one with `dlm cluster up`)"));
      NodeSpec via = layout.nodes().stream().filter(n -> !n.name().equals(node)).findFirst()
          .orElseThrow(() -> new CliError("fence: the cluster in " + dir.path() + " has no member other than " + node));
      control = new HostPort(layout.host(), via.controlPort());
      secret = secretFromFile(dir.operatorSecretFile(), "the run directory's secret");
    } else {
      if (controlOption == null) {
        throw new CliError("fence: missing required option --control (or --dir for a lab cluster)");
      }
      control = HostPort.parse(controlOption, "fence: --control");
      secret = secretFile != null ? secretFromFile(secretFile, "--secret-file") : secretFromEnv();
    }
    Duration timeout = ConfigFactory.load().getDuration("jdlm.cli.fence.timeout");
    ControlClient.Reply reply = post(control, node, secret, timeout);
    String body = reply.body().endsWith("\n") || reply.body().isEmpty() ? reply.body() : reply.body() + "\n";
    return switch (reply.status()) {
      case 200 -> {
        console.out().print(body);
        yield 0;
      }
      case 202, 409 -> {
        console.out().print(body);
        yield 1;
      }
      default -> throw new CliError("fence: " + control + " answered " + reply.status() + ": "
          + body.lines().findFirst().orElse("(no reason given)"));
    };
  }

  private static OperatorSecret secretFromFile(Path file, String what) {
    try {
      return OperatorSecret.fromFile(file, what);
    } catch (IllegalArgumentException e) {
      throw new CliError("fence: " + e.getMessage());
    }
  }

  private OperatorSecret secretFromEnv() {
    String value = env.apply(SECRET_ENV);
    if (value == null || value.isBlank()) {
      throw new CliError("fence: no operator secret: give --secret-file FILE or set " + SECRET_ENV
          + " (never on the command line)");
    }
    try {
      return OperatorSecret.of(value);
    } catch (IllegalArgumentException e) {
      throw new CliError("fence: " + SECRET_ENV + ": " + e.getMessage());
    }
  }

  /** The secret travels only in the header; this class never prints it. */
  private static ControlClient.Reply post(HostPort control, String node, OperatorSecret secret, Duration timeout) {
    try {
      return new ControlClient(Duration.ofSeconds(5)).send(new ControlClient.Request("the member", control, "POST",
          "/fencing/fence", Map.of("node", node), secret, timeout));
    } catch (ControlClient.Unreachable e) {
      throw new CliError("fence: no answer from the control endpoint " + control + ": " + e.getMessage(), e);
    }
  }
}
