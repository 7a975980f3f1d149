package org.jdlm.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one member measured in one bench run, as carried from its control endpoint to the
 * {@code dlm bench} command (one {@code key=value} per line; the histogram in {@link Latencies}' form).
 *
 * @param workload   the workload id
 * @param node       the member's lockspace node id
 * @param clients    client chains that ran
 * @param seconds    length of the measured window
 * @param pairs      lock+unlock pairs completed in the window
 * @param handoffs   grants in the window whose previous holder was another member (handoff only)
 * @param errors     operations that failed (each stops its chain), plus chains that did not stop
 * @param firstError the first failure's message, or empty
 * @param acquire    acquire latencies (lock call to grant) in the window
 */
public record BenchResult(String workload, String node, int clients, double seconds, long pairs, long handoffs,
    long errors, String firstError, Histogram acquire) {

  /** Pairs per second over the window. */
  public double pairsPerSecond() {
    return seconds <= 0 ? 0 : pairs / seconds;
  }

  /** Hand-offs per second over the window. */
  public double handoffsPerSecond() {
    return seconds <= 0 ? 0 : handoffs / seconds;
  }

  /** The text form sent by the member. */
  public String encode() {
    return "workload=" + workload + "\nnode=" + node + "\nclients=" + clients + "\nseconds="
        + String.format(Locale.ROOT, "%.6f", seconds) + "\npairs=" + pairs + "\nhandoffs=" + handoffs + "\nerrors="
        + errors + "\nfirst-error=" + firstError.replaceAll("\\R", " ") + "\nacquire=" + Latencies.encode(acquire) + "\n";
  }

  /** Parses {@link #encode}'s form; anything malformed is an {@link IllegalArgumentException} saying what. */
  public static BenchResult decode(String text) {
    Map<String, String> v = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        v.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    for (String key : List.of("workload", "node", "clients", "seconds", "pairs", "handoffs", "errors", "acquire")) {
      if (!v.containsKey(key)) {
        throw new IllegalArgumentException("bench result without '" + key + "': " + text.lines().findFirst().orElse(""));
      }
    }
    try {
      return new BenchResult(v.get("workload"), v.get("node"), Integer.parseInt(v.get("clients")),
          Double.parseDouble(v.get("seconds")), Long.parseLong(v.get("pairs")), Long.parseLong(v.get("handoffs")),
          Long.parseLong(v.get("errors")), v.getOrDefault("first-error", ""), Latencies.decode(v.get("acquire")));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bench result with a malformed number: " + e.getMessage());
    }
  }
}
