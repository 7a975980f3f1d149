package org.jdlm.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.dlm.testkit.InprocCluster;
import org.jdlm.lab.LabFencing;
import org.jdlm.lab.LabSettings;
import org.jdlm.member.CliError;
import org.jdlm.member.NodeConfig;
import org.jdlm.scenario.chaos.JvmChaosRun;
import org.jdlm.scenario.chaos.Recorder;
import org.jdlm.scenario.chaos.Report;
import org.jdlm.scenario.chaos.SharedDisk;
import org.jdlm.scenario.chaos.Workload;
import org.jdlm.scenario.chaos.WorkloadRun;
import org.jdlm.scenario.chaos.core.Checkers;
import org.jdlm.scenario.chaos.core.FaultKind;
import org.jdlm.scenario.chaos.core.FaultSchedule;
import org.jdlm.scenario.chaos.core.History;

/**
 * {@code dlm chaos --workload ...}: the checked run of issue 12 ({@link JvmChaosRun} on real member
 * JVMs; in-process, the workload alone without faults). Turns the options into a schedule and
 * settings, every problem one {@link CliError}.
 */
final class CheckedChaos {

  private final ChaosCommand c;

  CheckedChaos(ChaosCommand command) {
    this.c = command;
  }

  int run(Console console) throws IOException, InterruptedException {
    Workload workload;
    try {
      workload = Workload.parse(c.workloadOption);
    } catch (IllegalArgumentException e) {
      throw new CliError("chaos: --workload: " + e.getMessage());
    }
    if (c.clients < 1 || c.clients > 64) {
      throw new CliError("chaos: --clients " + c.clients + " is out of range (1..64)");
    }
    Duration liveness = duration("--liveness", c.livenessOption, "20s");
    Duration opTimeout = duration("--op-timeout", c.opTimeoutOption, "10s");
    if (c.broken != null && !c.broken.equals("grants-twice")) {
      throw new CliError("chaos: --break '" + c.broken + "': the only deliberate breakage is grants-twice");
    }
    FaultSchedule schedule = schedule();
    if (c.mode.equals("inproc")) {
      return inproc(console, workload, schedule, liveness, opTimeout);
    }
    c.store.requireJvmMode("chaos", c.mode);
    // Storage fencing by default: a fenced member stays alive until it notices, and its writes must
    // then be refused by the disk: what the fenced-register checker is there to see.
    LabFencing fencing = LabFencing.parse("chaos", c.fencing == null ? "storage" : c.fencing);
    LabSettings lab = fencing.apply(LabSettings.load());
    Path runDir = c.dir != null ? c.dir : Path.of("run", "chaos-" + schedule.spec().seed());
    if (Files.exists(runDir.resolve(org.jdlm.lab.RunDir.LAYOUT))) {
      throw new CliError("chaos: run directory " + runDir + " already holds a cluster; give another --dir or remove it");
    }
    console.out().println("chaos: seed " + schedule.spec().seed() + ", workload " + workload.label() + ", "
        + c.clients + " clients per member, fencing " + fencing.name().toLowerCase(Locale.ROOT) + "; the schedule:");
    console.out().print(schedule.print());
    console.out().flush();
    JvmChaosRun.Result result = new JvmChaosRun(new JvmChaosRun.Settings(schedule, workload, c.clients, opTimeout,
        liveness, runDir.toAbsolutePath(), c.store.external(), Optional.ofNullable(c.broken)), lab, console.out())
        .run();
    console.out().println(result.summary());
    console.out().println("chaos: report " + result.html() + " (JSON " + result.report() + ", history "
        + result.history() + ")");
    return result.valid() ? 0 : 1;
  }

  /** The workload on in-process members, no faults: the fast loop for the clients and checkers. */
  private int inproc(Console console, Workload workload, FaultSchedule schedule, Duration liveness, Duration opTimeout)
      throws InterruptedException {
    if (c.scheduleFile != null || c.faultsOption != null || c.broken != null) {
      throw new CliError("chaos: --mode inproc runs the workload without faults (no --schedule, --faults, --break)");
    }
    int n = schedule.spec().members();
    Duration length = Duration.ofMillis(schedule.spec().durationMs());
    console.out().println("chaos: in-process, " + n + " members, workload " + workload.label() + " for "
        + length.toSeconds() + " s, no faults");
    try (InprocCluster cluster = InprocCluster.start(n, "chaos", LockspaceSettings.defaults(), ConfigFactory.empty())) {
      List<LockspaceHandle> members = java.util.stream.IntStream.range(0, n).mapToObj(cluster::lockspace).toList();
      History history = WorkloadRun.run(workload, members, c.clients, length, opTimeout, schedule.spec().seed(),
          Recorder.system(), new SharedDisk());
      Report report = new Report(history, Checkers.run(history, liveness.toNanos()));
      console.out().println(report.summaryLine());
      return report.valid() ? 0 : 1;
    }
  }

