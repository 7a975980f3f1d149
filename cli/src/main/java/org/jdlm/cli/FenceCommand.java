package org.jdlm.cli;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.jdlm.lab.NodeSpec;
import org.jdlm.lab.RunDir;
import org.jdlm.member.CliError;
import org.jdlm.member.HostPort;
import org.jdlm.member.OperatorSecret;

/**
 * {@code dlm fence}: the operator fence, a production cluster's one state-changing action on a
 * member's control endpoint ({@code POST /fencing/fence}). The secret comes from a file or the
 * environment, never from the command line (which every user of the machine sees in {@code ps}).
 */
public final class FenceCommand implements Subcommand {
  /** The environment variable that may hold the operator secret. */
  public static final String SECRET_ENV = "JDLM_OPERATOR_SECRET";

  private final Function<String, String> env;

  public FenceCommand() {
    this(System::getenv);
  }

  /** With {@code env} standing in for the process environment (tests). */
  FenceCommand(Function<String, String> env) {
    this.env = env;
  }

  @Override
  public String name() {
    return "fence";
  }

  @Override
  public String summary() {
    return "fence a member by hand (operator action; needs the operator secret)";
  }

  @Override
  public String usage() {
    return """
        usage: dlm fence --node NAME --control HOST:PORT [--secret-file FILE]
               dlm fence --node NAME --dir RUNDIR

        Asks a member's control endpoint to fence member NAME's current incarnation and waits for
        the outcome (jdlm.cli.fence.timeout). The member must not be NAME itself.
          --node NAME          the member to fence (n3 ...)
          --control HOST:PORT  the control endpoint of another member that runs with a store
          --secret-file FILE   a file whose first line is the operator secret (the member's
                               jdlm.member.operator-secret); without it the secret is read from
                               the environment variable JDLM_OPERATOR_SECRET
          --dir RUNDIR         a lab cluster: ask its first other member, with the run
                               directory's own secret (RUNDIR/operator-secret)
        Prints the member's answer (fenced/refused/pending lines, docs/cluster.md). Exit status: 0
        fenced, 1 refused or not confirmed in time, 2 bad input or the member refused the request
        (no or wrong secret, unknown node).
        """;
  }

  @Override
  public int run(List<String> args, Console console) throws Exception {
    Options o = Options.parse("fence", args, Set.of("--node", "--control", "--secret-file", "--dir"), Set.of())
        .noPositional();
    String node = o.require("--node");
    HostPort control;
    OperatorSecret secret;
    if (o.get("--dir").isPresent()) {
      if (o.get("--control").isPresent() || o.get("--secret-file").isPresent()) {
        throw new CliError("fence: --dir takes the member and the secret from the run directory; give it without"
            + " --control and --secret-file");
      }
      RunDir dir = new RunDir(Path.of(o.get("--dir").get()));
      RunDir.Layout layout = dir.readLayout().orElseThrow(() -> new CliError("fence: " + dir.path()
          + " holds no lab cluster (no " + RunDir.LAYOUT + "; start one with `dlm cluster up`)"));
      NodeSpec via = layout.nodes().stream().filter(n -> !n.name().equals(node)).findFirst()
          .orElseThrow(() -> new CliError("fence: the cluster in " + dir.path() + " has no member other than " + node));
      control = new HostPort(layout.host(), via.controlPort());
      secret = secretFromFile(dir.operatorSecretFile(), "the run directory's secret");
    } else {
      control = HostPort.parse(o.require("--control"), "fence: --control");
      secret = o.get("--secret-file").map(f -> secretFromFile(Path.of(f), "--secret-file"))
          .orElseGet(this::secretFromEnv);
    }
    Duration timeout = ConfigFactory.load().getDuration("jdlm.cli.fence.timeout");
    HttpResponse<String> reply = post(control, node, secret, timeout);
    String body = reply.body().endsWith("\n") || reply.body().isEmpty() ? reply.body() : reply.body() + "\n";
    return switch (reply.statusCode()) {
      case 200 -> {
        console.out().print(body);
        yield 0;
      }
      case 202, 409 -> {
        console.out().print(body);
        yield 1;
      }
      default -> throw new CliError("fence: " + control + " answered " + reply.statusCode() + ": "
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
  private static HttpResponse<String> post(HostPort control, String node, OperatorSecret secret, Duration timeout)
      throws InterruptedException {
    URI uri = URI.create("http://" + control + "/fencing/fence?node=" + URLEncoder.encode(node, StandardCharsets.UTF_8));
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).POST(HttpRequest.BodyPublishers.noBody());
    secret.applyTo((name, value) -> request.header(name, value));
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new CliError("fence: no answer from the control endpoint " + control + ": " + e.getMessage());
    }
  }
}
