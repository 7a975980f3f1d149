package org.jdlm.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jdlm.member.CliError;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * How {@code dlm} uses picocli: the house layout of the generated help, the number converter whose
 * message the tests and users know, and the translation of picocli's parse errors into the
 * project's one-line {@link CliError} form ({@code cluster up: --nodes 'three' is not a number}).
 */
final class Cli {
  private Cli() {}

  /** A command line for {@code command} (and the subcommands it declares) in the house style. */
  static CommandLine commandLine(Object command) {
    CommandLine cl = new CommandLine(command);
    // An argument is what the user typed: "@file" is a file name, never a list of more arguments.
    cl.setExpandAtFiles(false);
    cl.registerConverter(Integer.class, Cli::integer);
    cl.registerConverter(Integer.TYPE, Cli::integer);
    style(cl);
    return cl;
  }

  /** Lower-case headings as in the rest of the project's messages; applied to every subcommand. */
  private static void style(CommandLine cl) {
    cl.setUsageHelpWidth(100);
    cl.setUsageHelpLongOptionsMaxWidth(28);
    CommandSpec spec = cl.getCommandSpec();
    spec.usageMessage().synopsisHeading("usage: ").optionListHeading("%noptions:%n")
        .commandListHeading("%ncommands:%n").parameterListHeading("%narguments:%n")
        .descriptionHeading("%n");
    if (!spec.usageMessage().exitCodeList().isEmpty()) {
      spec.usageMessage().exitCodeListHeading("%nexit status:%n");
    }
    cl.getSubcommands().values().forEach(Cli::style);
  }

  /** Hands {@code console} to every command in the tree; picocli's own output goes there too. */
  static void attach(CommandLine cl, Console console) {
    if (cl.getCommand() instanceof DlmCommand c) {
      c.console = console;
    }
    cl.setOut(new PrintWriter(new OutputStreamWriter(console.out(), StandardCharsets.UTF_8), true));
    cl.setErr(new PrintWriter(new OutputStreamWriter(console.err(), StandardCharsets.UTF_8), true));
    cl.getSubcommands().values().forEach(sub -> attach(sub, console));
  }

  /**
   * Parses {@code args} into {@code command} and runs it, for tests and for commands that run other
   * commands' parsers ({@code node}); a parse error is a {@link CliError}.
   */
  static int run(DlmCommand command, List<String> args, Console console) throws Exception {
    parse(command, args);
    command.console = console;
    return command.call();
  }

  /** Parses {@code args} into {@code command}'s fields; a parse error is a {@link CliError}. */
  static <T> T parse(T command, List<String> args) {
    return parse(command, null, args);
  }

  /** Like {@link #parse(Object, List)}, naming the command {@code name} in messages when it has no {@code @Command}. */
  static <T> T parse(T command, String name, List<String> args) {
    CommandLine cl = commandLine(command);
    if (name != null) {
      cl.getCommandSpec().name(name);
    }
    try {
      cl.parseArgs(args.toArray(String[]::new));
    } catch (CommandLine.ParameterException e) {
      throw new CliError(describe(e), e);
    }
    return command;
  }

  /** {@code cluster up} for the spec of {@code dlm cluster up}. */
  static String commandName(CommandSpec spec) {
    String q = spec.qualifiedName();
    return q.startsWith("dlm ") ? q.substring(4) : q;
  }

  /** picocli's parse error as one line that names the command, the option, the value and the reason. */
  static String describe(CommandLine.ParameterException e) {
    CommandSpec spec = e.getCommandLine().getCommandSpec();
    String command = commandName(spec);
    if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      String first = u.getUnmatched().get(0);
      if (!spec.subcommands().isEmpty()) {
        return first.startsWith("-")
            ? command + ": unknown option '" + first + "' (expected a command: " + names(spec) + ")"
            : "unknown command '" + first + "' for '" + spec.qualifiedName() + "' (expected one of " + names(spec) + ")";
      }
      if (first.startsWith("-")) {
        TreeSet<String> known = spec.options().stream().filter(o -> !o.usageHelp()).map(OptionSpec::longestName)
            .collect(Collectors.toCollection(TreeSet::new));
        return command + ": unknown option '" + first + "'" + (known.isEmpty() ? " (this command takes no options)"
            : " (expected one of " + String.join(", ", known) + ")");
      }
      return command + ": unexpected argument '" + first + "'";
    }
    if (e instanceof CommandLine.MissingParameterException m && !m.getMissing().isEmpty()) {
      ArgSpec missing = m.getMissing().get(0);
      if (missing instanceof OptionSpec o) {
        return m.getMessage().startsWith("Missing required parameter for option")
            || m.getMessage().startsWith("Expected parameter for option")
            ? command + ": option " + o.longestName() + " needs a value"
            : command + ": missing required option " + m.getMissing().stream().filter(OptionSpec.class::isInstance)
                .map(a -> ((OptionSpec) a).longestName()).collect(Collectors.joining(", "));
      }
      return command + ": missing " + ((PositionalParamSpec) missing).paramLabel();
    }
    if (e instanceof CommandLine.OverwrittenOptionException o && o.getOverwritten() instanceof OptionSpec spec1) {
      return command + ": option " + spec1.longestName() + " given twice";
    }
    if (e.getCause() instanceof CommandLine.TypeConversionException t && e.getArgSpec() instanceof OptionSpec o) {
      return command + ": " + o.longestName() + " '" + e.getValue() + "' " + t.getMessage();
    }
    return command + ": " + e.getMessage();
  }

  private static String names(CommandSpec spec) {
    return String.join(", ", spec.subcommands().keySet());
  }

  private static Integer integer(String value) {
    try {
      return Integer.valueOf(value.trim());
    } catch (NumberFormatException e) {
      throw new CommandLine.TypeConversionException("is not a number");
    }
  }
}
