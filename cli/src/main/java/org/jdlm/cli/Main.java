package org.jdlm.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.jdlm.member.CliError;
import org.jdlm.scenario.run.InprocScenarioClusters;
import org.jdlm.scenario.run.JvmScenarioClusters;
import org.jdlm.scenario.run.ScenarioCluster;

/**
 * Entry point of the one executable, {@code dlm}. It only dispatches to the registered
 * {@link Subcommand}s and maps their outcome to an exit status:
 *
 * <pre>
 *   0  success
 *   2  an error: bad input or a state that prevents the command, as one line on stderr
 *      ({@link CliError}); an unexpected exception also gives one line, plus the file that
 *      holds its stack trace
 *   other  whatever the subcommand returns (e.g. `node` returns 1 when its member was downed)
 * </pre>
 */
public final class Main {
  /** Exit status for every error reported to the user. */
  public static final int EXIT_ERROR = 2;

  private Main() {}

  /** The top-level registry. */
  public static Subcommands commands() {
    return new Subcommands("dlm")
        .register(new NodeCommand())
        .register(new ClusterCommand())
        .register(new ScenarioCommand(Main::scenarioClusters))
        .register(new StoreCommand())
        .register(new DumpCommand())
        .register(new BenchCommand())
        .register(new RecoveryBenchCommand())
        .register(new FenceCommand())
        .register(new org.jdlm.cli.ChaosCommand(Main::scenarioClusters));
  }

  /** The cluster factory for {@code dlm scenario run --mode MODE}. */
  private static ScenarioCluster.Factory scenarioClusters(String mode) {
    return switch (mode) {
      case "inproc" -> new InprocScenarioClusters();
      case "jvm" -> {
        try {
          yield new JvmScenarioClusters();
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
    try {
      return commands().dispatch(args, console);
    } catch (CliError e) {
      console.err().println("dlm: " + oneLine(e.getMessage()));
      return EXIT_ERROR;
    } catch (Exception | Error e) {
      console.err().println("dlm: unexpected error: " + oneLine(String.valueOf(e)) + saveStackTrace(e));
      return EXIT_ERROR;
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
