package org.jdlm.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdlm.member.CliError;

/**
 * A small registry of subcommands that dispatches on the first argument. {@link Main} holds one for
 * the top level and a command group such as {@code cluster} holds its own, so adding a subcommand is
 * one {@link #register} call rather than another branch of a switch.
 */
public final class Subcommands {
  private final String prefix;
  private final Map<String, Subcommand> byName = new LinkedHashMap<>();

  /** @param prefix the words that lead here, e.g. {@code "dlm"} or {@code "dlm cluster"} */
  public Subcommands(String prefix) {
    this.prefix = prefix;
  }

  /** Adds a subcommand; a duplicate name is a programming error. */
  public Subcommands register(Subcommand command) {
    if (byName.putIfAbsent(command.name(), command) != null) {
      throw new IllegalStateException("subcommand registered twice: " + prefix + " " + command.name());
    }
    return this;
  }

  /** The registered names, in registration order. */
  public List<String> names() {
    return List.copyOf(byName.keySet());
  }

  /** The list of subcommands with their summaries, for {@code --help}. */
  public String help() {
    StringBuilder text = new StringBuilder();
    text.append("usage: ").append(prefix).append(" <command> [options]   (").append(prefix)
        .append(" <command> --help for its options)\n\ncommands:\n");
    int width = byName.keySet().stream().mapToInt(String::length).max().orElse(0);
    byName.values().forEach(c -> text.append("  ").append(pad(c.name(), width)).append("  ")
        .append(c.summary()).append('\n'));
    return text.toString();
  }

  /**
   * Selects the subcommand named by {@code args[0]} and runs it with the rest; prints help for an
   * empty argument list or {@code --help}.
   */
  public int dispatch(List<String> args, Console console) throws Exception {
    if (args.isEmpty()) {
      throw new CliError("missing command for '" + prefix + "' (expected one of " + String.join(", ", names())
          + "; see " + prefix + " --help)");
    }
    String first = args.get(0);
    if (Options.isHelp(first) || first.equals("help")) {
      console.out().print(help());
      return 0;
    }
    Subcommand command = byName.get(first);
    if (command == null) {
      throw new CliError("unknown command '" + first + "' for '" + prefix + "' (expected one of "
          + String.join(", ", names()) + ")");
    }
    List<String> rest = args.subList(1, args.size());
    // A group (such as `cluster`) handles --help itself, for its own subcommands.
    if (!(command instanceof CommandGroup) && rest.stream().anyMatch(Options::isHelp)) {
      console.out().print(command.usage());
      return 0;
    }
    return command.run(rest, console);
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(Math.max(0, width - s.length()));
  }

  /** Marker for a subcommand that is itself a registry of subcommands. */
  public interface CommandGroup extends Subcommand {}
}
