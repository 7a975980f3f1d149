package org.jdlm.tests;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.jdlm.cli.Console;
import org.jdlm.cli.Main;

/** One in-process run of the {@code dlm} executable with captured stdout, stderr and exit status. */
public record CliRun(int exit, String out, String err) {

  public static CliRun of(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
         PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      exit = Main.run(Arrays.asList(args), new Console(o, e));
    }
    return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** The lines written to stderr. */
  public List<String> errLines() {
    return err.lines().toList();
  }
}
