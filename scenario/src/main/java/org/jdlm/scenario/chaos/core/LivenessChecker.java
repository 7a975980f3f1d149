package org.jdlm.scenario.chaos.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * After the faults stop, every client completes operations again within {@code boundNanos}
 * (issue 12).
 * <ul>
 *   <li>{@code no-progress}: a client active after the last fault ended had no ok in
 *       (quiet, from + bound], where quiet is the time the last fault ended (or the start) and
 *       from is the later of quiet and the process's first operation;</li>
 *   <li>{@code hang}: an operation still pending at the end, invoked more than the bound before the
 *       end, whose member was not killed, restarted or paused past the bound after it was invoked
 *       (those clients are gone, not hung).</li>
 * </ul>
 * A history shorter than quiet + bound cannot show progress; it gets {@code too-short}.
 */
public final class LivenessChecker implements Checker {

  private final long boundNanos;

  public LivenessChecker(long boundNanos) {
    if (boundNanos <= 0) {
      throw new IllegalArgumentException("liveness bound " + boundNanos + " ns must be positive");
    }
    this.boundNanos = boundNanos;
  }

  @Override
  public String name() {
    return "liveness";
  }

  @Override
  public CheckResult check(History history) {
    long quiet = 0;
    for (Event e : history.events()) {
      if (e instanceof Event.FaultEnd || e instanceof Event.FaultStart) {
        quiet = Math.max(quiet, e.time());
      }
    }
    long end = history.endTime();
    List<Violation> violations = new ArrayList<>();
    List<History.Pair> pairs = history.pairs();
    Map<Integer, List<History.Pair>> byProcess = new TreeMap<>();
    for (History.Pair pair : pairs) {
      if (pair.invoke().f() != Event.OpKind.FINAL) {
        byProcess.computeIfAbsent(pair.invoke().process(), p -> new ArrayList<>()).add(pair);
      }
    }
    Map<String, Long> fencedAt = history.fencedAt();
    List<Event.FaultStart> departures = history.events().stream().filter(e -> e instanceof Event.FaultStart f
        && (f.kind() == FaultKind.KILL || f.kind() == FaultKind.RESTART || f.kind() == FaultKind.PAUSE_LONG))
        .map(Event.FaultStart.class::cast).toList();
    long pending = 0;
    for (History.Pair pair : pairs) {
      if (pair.pending()) {
        pending++;
        if (pair.invoke().time() < end - boundNanos && !gone(departures, fencedAt, pair.invoke())) {
          violations.add(new Violation("hang", "p" + pair.invoke().process() + "@" + pair.invoke().member() + " "
              + pair.invoke().f() + " " + pair.invoke().resource() + " invoked at " + pair.invoke().time()
              + " never completed (history ends at " + end + ")", pair.evidence()));
        }
      }
    }
    if (end < quiet + boundNanos) {
      violations.add(new Violation("too-short", "the history ends at " + end + ", before the last fault end "
          + quiet + " plus the bound " + boundNanos + ": progress after the faults cannot be shown", List.of()));
    } else {
      final long q = quiet;
      for (Map.Entry<Integer, List<History.Pair>> entry : byProcess.entrySet()) {
        List<History.Pair> ops = entry.getValue();
        boolean active = ops.stream().anyMatch(p -> p.invoke().time() > q || p.pending()
            || p.completion().time() > q);
        if (!active || ops.stream().anyMatch(p -> p.pending() && gone(departures, fencedAt, p.invoke()))) {
          continue;
        }
        // A process that began after the faults (a client's next process after an indeterminate
        // operation, or a restarted member's client) gets the bound from its own first operation.
        long from = Math.max(q, ops.get(0).invoke().time());
        if (end < from + boundNanos) {
          continue; // too little history after it began to judge it
        }
        boolean progressed = ops.stream().anyMatch(p -> p.ok() && p.completion().time() > q
            && p.completion().time() <= from + boundNanos);
        if (!progressed) {
          History.Pair last = ops.get(ops.size() - 1);
          violations.add(new Violation("no-progress", "p" + entry.getKey() + "@" + last.invoke().member()
              + " completed nothing within " + boundNanos + " ns after the faults stopped at " + q,
              last.evidence()));
        }
      }
    }
    return new CheckResult(name(), violations, Map.of("pending-at-end", pending, "quiet-since", quiet));
  }

  /**
   * The op's member was killed, restarted or paused past the bound after the op was invoked, or its
   * incarnation was fenced at any time: a fenced incarnation's requests (also those a zombie makes
   * after it was fenced, before it learns so and exits) are not the cluster's to complete.
   */
  private static boolean gone(List<Event.FaultStart> departures, Map<String, Long> fencedAt, Event.Op op) {
    return fencedAt.containsKey(op.member() + "#" + op.incarnation())
        || departures.stream().anyMatch(f -> f.time() >= op.time() && f.targets().contains(op.member()));
  }
}
