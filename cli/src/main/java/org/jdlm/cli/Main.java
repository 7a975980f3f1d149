package org.jdlm.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jdlm.lab.ExternalStore;
import org.jdlm.member.CliError;
import org.jdlm.scenario.run.InprocScenarioClusters;
import org.jdlm.scenario.run.JvmScenarioClusters;
import org.jdlm.scenario.run.ScenarioCluster;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the one executable, {@code dlm}: a picocli command tree ({@link #commandLine})
 * whose outcome maps to an exit status:
 *
 * <pre>
 *   0  success (also --help)
 *   2  an error: bad input or a state that prevents the command, as one line on stderr
 *      ({@link CliError}, or a parse error naming the option, the value and the reason); an
 *      unexpected exception also gives one line, plus the file that holds its stack trace
 *   other  whatever the command returns (e.g. `node` returns 1 when its member was downed)
 * </pre>
 */
@Command(name = "dlm",
    description = "jdlm, a distributed lock manager on Pekko: members, a lab cluster, scenarios, benchmarks.",
    subcommands = {NodeCommand.class, ClusterCommand.class, ScenarioCommand.class, StoreCommand.class,
        DumpCommand.class, BenchCommand.class, RecoveryBenchCommand.class, FenceCommand.class, ChaosCommand.class,
        CommandLine.HelpCommand.class},
    footer = "%n`dlm COMMAND --help` shows a command's options.")
public final class Main extends DlmCommand.Group {
  /** Exit status for every error reported to the user. */
  public static final int EXIT_ERROR = 2;

  /** The command tree. */
  static CommandLine commandLine() {
    return Cli.commandLine(new Main());
  }

  /** The top-level command names, in the order of {@code dlm --help}. */
  public static List<String> commandNames() {
    return List.copyOf(commandLine().getSubcommands().keySet());
  }

  /** The cluster factory for {@code dlm scenario run --mode MODE} and {@code dlm chaos --mode MODE}. */
  static ScenarioCluster.Factory scenarioClusters(String mode, Optional<ExternalStore> store) {
    return switch (mode) {
      case "inproc" -> new InprocScenarioClusters();
      case "jvm" -> {
        try {
          yield new JvmScenarioClusters(store);
        } catch (IOException e) {
          throw new CliError("scenario run: cannot create a temporary run directory: " + e.getMessage());
        }
      }
      default -> throw new CliError("scenario run: unknown mode '" + mode + "' (expected inproc or jvm)");
    };
  }

  public static void main(String[] args) {
    // Client commands print results; only a member (`node`, `store`) logs at INFO. Set before the
    // first logger exists, so logback reads it when it configures itself.
    if (args.length > 0 && !args[0].equals("node") && !args[0].equals("store")
        && System.getProperty("jdlm.log.level") == null) {
      System.setProperty("jdlm.log.level", "WARN");
    }
    System.exit(run(Arrays.asList(args), Console.system()));
  }

  /** Runs the executable in-process; never calls {@code System.exit}. */
  public static int run(List<String> args, Console console) {
    CommandLine cl = commandLine();
    Cli.attach(cl, console);
    cl.setParameterExceptionHandler((e, given) -> {
      console.err().println("dlm: " + oneLine(Cli.describe(e)));
      return EXIT_ERROR;
    });
    cl.setExecutionExceptionHandler((e, command, parsed) -> {
      if (e instanceof CliError c) {
        console.err().println("dlm: " + oneLine(c.getMessage()));
        return c.exitStatus();
      }
      console.err().println("dlm: unexpected error: " + oneLine(String.valueOf(e)) + saveStackTrace(e));
      return EXIT_ERROR;
    });
    try {
      return cl.execute(args.toArray(String[]::new));
    } catch (RuntimeException | Error e) {
      console.err().println("dlm: unexpected error: " + oneLine(String.valueOf(e)) + saveStackTrace(e));
      return EXIT_ERROR;
    } finally {
      console.out().flush();
      console.err().flush();
    }
  }

  private static String oneLine(String message) {
    return message == null ? "(no message)" : message.replaceAll("\\s*\\R\\s*", " ");
  }

  /** Writes the stack trace to a file so the user sees one line and the developer the whole story. */
  private static String saveStackTrace(Throwable e) {
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    try {
      Path file = Files.createTempFile("dlm-error-", ".log");
      Files.writeString(file, trace.toString(), StandardCharsets.UTF_8);
      return " (see " + file + ")";
    } catch (IOException | RuntimeException ignored) {
      return "";
    }
  }
}
