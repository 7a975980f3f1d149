package org.jdlm.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jdlm.member.CliError;
import org.jdlm.scenario.Scenario;
import org.jdlm.scenario.ScenarioParser;
import org.jdlm.scenario.ScenarioSyntaxException;
import org.jdlm.scenario.run.ScenarioCluster;
import org.jdlm.scenario.run.ScenarioRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dlm scenario run FILE|DIR... [--mode inproc|jvm]}: parses every file first (a syntax
 * error anywhere runs nothing and exits 2 with {@code file:line:col: message} lines), then runs
 * each file on a cluster of its own and ends with {@code N passed, N failed}; exit 0 when all
 * passed, 1 otherwise (brief §6).
 */
@Command(name = "scenario", description = "run scenario files on an in-process cluster or on real member JVMs",
    subcommands = ScenarioCommand.Run.class)
final class ScenarioCommand extends DlmCommand.Group {

  /** {@code scenario run}. */
  @Command(name = "run", description = {"run scenario files", "",
      "Runs each scenario file (a directory means every *.scen file below it, in name order) on a fresh cluster of"
          + " the size the file names, prints one line per observed callback, then PASS <file> or FAIL"
          + " <file>:<line>: ... with a dump, and finally 'N passed, N failed'. The language is documented in"
          + " docs/scenarios.md."},
      exitCodeList = {"0:all passed", "1:some failed", "2:usage or syntax error (file:line:col: message)"})
  static final class Run extends DlmCommand {
    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "inproc", description = {"inproc: N ActorSystems in"
        + " this JVM over loopback (default; fast); jvm: N real member JVMs started and cleaned up by the lab"
        + " supervisor"})
    String mode;

    @Mixin
    StoreOptions store;

    @Parameters(paramLabel = "FILE|DIR", arity = "1..*", description = "scenario files, or directories of *.scen files")
    List<Path> inputs = new ArrayList<>();

    @Override
    protected int run(Console console) throws Exception {
      if (!mode.equals("inproc") && !mode.equals("jvm")) {
        throw new CliError("scenario run: unknown mode '" + mode + "' (expected inproc or jvm)");
      }
      store.requireJvmMode("scenario run", mode);
      return runScenarios(inputs, () -> Main.scenarioClusters(mode, store.external()), console);
    }
  }

  /** Parses every file first, then runs each; 2 on a syntax error anywhere, else 0 all passed or 1. */
  static int runScenarios(List<Path> inputs, Supplier<ScenarioCluster.Factory> factories, Console console) throws Exception {
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
    ScenarioCluster.Factory factory = factories.get(); // after parsing: a syntax error starts nothing
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
