package org.jdlm.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdlm.bench.BenchSettings;
import org.jdlm.bench.BenchWorkload;
import org.jdlm.member.CliError;

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

  /** Parses and checks {@code args}; every problem is one {@link CliError} naming the option and value. */
  public static BenchOptions parse(List<String> args, BenchSettings settings, int maxNodes) {
    Options o = Options.parse("bench", args,
        Set.of("--dir", "--nodes", "--workload", "--duration", "--warmup", "--clients", "--own-share"),
        Set.of("--jmh")).noPositional();
    if (o.get("--dir").isPresent() && o.get("--nodes").isPresent()) {
      throw new CliError("bench: give either --dir (a running cluster) or --nodes (start one), not both");
    }
    int nodes = o.integer("--nodes", 1, maxNodes).orElse(Math.min(settings.defaultNodes(), maxNodes));
    List<BenchWorkload> workloads = o.get("--workload").map(BenchOptions::workloads)
        .orElse(List.of(BenchWorkload.values()));
    Duration duration = o.get("--duration").map(v -> duration("--duration", v, Duration.ofSeconds(1),
        settings.maxDuration())).orElse(settings.defaultDuration());
    Duration warmup = o.get("--warmup").map(v -> duration("--warmup", v, Duration.ZERO, settings.maxDuration()))
        .orElse(settings.defaultWarmup());
    OptionalInt clients = o.integer("--clients", 1, settings.maxClients()).map(OptionalInt::of).orElse(OptionalInt.empty());
    double share = o.get("--own-share").map(BenchOptions::share).orElse(settings.ownShare());
    return new BenchOptions(o.get("--dir").map(Path::of), nodes, workloads, duration, warmup, clients, share,
        o.has("--jmh"));
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
