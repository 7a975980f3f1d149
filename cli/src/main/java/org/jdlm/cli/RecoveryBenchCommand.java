package org.jdlm.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdlm.bench.FailoverBench;
import org.jdlm.bench.RemasterBench;
import org.jdlm.lab.LabSettings;
import org.jdlm.member.CliError;

/**
 * {@code dlm bench-recovery}: recovery measured, not asserted (issue 4 item 7). A command rather
 * than a default test: one failover run costs a restart of a member JVM, and the figures only mean
 * something on a quiet machine. The lead may fold it into {@code dlm bench --workload failover}.
 */
public final class RecoveryBenchCommand implements Subcommand {

  @Override
  public String name() {
    return "bench-recovery";
  }

  @Override
  public String summary() {
    return "measure failover on real member JVMs (SIGKILL/SIGSTOP of a lock holder) and remastering time";
  }

  @Override
  public String usage() {
    return """
        usage: dlm bench-recovery [--workload failover|remaster] [--fault kill|pause|both] [--runs N]
                                  [--victim other|oldest] [--locks N] [--member-jvm-options "OPTS"] [--dir DIR]

        failover (default): a 3-member lab cluster; n1 masters R, n3 holds EX, n2 waits for EX.
        Each run SIGKILLs (kill) or SIGSTOPs (pause; the power agent then kills it) n3 and measures
        the time from the signal to n2's grant callback, then restarts n3. Prints every sample,
        the median and the recovery coordinator's phase timings of one run.
        remaster: see docs/performance.md ("Recovery").
          --fault kill|pause|both   which failure (default both)
          --runs N                  samples per fault (default 5, 1..50)
          --victim other|oldest     failover: the holder that fails is n3 (other, default) or n1, the
                                    oldest member (n2 masters R, n3 waits; n2 and n3 are restarted
                                    after n1 each run so that n1 stays the oldest)
          --locks N                 remaster: locks mastered by the failed member (default 10000)
          --member-jvm-options OPTS extra member JVM flags, space separated (e.g. -D overrides of
                                    pekko.cluster.failure-detector.*)
          --dir DIR                 run directory for the lab (default: a temporary one, deleted)
        Exit status: 0 when every run ended in a grant, 1 when one did not, 2 on bad input.
        """;
  }

  @Override
  public int run(List<String> args, Console console) throws Exception {
    Options o = Options.parse("bench-recovery", args,
        Set.of("--workload", "--fault", "--runs", "--victim", "--locks", "--member-jvm-options", "--dir"), Set.of()).noPositional();
    String workload = o.get("--workload").orElse("failover");
    int runs = o.integer("--runs", 1, 50).orElse(5);
    return switch (workload) {
      case "failover" -> failover(o, runs, console);
      case "remaster" -> RemasterBench.run(o.integer("--locks", 1, 1_000_000).orElse(10_000), runs, console.out());
      default -> throw new CliError("bench-recovery: unknown workload '" + workload + "' (expected failover or remaster)");
    };
  }

  private int failover(Options o, int runs, Console console) throws Exception {
    List<FailoverBench.Fault> faults = switch (o.get("--fault").orElse("both")) {
      case "kill" -> List.of(FailoverBench.Fault.KILL);
      case "pause" -> List.of(FailoverBench.Fault.PAUSE);
      case "both" -> List.of(FailoverBench.Fault.KILL, FailoverBench.Fault.PAUSE);
      default -> throw new CliError("bench-recovery: unknown --fault '" + o.get("--fault").get()
          + "' (expected kill, pause or both)");
    };
    FailoverBench.Victim victim = switch (o.get("--victim").orElse("other")) {
      case "other" -> FailoverBench.Victim.OTHER;
      case "oldest" -> FailoverBench.Victim.OLDEST;
      default -> throw new CliError("bench-recovery: unknown --victim '" + o.get("--victim").get()
          + "' (expected other or oldest)");
    };
    List<String> extra = o.get("--member-jvm-options").map(s -> Arrays.stream(s.trim().split("\\s+"))
        .filter(x -> !x.isEmpty()).toList()).orElse(List.of());
    for (String x : extra) {
      if (!x.startsWith("-")) {
        throw new CliError("bench-recovery: member JVM option '" + x + "' does not start with '-'");
      }
    }
    console.out().println("starting a 3-member lab cluster" + (extra.isEmpty() ? "" : " with " + String.join(" ", extra)));
    try (FailoverBench bench = FailoverBench.start(o.get("--dir").map(Path::of), extra, LabSettings.load(),
        FailoverBench.Bounds.DEFAULT)) {
      for (FailoverBench.Fault fault : faults) {
        List<Long> millis = new ArrayList<>();
        Optional<String> phases = Optional.empty();
        for (int i = 1; i <= runs; i++) {
          FailoverBench.Sample s;
          try {
            s = bench.sample(fault, victim, i);
          } catch (Exception e) {
            bench.keepDir();
            console.err().println("dlm bench-recovery: " + fault.name().toLowerCase() + " run " + i + " failed: "
                + e.getMessage() + " (member logs kept in " + bench.dir() + ")");
            return 1;
          }
          millis.add(s.millis());
          phases = phases.isPresent() ? phases : s.phases();
          console.out().printf("%s run %d: %d ms from signal to grant%s%n", fault.name().toLowerCase(), i, s.millis(),
              s.phases().map(p -> "   [" + p + "]").orElse(""));
        }
        console.out().printf("%s (victim %s): samples %s ms, median %d ms%n", fault.name().toLowerCase(),
            victim.name().toLowerCase(), millis,
            FailoverBench.median(millis));
        console.out().println(fault.name().toLowerCase() + ": phases of one run: "
            + phases.orElse("(no \"recovery N finished\" line found in n1/n2 logs)"));
      }
    }
    return 0;
  }
}
