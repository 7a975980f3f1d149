package org.jdlm.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.jdlm.member.CliError;
import org.jdlm.scenario.ChaosScenario;
import org.jdlm.scenario.Scenario;
import org.jdlm.scenario.ScenarioParser;
import org.jdlm.scenario.ScenarioSyntaxException;
import org.jdlm.scenario.run.JvmScenarioClusters;
import org.jdlm.scenario.run.ScenarioCluster;
import org.jdlm.scenario.run.ScenarioRunner;

/**
 * {@code dlm chaos}: a long failure run on one cluster. {@link ChaosScenario} writes a random,
 * self-checking scenario (seeded) and the scenario runner executes it; a failed round stops the run
 * with the dump, and the file is kept so the run can be repeated with {@code dlm scenario run}.
 */
public final class ChaosCommand implements Subcommand {

  private final Function<String, ScenarioCluster.Factory> factories;

  public ChaosCommand(Function<String, ScenarioCluster.Factory> factories) {
    this.factories = factories;
  }

  @Override
  public String name() {
    return "chaos";
  }

  @Override
  public String summary() {
    return "kill and freeze lock holders at random, round after round, checking every recovery";
  }

  @Override
  public String usage() {
    return String.join("\n",
        "usage: dlm chaos [--mode jvm|inproc] [--nodes N] [--rounds N] [--seed S] [--save FILE]",
        "                 [--fencing power|storage|both]",
        "",
        "One cluster; in every round one or two members (never a majority) that hold EX locks are",
        "SIGKILLed or SIGSTOPped (jvm mode; inproc kills only) while others wait behind them and a",
        "bystander holds a lock elsewhere. Each round checks that every waiter is granted after",
        "recovery, the bystander's lock is untouched and the lockspace runs again, then restarts the",
        "victims as new incarnations. The master of each resource is the victim or a survivor at random.",
        "",
        "  --mode jvm|inproc  real member JVMs (default) or ActorSystems in this JVM",
        "  --nodes N          cluster size, " + ChaosScenario.MIN_NODES + ".." + ChaosScenario.MAX_NODES
            + " (default 5; two victims at once need 5)",
        "  --rounds N         fault rounds, 1..1000 (default 10)",
        "  --seed S           random seed (default: the clock); printed first, so any run can be repeated",
        "  --save FILE        also write the generated scenario there (a failed run always keeps it)",
        "  --fencing F        jvm mode: members fence with the power agent, the storage agent (the",
        "                     victim's disk key is revoked; a frozen victim stays alive), or both (each",
        "                     must confirm); default jdlm-node.conf's [power, storage], first that works",
        "",
        "Exit status: 0 every round passed, 1 a round failed, 2 usage error.");
  }

  @Override
  public int run(List<String> args, Console console) throws Exception {
    Options o = Options.parse("chaos", args, java.util.Set.of("--mode", "--nodes", "--rounds", "--seed", "--save", "--fencing"),
        java.util.Set.of()).noPositional();
    String mode = o.get("--mode").orElse("jvm");
    if (!mode.equals("jvm") && !mode.equals("inproc")) {
      throw new CliError("chaos: unknown mode '" + mode + "' (expected jvm or inproc)");
    }
    int nodes = o.integer("--nodes", ChaosScenario.MIN_NODES, ChaosScenario.MAX_NODES).orElse(5);
    int rounds = o.integer("--rounds", 1, 1000).orElse(10);
    long seed = o.get("--seed").map(ChaosCommand::parseSeed).orElse(System.currentTimeMillis());
    java.util.Optional<org.jdlm.lab.LabFencing> fencing = o.get("--fencing")
        .map(f -> org.jdlm.lab.LabFencing.parse("chaos", f));
    if (fencing.isPresent() && !mode.equals("jvm")) {
      throw new CliError("chaos: --fencing needs --mode jvm (in-process clusters fence by membership)");
    }
    String text = ChaosScenario.generate(nodes, rounds, seed, mode.equals("jvm"));
    console.out().println("chaos: seed " + seed + ", " + nodes + " nodes, " + rounds + " rounds, mode " + mode
        + o.get("--fencing").map(f -> ", fencing " + f).orElse(""));
    Path saved = o.get("--save").map(Path::of).orElse(null);
    if (saved != null) {
      Files.writeString(saved, text, StandardCharsets.UTF_8);
    }
    Scenario scenario;
    try {
      scenario = ScenarioParser.parse("chaos-" + seed + ".scen", text);
    } catch (ScenarioSyntaxException e) {
      throw new IllegalStateException("the chaos generator wrote an invalid file: " + e.getMessage(), e);
    }
    ScenarioCluster.Factory factory = fencing.isPresent()
        ? new JvmScenarioClusters(JvmScenarioClusters.Settings.fromConfig(com.typesafe.config.ConfigFactory.load()),
            fencing.get().apply(org.jdlm.lab.LabSettings.load()))
        : factories.apply(mode);
    boolean passed;
    try {
      passed = new ScenarioRunner(factory, console.out(), 20).run(scenario).passed();
    } finally {
      if (factory instanceof AutoCloseable c) {
        c.close();
      }
    }
    if (!passed) {
      Path kept = saved != null ? saved : Files.createTempFile("chaos-" + seed + "-", ".scen");
      if (saved == null) {
        Files.writeString(kept, text, StandardCharsets.UTF_8);
      }
      console.out().println("chaos: FAILED with seed " + seed + "; the scenario is in " + kept
          + " (dlm scenario run --mode " + mode + " " + kept + ")");
      return 1;
    }
    console.out().println("chaos: " + rounds + " rounds passed (seed " + seed + ")");
    return 0;
  }

  private static long parseSeed(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new CliError("chaos: --seed must be a whole number, not '" + s + "'");
    }
  }
}
