package org.jdlm.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jdlm.member.CliError;

/**
 * The parsed {@code --name value} options, {@code --switch}es and positional arguments of one
 * subcommand, checked against the names it declares. Every problem is a {@link CliError} that names
 * the command, the offending argument and what was expected.
 */
public final class Options {
  private final String command;
  private final Map<String, String> values;
  private final Set<String> switches;
  private final List<String> positional;

  private Options(String command, Map<String, String> values, Set<String> switches, List<String> positional) {
    this.command = command;
    this.values = values;
    this.switches = switches;
    this.positional = positional;
  }

  /** True for the arguments that ask for help. */
  public static boolean isHelp(String arg) {
    return arg.equals("--help") || arg.equals("-h");
  }

  /**
   * Parses {@code args}; {@code valued} names the options that take a value ({@code "--port"}),
   * {@code flags} the switches without one. {@code --name=value} is accepted too.
   */
  public static Options parse(String command, List<String> args, Set<String> valued, Set<String> flags) {
    Map<String, String> values = new HashMap<>();
    Set<String> switches = new TreeSet<>();
    List<String> positional = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--")) {
        positional.add(arg);
        continue;
      }
      String name = arg;
      String inlineValue = null;
      int eq = arg.indexOf('=');
      if (eq > 0) {
        name = arg.substring(0, eq);
        inlineValue = arg.substring(eq + 1);
      }
      if (valued.contains(name)) {
        String value = inlineValue;
        if (value == null) {
          if (i + 1 >= args.size()) {
            throw new CliError(command + ": option " + name + " needs a value");
          }
          value = args.get(++i);
        }
        if (values.put(name, value) != null) {
          throw new CliError(command + ": option " + name + " given twice");
        }
      } else if (flags.contains(name) && inlineValue == null) {
        switches.add(name);
      } else {
        Set<String> known = new TreeSet<>(valued);
        known.addAll(flags);
        throw new CliError(command + ": unknown option '" + arg + "'"
            + (known.isEmpty() ? " (this command takes no options)" : " (expected one of " + String.join(", ", known) + ")"));
      }
    }
    return new Options(command, values, switches, positional);
  }

  /** The value of an option, if given. */
  public Optional<String> get(String name) {
    return Optional.ofNullable(values.get(name));
  }

  /** The value of a mandatory option. */
  public String require(String name) {
    return get(name).orElseThrow(() -> new CliError(command + ": missing required option " + name));
  }

  /** Whether a switch was given. */
  public boolean has(String flag) {
    return switches.contains(flag);
  }

  /** An integer option within [min, max], if given. */
  public Optional<Integer> integer(String name, int min, int max) {
    return get(name).map(v -> parseInt(name, v, min, max));
  }

  /** Parses {@code value} as an integer within [min, max] or fails naming the option. */
  public int parseInt(String name, String value, int min, int max) {
    int parsed;
    try {
      parsed = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new CliError(command + ": " + name + " '" + value + "' is not a number");
    }
    if (parsed < min || parsed > max) {
      throw new CliError(command + ": " + name + " " + parsed + " is out of range (" + min + ".." + max + ")");
    }
    return parsed;
  }

  /** The positional arguments, in order. */
  public List<String> positional() {
    return List.copyOf(positional);
  }

  /** Exactly {@code n} positional arguments, or an error naming what they should be. */
  public List<String> positional(int n, String what) {
    if (positional.size() != n) {
      throw new CliError(command + ": expected " + what + (positional.isEmpty() ? "" : ", got '" + String.join(" ", positional) + "'"));
    }
    return positional();
  }

  /** Fails if there are positional arguments (for commands that take none). */
  public Options noPositional() {
    if (!positional.isEmpty()) {
      throw new CliError(command + ": unexpected argument '" + positional.get(0) + "'");
    }
    return this;
  }
}