  private FaultSchedule schedule() throws IOException {
    if (c.scheduleFile != null) {
      for (Object[] o : new Object[][] {{"--duration", c.durationOption}, {"--faults", c.faultsOption},
          {"--seed", c.seedOption}, {"--max-faulty", c.maxFaulty}, {"--mean-gap", c.meanGapOption}}) {
        if (o[1] != null) {
          throw new CliError("chaos: " + o[0] + " and --schedule: the schedule's header says it");
        }
      }
      String text;
      try {
        text = Files.readString(c.scheduleFile, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new CliError("chaos: cannot read --schedule " + c.scheduleFile + ": " + e.getMessage());
      }
      try {
        return FaultSchedule.parse(text);
      } catch (IllegalArgumentException e) {
        throw new CliError("chaos: --schedule " + c.scheduleFile + ": " + e.getMessage());
      }
    }
    if (c.nodes < 1 || c.nodes > 16) {
      throw new CliError("chaos: --nodes " + c.nodes + " is out of range (1..16 with --workload)");
    }
    long seed = c.seedOption != null ? ChaosCommand.parseSeed(c.seedOption) : System.currentTimeMillis();
    Duration length = duration("--duration", c.durationOption, "60s");
    Duration meanGap = duration("--mean-gap", c.meanGapOption, "2s");
    int faulty = c.maxFaulty != null ? c.maxFaulty : FaultSchedule.Spec.minority(c.nodes);
    if (faulty < 0 || faulty >= c.nodes) {
      throw new CliError("chaos: --max-faulty " + faulty + " is out of range (0.." + (c.nodes - 1) + ")");
    }
    try {
      return FaultSchedule.generate(new FaultSchedule.Spec(seed, c.nodes, length.toMillis(), faulty,
          failureDetectorBound().toMillis(), meanGap.toMillis(), kinds(c.faultsOption)));
    } catch (IllegalArgumentException e) {
      throw new CliError("chaos: " + e.getMessage());
    }
  }

  /**
   * How long until a silent member is downed: the members' acceptable heartbeat pause plus the
   * split-brain resolver's stable-after (jdlm-node.conf). A short pause stays below half of it, a
   * long one lasts two to three times it.
   */
  static Duration failureDetectorBound() {
    Config node = ConfigFactory.parseResourcesAnySyntax(NodeConfig.NODE_DEFAULTS).withFallback(ConfigFactory.load());
    return node.getDuration("pekko.cluster.failure-detector.acceptable-heartbeat-pause")
        .plus(node.getDuration("pekko.cluster.split-brain-resolver.stable-after"));
  }

  static Set<FaultKind> kinds(String option) {
    if (option == null) {
      return EnumSet.allOf(FaultKind.class);
    }
    Set<FaultKind> kinds = EnumSet.noneOf(FaultKind.class);
    for (String k : option.split(",")) {
      String word = k.strip();
      if (word.equals("pause")) {
        kinds.add(FaultKind.PAUSE_SHORT);
        kinds.add(FaultKind.PAUSE_LONG);
        continue;
      }
      try {
        kinds.add(FaultKind.parse(word));
      } catch (IllegalArgumentException e) {
        throw new CliError("chaos: --faults: " + e.getMessage() + " (or pause for both pauses)");
      }
    }
    return kinds;
  }

  /** A duration such as 60s, 10m, 500ms or 1h; a clear error otherwise. */
  static Duration duration(String option, String text, String fallback) {
    String t = (text == null ? fallback : text).strip();
    try {
      Duration d = ConfigFactory.parseString("d = \"" + t.replace("\"", "") + "\"").getDuration("d");
      if (d.isNegative() || d.isZero()) {
        throw new CliError("chaos: " + option + " " + t + " must be positive");
      }
      return d;
    } catch (com.typesafe.config.ConfigException e) {
      throw new CliError("chaos: " + option + " '" + t + "' is not a duration (e.g. 500ms, 60s, 10m)");
    }
  }
}
