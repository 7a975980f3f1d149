package org.jdlm.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jdlm.member.CliError;
import org.jdlm.scenario.Scenario;
import org.jdlm.scenario.ScenarioParser;
import org.jdlm.scenario.ScenarioSyntaxException;
import org.jdlm.scenario.run.ScenarioCluster;
import org.jdlm.scenario.run.ScenarioRunner;

/**
 * {@code dlm scenario run FILE|DIR... [--mode inproc|jvm]}: parses every file first (a syntax
 * error anywhere runs nothing and exits 2 with {@code file:line:col: message} lines), then runs
 * each file on a cluster of its own and ends with {@code N passed, N failed}; exit 0 when all
 * passed, 1 otherwise (brief §6).
 */
public final class ScenarioCommand implements Subcommand {

  /** Builds the cluster factory for a mode name; unknown modes are the caller's CliError. */
  private final Function<String, ScenarioCluster.Factory> factories;

  public ScenarioCommand(Function<String, ScenarioCluster.Factory> factories) {
    this.factories = factories;
  }

  @Override
  public String name() {
    return "scenario";
  }

  @Override
  public String summary() {
    return "run scenario files on an in-process cluster or on real member JVMs";
  }

  @Override
  public String usage() {
    return String.join("\n",
        "usage: dlm scenario run FILE|DIR... [--mode inproc|jvm]",
        "",
        "Runs each scenario file (a directory means every *.scen file below it, in name order) on a",
        "fresh cluster of the size the file names, prints one line per observed callback, then",
        "PASS <file> or FAIL <file>:<line>: ... with a dump, and finally 'N passed, N failed'.",
        "",
        "  --mode inproc   N ActorSystems in this JVM over loopback (default; fast)",
        "  --mode jvm      N real member JVMs started and cleaned up by the lab supervisor",
        "",
        "Exit status: 0 all passed, 1 some failed, 2 usage or syntax error (file:line:col: message).",
        "The language is documented in docs/scenarios.md.");
  }

  @Override
  public int run(List<String> args, Console console) throws Exception {
    if (args.isEmpty() || !args.get(0).equals("run")) {
      throw new CliError("scenario: expected 'run' followed by files (see dlm scenario --help)");
    }
    String mode = "inproc";
    List<Path> inputs = new ArrayList<>();
    for (int i = 1; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--mode")) {
        if (i + 1 >= args.size()) {
          throw new CliError("scenario run: --mode needs a value (inproc or jvm)");
        }
        mode = args.get(++i);
      } else if (a.startsWith("--mode=")) {
        mode = a.substring("--mode=".length());
      } else if (a.startsWith("-")) {
        throw new CliError("scenario run: unknown option '" + a + "' (see dlm scenario --help)");
      } else {
        inputs.add(Path.of(a));
      }
    }
    if (!mode.equals("inproc") && !mode.equals("jvm")) {
      throw new CliError("scenario run: unknown mode '" + mode + "' (expected inproc or jvm)");
    }
    if (inputs.isEmpty()) {
      throw new CliError("scenario run: no scenario files given");
    }
    List<Path> files = expand(inputs);
    List<Scenario> scenarios = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (Path f : files) {
      try {
        scenarios.add(ScenarioParser.parse(f.toString(), Files.readString(f, StandardCharsets.UTF_8)));
      } catch (ScenarioSyntaxException e) {
        errors.add(e.getMessage());
      } catch (java.nio.charset.MalformedInputException e) {
        errors.add(f + ":1:1: file is not UTF-8 text");
      }
    }
    if (!errors.isEmpty()) {
      errors.forEach(console.err()::println);
      return 2;
    }
    ScenarioCluster.Factory factory = factories.apply(mode);
    int passed = 0;
    int failed = 0;
    try {
      ScenarioRunner runner = new ScenarioRunner(factory, console.out(), 20);
      for (Scenario s : scenarios) {
        if (runner.run(s).passed()) {
          passed++;
        } else {
          failed++;
        }
      }
    } finally {
      if (factory instanceof AutoCloseable c) {
        c.close(); // every member this run started is stopped, whatever happened
      }
    }
    console.out().println(passed + " passed, " + failed + " failed");
    return failed == 0 ? 0 : 1;
  }

  /** Files as given, directories as their *.scen files in name order; a missing path is a CliError. */
  static List<Path> expand(List<Path> inputs) throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path p : inputs) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.walk(p)) {
          s.filter(f -> f.toString().endsWith(".scen") && Files.isRegularFile(f)).sorted().forEach(files::add);
        }
      } else if (Files.isRegularFile(p)) {
        files.add(p);
      } else {
        throw new CliError("scenario run: no such file or directory: " + p);
      }
    }
    if (files.isEmpty()) {
      throw new CliError("scenario run: no *.scen files under " + inputs);
    }
    return files;
  }
}
