package org.jdlm.cli;

import java.util.List;
import org.jdlm.member.CliError;

/**
 * One subcommand of the executable ({@code node}, {@code cluster}, later {@code scenario},
 * {@code dump}, {@code bench}, {@code chaos}). Registered in {@link Main#commands()}.
 *
 * <p>A subcommand returns its exit status instead of calling {@code System.exit}, so that tests can
 * run it in-process; user errors are thrown as {@link CliError} and mapped to status 2 by Main.
 */
public interface Subcommand {

  /** The word that selects this subcommand, e.g. {@code "node"}. */
  String name();

  /** One line for the list printed by {@code dlm --help}. */
  String summary();

  /** Full help text printed for {@code --help}: synopsis, options, one line each. */
  String usage();

  /**
   * Runs the subcommand with the arguments that follow its name ({@code --help} already handled).
   *
   * @return the process exit status (0 success)
   * @throws CliError for bad input or a state that prevents the command (one-line message)
   */
  int run(List<String> args, Console console) throws Exception;
}
