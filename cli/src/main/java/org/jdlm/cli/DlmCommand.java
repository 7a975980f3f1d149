package org.jdlm.cli;

import java.util.concurrent.Callable;
import org.jdlm.member.CliError;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * One {@code dlm} command or subcommand: picocli fills its {@code @Option} fields from the command
 * line and generates its {@code --help} from them; {@link #run} does the work.
 *
 * <p>A command returns its exit status instead of calling {@code System.exit}, so that tests run it
 * in-process; errors for the user are {@link CliError}s (one line, status 2, see {@link Main}).
 */
abstract class DlmCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
  boolean help;

  /** Where the command writes; set by {@link Cli} before it runs. */
  Console console = Console.system();

  @Override
  public final Integer call() throws Exception {
    return run(console);
  }

  /**
   * Runs the command with its options already parsed.
   *
   * @return the process exit status (0 success)
   * @throws CliError for bad input or a state that prevents the command (one-line message)
   */
  protected abstract int run(Console console) throws Exception;

  /** The words after {@code dlm} that name this command in messages, e.g. {@code cluster up}. */
  String commandName() {
    return Cli.commandName(spec);
  }

  /** {@code value} when it lies in [min, max], else an error naming the option and the range. */
  int range(String option, int value, int min, int max) {
    if (value < min || value > max) {
      throw new CliError(commandName() + ": " + option + " " + value + " is out of range (" + min + ".." + max + ")");
    }
    return value;
  }

  /** A command that only groups subcommands: given alone, it says which ones exist. */
  abstract static class Group extends DlmCommand {
    @Override
    protected int run(Console console) {
      String qualified = spec.qualifiedName();
      throw new CliError("missing command for '" + qualified + "' (expected one of "
          + String.join(", ", spec.subcommands().keySet()) + "; see " + qualified + " --help)");
    }
  }
}
