package org.jdlm.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import com.typesafe.config.ConfigFactory;
import org.jdlm.lab.LabFencing;
import org.jdlm.lab.LabSettings;
import org.jdlm.member.CliError;
import org.jdlm.scenario.ChaosScenario;
import org.jdlm.scenario.Scenario;
import org.jdlm.scenario.ScenarioParser;
import org.jdlm.scenario.ScenarioSyntaxException;
import org.jdlm.scenario.run.JvmScenarioClusters;
import org.jdlm.scenario.run.ScenarioCluster;
import org.jdlm.scenario.run.ScenarioRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dlm chaos}: a long failure run on one cluster. {@link ChaosScenario} writes a random,
 * self-checking scenario (seeded) and the scenario runner executes it; a failed round stops the run
 * with the dump, and the file is kept so the run can be repeated with {@code dlm scenario run}.
 */
@Command(name = "chaos", description = {
    "kill and freeze lock holders at random, round after round, checking every recovery", "",
    "One cluster; in every round one or two members (never a majority) that hold EX locks are SIGKILLed or"
        + " SIGSTOPped (jvm mode; inproc kills only) while others wait behind them and a bystander holds a lock"
        + " elsewhere. Each round checks that every waiter is granted after recovery, the bystander's lock is"
        + " untouched and the lockspace runs again, then restarts the victims as new incarnations. The master of"
        + " each resource is the victim or a survivor at random."},
    exitCodeList = {"0:every round passed", "1:a round failed", "2:usage error"})
public final class ChaosCommand extends DlmCommand {

  @Option(names = "--mode", paramLabel = "jvm|inproc", defaultValue = "jvm",
      description = "real member JVMs (default) or ActorSystems in this JVM")
  String mode;

  @Option(names = "--nodes", paramLabel = "N", defaultValue = "5", description = "cluster size, "
      + ChaosScenario.MIN_NODES + ".." + ChaosScenario.MAX_NODES + " (default 5; two victims at once need 5)")
  int nodes;

  @Option(names = "--rounds", paramLabel = "N", defaultValue = "10", description = "fault rounds, 1..1000 (default 10)")
  int rounds;

  @Option(names = "--seed", paramLabel = "S",
      description = "random seed (default: the clock); printed first, so any run can be repeated")
  String seedOption;

  @Option(names = "--save", paramLabel = "FILE",
      description = "also write the generated scenario there (a failed run always keeps it)")
  Path saved;

  @Option(names = "--fencing", paramLabel = "power|storage|both", description = {"jvm mode: the members' fence"
      + " agents (power alone, storage alone: a frozen victim stays alive and only its disk key is revoked, or"
      + " both, each of which must confirm); default jdlm-node.conf's [power, storage], the first that works"})
  String fencing;

  @Mixin
  StoreOptions store;

  @Override
  protected int run(Console console) throws Exception {
    if (!mode.equals("jvm") && !mode.equals("inproc")) {
      throw new CliError("chaos: unknown mode '" + mode + "' (expected jvm or inproc)");
    }
    range("--nodes", nodes, ChaosScenario.MIN_NODES, ChaosScenario.MAX_NODES);
    range("--rounds", rounds, 1, 1000);
    store.requireJvmMode("chaos", mode);
    Optional<LabFencing> agents = Optional.ofNullable(fencing).map(f -> LabFencing.parse("chaos", f));
    if (agents.isPresent() && !mode.equals("jvm")) {
      throw new CliError("chaos: --fencing needs --mode jvm (in-process clusters fence by membership)");
    }
    long seed = seedOption != null ? parseSeed(seedOption) : System.currentTimeMillis();
    String text = ChaosScenario.generate(nodes, rounds, seed, mode.equals("jvm"));
    console.out().println("chaos: seed " + seed + ", " + nodes + " nodes, " + rounds + " rounds, mode " + mode
        + (fencing == null ? "" : ", fencing " + fencing));
    if (saved != null) {
      Files.writeString(saved, text, StandardCharsets.UTF_8);
    }
    Scenario scenario;
    try {
      scenario = ScenarioParser.parse("chaos-" + seed + ".scen", text);
    } catch (ScenarioSyntaxException e) {
      throw new IllegalStateException("the chaos generator wrote an invalid file: " + e.getMessage(), e);
    }
    ScenarioCluster.Factory factory = agents.isPresent()
        ? new JvmScenarioClusters(JvmScenarioClusters.Settings.fromConfig(ConfigFactory.load()),
            agents.get().apply(LabSettings.load()), store.external())
        : Main.scenarioClusters(mode, store.external());
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
