package org.jdlm.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jdlm.bench.FailoverBench;
import org.jdlm.bench.RemasterBench;
import org.jdlm.lab.LabSettings;
import org.jdlm.member.CliError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dlm bench-recovery}: recovery measured, not asserted (issue 4 item 7). A command rather
 * than a default test: one failover run costs a restart of a member JVM, and the figures only mean
 * something on a quiet machine. The lead may fold it into {@code dlm bench --workload failover}.
 */
@Command(name = "bench-recovery", description = {
    "measure failover on real member JVMs (SIGKILL/SIGSTOP of a lock holder) and remastering time", "",
    "failover (default): a 3-member lab cluster; n1 masters R, n3 holds EX, n2 waits for EX. Each run SIGKILLs"
        + " (kill) or SIGSTOPs (pause; the power agent then kills it) n3 and measures the time from the signal to"
        + " n2's grant callback, then restarts n3. Prints every sample, the median and the recovery coordinator's"
        + " phase timings of one run. remaster: see docs/performance.md (\"Recovery\")."},
    exitCodeList = {"0:every run ended in a grant", "1:a run did not", "2:bad input"})
public final class RecoveryBenchCommand extends DlmCommand {

  @Option(names = "--workload", paramLabel = "failover|remaster", defaultValue = "failover",
      description = "what to measure (default failover)")
  String workload;

  @Option(names = "--fault", paramLabel = "kill|pause|both", defaultValue = "both",
      description = "which failure (default both)")
  String fault;

  @Option(names = "--runs", paramLabel = "N", defaultValue = "5", description = "samples per fault (default 5, 1..50)")
  int runs;

  @Option(names = "--victim", paramLabel = "other|oldest", defaultValue = "other", description = {"failover: the"
      + " holder that fails is n3 (other, default) or n1, the oldest member (n2 masters R, n3 waits; n2 and n3 are"
      + " restarted after n1 each run so that n1 stays the oldest)"})
  String victim;

  @Option(names = "--locks", paramLabel = "N", defaultValue = "10000",
      description = "remaster: locks mastered by the failed member (default 10000)")
  int locks;

  @Option(names = "--member-jvm-options", paramLabel = "OPTS", description = {"extra member JVM flags, space"
      + " separated (e.g. -D overrides of pekko.cluster.failure-detector.*)"})
  String memberJvmOptions;

  @Option(names = "--dir", paramLabel = "DIR", description = "run directory for the lab (default: a temporary one, deleted)")
  Path dir;

  @Override
  protected int run(Console console) throws Exception {
    range("--runs", runs, 1, 50);
    return switch (workload) {
      case "failover" -> failover(console);
      case "remaster" -> RemasterBench.run(range("--locks", locks, 1, 1_000_000), runs, console.out());
      default -> throw new CliError("bench-recovery: unknown workload '" + workload + "' (expected failover or remaster)");
    };
  }

  private int failover(Console console) throws Exception {
    List<FailoverBench.Fault> faults = switch (fault) {
      case "kill" -> List.of(FailoverBench.Fault.KILL);
      case "pause" -> List.of(FailoverBench.Fault.PAUSE);
      case "both" -> List.of(FailoverBench.Fault.KILL, FailoverBench.Fault.PAUSE);
      default -> throw new CliError("bench-recovery: unknown --fault '" + fault + "' (expected kill, pause or both)");
    };
    FailoverBench.Victim failing = switch (victim) {
      case "other" -> FailoverBench.Victim.OTHER;
      case "oldest" -> FailoverBench.Victim.OLDEST;
      default -> throw new CliError("bench-recovery: unknown --victim '" + victim + "' (expected other or oldest)");
    };
    List<String> extra = memberJvmOptions == null ? List.of() : Arrays.stream(memberJvmOptions.trim().split("\\s+"))
        .filter(x -> !x.isEmpty()).toList();
    for (String x : extra) {
      if (!x.startsWith("-")) {
        throw new CliError("bench-recovery: member JVM option '" + x + "' does not start with '-'");
      }
    }
    console.out().println("starting a 3-member lab cluster" + (extra.isEmpty() ? "" : " with " + String.join(" ", extra)));
    try (FailoverBench bench = FailoverBench.start(Optional.ofNullable(dir), extra, LabSettings.load(),
        FailoverBench.Bounds.DEFAULT)) {
      for (FailoverBench.Fault f : faults) {
        List<Long> millis = new ArrayList<>();
        Optional<String> phases = Optional.empty();
        for (int i = 1; i <= runs; i++) {
          FailoverBench.Sample s;
          try {
            s = bench.sample(f, failing, i);
          } catch (Exception e) {
            bench.keepDir();
            console.err().println("dlm bench-recovery: " + f.name().toLowerCase() + " run " + i + " failed: "
                + e.getMessage() + " (member logs kept in " + bench.dir() + ")");
            return 1;
          }
          millis.add(s.millis());
          phases = phases.isPresent() ? phases : s.phases();
          console.out().printf("%s run %d: %d ms from signal to grant%s%n", f.name().toLowerCase(), i, s.millis(),
              s.phases().map(p -> "   [" + p + "]").orElse(""));
        }
        console.out().printf("%s (victim %s): samples %s ms, median %d ms%n", f.name().toLowerCase(),
            failing.name().toLowerCase(), millis, FailoverBench.median(millis));
        console.out().println(f.name().toLowerCase() + ": phases of one run: "
            + phases.orElse("(no \"recovery N finished\" line found in n1/n2 logs)"));
      }
    }
    return 0;
  }
}
