package org.jdlm.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdlm.bench.BenchSettings;
import org.jdlm.bench.BenchWorkload;
import org.jdlm.member.CliError;
import picocli.CommandLine.Option;

/**
 * The validated command line of {@code dlm bench}.
 *
 * @param dir       a running lab cluster to use, or empty to start one
 * @param nodes     members of the cluster to start (ignored with {@code dir})
 * @param workloads the workloads to run, in table order
 * @param duration  measured window per workload
 * @param warmup    unrecorded warm-up before each window
 * @param clients   client chains per member, or empty for each workload's default
 * @param ownShare  mixed: share of picks from the member's own pool
 * @param jmh       run the JMH grant-path benchmarks instead of the cluster workloads
 */
public record BenchOptions(Optional<Path> dir, int nodes, List<BenchWorkload> workloads, Duration duration,
    Duration warmup, OptionalInt clients, double ownShare, boolean jmh) {

  private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m)");

  /** The raw {@code dlm bench} options, as picocli fills them; {@link #check} validates them. */
  static class Raw {
    @Option(names = "--dir", paramLabel = "DIR",
        description = "use the running cluster in DIR (see dlm cluster up) instead of starting one")
    Path dir;

    @Option(names = "--nodes", paramLabel = "N", description = "members of the cluster to start (default 3)")
    Integer nodes;

    @Option(names = "--workload", paramLabel = "LIST", description = "all, or a comma list of the workloads above")
    String workload;

    @Option(names = "--duration", paramLabel = "D", description = "measured window per workload, e.g. 10s (default 10s)")
    String duration;

    @Option(names = "--warmup", paramLabel = "D", description = "unrecorded warm-up before each window (default 5s)")
    String warmup;

    @Option(names = "--clients", paramLabel = "N",
        description = "client chains per member (default: local/mixed/uniform 64, remote/handoff 1)")
    Integer clients;

    @Option(names = "--own-share", paramLabel = "F",
        description = "mixed: share of picks from the member's own resources (default 0.9)")
    String ownShare;

    @Option(names = "--jmh", description = "run the JMH grant-path benchmarks instead (forked JVM, about 1 minute)")
    boolean jmh;

    /** Checks the values; every problem is one {@link CliError} naming the option and value. */
    BenchOptions check(BenchSettings settings, int maxNodes) {
      if (dir != null && nodes != null) {
        throw new CliError("bench: give either --dir (a running cluster) or --nodes (start one), not both");
      }
      int n = nodes == null ? Math.min(settings.defaultNodes(), maxNodes) : range("--nodes", nodes, 1, maxNodes);
      List<BenchWorkload> w = workload == null ? List.of(BenchWorkload.values()) : workloads(workload);
      Duration d = duration == null ? settings.defaultDuration()
          : BenchOptions.duration("--duration", duration, Duration.ofSeconds(1), settings.maxDuration());
      Duration wu = warmup == null ? settings.defaultWarmup()
          : BenchOptions.duration("--warmup", warmup, Duration.ZERO, settings.maxDuration());
      OptionalInt c = clients == null ? OptionalInt.empty() : OptionalInt.of(range("--clients", clients, 1,
          settings.maxClients()));
      double share = ownShare == null ? settings.ownShare() : share(ownShare);
      return new BenchOptions(Optional.ofNullable(dir), n, w, d, wu, c, share, jmh);
    }

    private static int range(String option, int value, int min, int max) {
      if (value < min || value > max) {
        throw new CliError("bench: " + option + " " + value + " is out of range (" + min + ".." + max + ")");
      }
      return value;
    }
  }

  /** Parses and checks {@code args} (tests); every problem is one {@link CliError} naming the option and value. */
  public static BenchOptions parse(List<String> args, BenchSettings settings, int maxNodes) {
    return Cli.parse(new Raw(), "bench", args).check(settings, maxNodes);
  }

  private static List<BenchWorkload> workloads(String list) {
    if (list.equals("all")) {
      return List.of(BenchWorkload.values());
    }
    EnumSet<BenchWorkload> chosen = EnumSet.noneOf(BenchWorkload.class);
    for (String id : list.split(",", -1)) {
      BenchWorkload w = BenchWorkload.of(id.trim()).orElseThrow(() -> new CliError("bench: --workload '" + id
          + "' is not a workload (expected all or a comma list of "
          + String.join(", ", Arrays.stream(BenchWorkload.values()).map(BenchWorkload::id).toList()) + ")"));
      chosen.add(w);
    }
    return new ArrayList<>(chosen); // table order, each once
  }

  /** A duration such as {@code 500ms}, {@code 10s} or {@code 2m}, within [min, max]. */
  static Duration duration(String option, String value, Duration min, Duration max) {
    Matcher m = DURATION.matcher(value.trim());
    if (!m.matches()) {
      throw new CliError("bench: " + option + " '" + value + "' is not a duration such as 500ms, 10s or 2m");
    }
    long amount = Long.parseLong(m.group(1));
    Duration d = switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      default -> Duration.ofMinutes(amount);
    };
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new CliError("bench: " + option + " " + value + " is out of range (" + human(min) + ".." + human(max) + ")");
    }
    return d;
  }

  private static double share(String value) {
    double share;
    try {
      share = Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new CliError("bench: --own-share '" + value + "' is not a number (a fraction such as 0.9)");
    }
    if (!(share >= 0 && share <= 1)) {
      throw new CliError("bench: --own-share " + value + " is out of range (0..1)");
    }
    return share;
  }

  static String human(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 != 0 ? ms + "ms" : ms % 60_000 != 0 || ms == 0 ? ms / 1000 + "s" : ms / 60_000 + "m";
  }

  /** Client chains per member for {@code w}. */
  public int clientsFor(BenchWorkload w) {
    return clients.orElse(w.defaultClients());
  }
}
