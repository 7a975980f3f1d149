package org.jdlm.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The workloads of {@code dlm bench} and the targets of issue 3 item 7 they are judged against.
 * Every workload measures EX lock+unlock pairs by asynchronous client chains (one outstanding
 * request per chain); the acquire latency is the time from {@code lock()} to its grant.
 *
 * <pre>
 *   workload  runs on         resources                              target
 *   local     first member    one per client, mastered by itself     >= 200,000 pairs/s per node
 *   remote    first member    one per client, mastered by member 2   p50 <= 150 µs and >= 3,500 pairs/s (1 client)
 *   mixed     every member    own pool with --own-share, else others >= 200,000 pairs/s (all members)
 *   uniform   every member    any member's pool, uniformly           >= 15,000 pairs/s (all members)
 *   handoff   every member    one EX resource passed between members >= 5,000 hand-offs/s
 * </pre>
 */
public enum BenchWorkload {
  LOCAL("locally mastered uncontended lock+unlock on one member", 64, 1, false, 200_000, 0),
  REMOTE("remotely mastered uncontended lock+unlock (master on member 2)", 1, 2, false, 3_500, 150_000),
  MIXED("every member, mostly its own resources (GFS2-like)", 64, 1, true, 200_000, 0),
  UNIFORM("every member, resources picked uniformly across members", 64, 1, true, 15_000, 0),
  HANDOFF("one EX resource handed between members", 1, 2, true, 5_000, 0);

  private final String description;
  private final int defaultClients;
  private final int minNodes;
  private final boolean allNodes;
  private final double minPerSecond;
  private final long maxP50Nanos;

  BenchWorkload(String description, int defaultClients, int minNodes, boolean allNodes, double minPerSecond,
      long maxP50Nanos) {
    this.description = description;
    this.defaultClients = defaultClients;
    this.minNodes = minNodes;
    this.allNodes = allNodes;
    this.minPerSecond = minPerSecond;
    this.maxP50Nanos = maxP50Nanos;
  }

  /** The name used on the command line and on the control endpoint ({@code local}, ...). */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The workload named {@code id}, if any. */
  public static Optional<BenchWorkload> of(String id) {
    return Arrays.stream(values()).filter(w -> w.id().equals(id)).findFirst();
  }

  public String description() {
    return description;
  }

  /** Client chains per member when {@code --clients} is not given. */
  public int defaultClients() {
    return defaultClients;
  }

  /** Fewest members the workload makes sense on (remote and handoff need another member). */
  public int minNodes() {
    return minNodes;
  }

  /** Whether every member runs clients at once (otherwise only the first member does). */
  public boolean allNodes() {
    return allNodes;
  }

  /** Whether the figure compared with the target is hand-offs per second rather than pairs per second. */
  public boolean countsHandoffs() {
    return this == HANDOFF;
  }

  /** The target as text, for the table. */
  public String target() {
    String rate = String.format(Locale.ROOT, ">= %,.0f/s", minPerSecond);
    return switch (this) {
      case LOCAL -> rate + " per node";
      case REMOTE -> "p50 <= " + (maxP50Nanos / 1000) + "us, " + rate;
      case HANDOFF -> rate + " hand-offs";
      default -> rate + " total";
    };
  }

  /** Whether a measured rate (pairs or hand-offs per second, as {@link #countsHandoffs}) and p50 meet the target. */
  public boolean met(double perSecond, long p50Nanos) {
    return perSecond >= minPerSecond && (maxP50Nanos == 0 || p50Nanos <= maxP50Nanos);
  }
}
