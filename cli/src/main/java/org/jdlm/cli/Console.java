package org.jdlm.cli;

import java.io.PrintStream;

/** Where a subcommand writes: passed in so tests run the CLI in-process with captured streams. */
public record Console(PrintStream out, PrintStream err) {

  /** The process's own stdout and stderr. */
  public static Console system() {
    return new Console(System.out, System.err);
  }
}
