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
    "kill, freeze and partition members while clients run, and check that nothing was lost", "",
    "With --workload: a cluster of real member JVMs (each on its own loopback address), workload clients inside"
        + " every member all the time (mutex: EX and a register on the fenced shared disk; rw: readers and writers;"
        + " lvb-counter: a counter in the value block), and the faults of a seeded schedule (printed; --schedule"
        + " replays it): SIGKILL, SIGSTOP shorter and longer than the failure detector's bound, restarts, iptables"
        + " partitions, CPU starvation, never more than a minority at once. Afterwards the history is checked"
        + " (exclusion, fenced writes, lost updates, torn reads, token order, liveness) and reported (summary line,"
        + " report.json, report.html) in the run directory. With --mode inproc the workload runs on in-process"
        + " members without faults (the fast loop).", "",
    "Without --workload, rounds:",
    "One cluster; in every round one or two members (never a majority) that hold EX locks are SIGKILLed or"
        + " SIGSTOPped (jvm mode; inproc kills only) while others wait behind them and a bystander holds a lock"
        + " elsewhere. Each round checks that every waiter is granted after recovery, the bystander's lock is"
        + " untouched and the lockspace runs again, then restarts the victims as new incarnations. The master of"
        + " each resource is the victim or a survivor at random."},
    exitCodeList = {"0:every round passed / the history passed every checker", "1:a round failed / a checker found a"
        + " violation", "2:usage error"})
public final class ChaosCommand extends DlmCommand {

  @Option(names = "--mode", paramLabel = "jvm|inproc", defaultValue = "jvm",
      description = "real member JVMs (default) or ActorSystems in this JVM")
  String mode;

  @Option(names = "--nodes", paramLabel = "N", defaultValue = "5", description = "cluster size (with --workload 1..16), "
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

  // ---- the checked run (issue 12): clients all the time, a fault schedule, checkers -------------

  @Option(names = "--workload", paramLabel = "mutex|rw|lvb-counter", description = {"run workload clients on every"
      + " member all the time while the faults of a seeded schedule hit, then check the history (instead of"
      + " rounds); the report goes to the run directory"})
  String workloadOption;

  @Option(names = "--duration", paramLabel = "D", description = "with --workload: how long faults are injected,"
      + " e.g. 60s or 10m (default 60s); the clients then run --liveness more")
  String durationOption;

  @Option(names = "--faults", paramLabel = "KINDS", description = {"with --workload: fault kinds, comma-separated from"
      + " kill, pause (short and long), pause-short, pause-long, restart, partition, slow (default all)"})
  String faultsOption;

  @Option(names = "--schedule", paramLabel = "FILE", description = {"with --workload: replay a printed schedule"
      + " (its header gives the members, duration and seed)"})
  Path scheduleFile;

  @Option(names = "--clients", paramLabel = "N", defaultValue = "2", description = "with --workload: clients per"
      + " member (default 2)")
  int clients;

  @Option(names = "--max-faulty", paramLabel = "N", description = "with --workload: members under a fault at once"
      + " (default the largest minority, (N-1)/2)")
  Integer maxFaulty;

  @Option(names = "--mean-gap", paramLabel = "D", description = "with --workload: mean time between fault starts"
      + " (default 2s)")
  String meanGapOption;

  @Option(names = "--liveness", paramLabel = "D", description = "with --workload: after the last fault the clients"
      + " run this long, and each must complete an operation within it (default 20s)")
  String livenessOption;

  @Option(names = "--op-timeout", paramLabel = "D", description = "with --workload: a client's bound on one lock"
      + " operation (default 10s)")
  String opTimeoutOption;

  @Option(names = "--dir", paramLabel = "DIR", description = "with --workload: the run directory (default"
      + " run/chaos-SEED); member logs, history.jsonl, report.json, report.html")
  Path dir;

  @Option(names = "--break", paramLabel = "grants-twice", hidden = true, description = "a deliberately broken lock"
      + " in the members' clients, to show the checkers catch it")
  String broken;

  @Override
  protected int run(Console console) throws Exception {
    if (!mode.equals("jvm") && !mode.equals("inproc")) {
      throw new CliError("chaos: unknown mode '" + mode + "' (expected jvm or inproc)");
    }
    if (workloadOption != null) {
      return new CheckedChaos(this).run(console);
    }
    for (Object[] o : new Object[][] {{"--duration", durationOption}, {"--faults", faultsOption},
        {"--schedule", scheduleFile}, {"--max-faulty", maxFaulty}, {"--mean-gap", meanGapOption},
        {"--liveness", livenessOption}, {"--op-timeout", opTimeoutOption}, {"--dir", dir}, {"--break", broken}}) {
      if (o[1] != null) {
        throw new CliError("chaos: " + o[0] + " needs --workload (the rounds mode has no fault schedule)");
      }
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

  static long parseSeed(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new CliError("chaos: --seed must be a whole number, not '" + s + "'");
    }
  }
}
