package org.jdlm.scenario.chaos.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The value-block counter of the lvb-counter workload loses nothing, except where the grant
 * reported VALNOTVALID (docs/semantics.md §4: recovery could not vouch for the value), and then
 * the loss is counted, not hidden (issue 12).
 *
 * <p>Each increment reads {@code v} under EX and writes {@code v + 1} at its unlock. Increments
 * are put in grant order by their fencing token (EX grants of one resource carry strictly
 * growing tokens), not by completion time, which callback threads can reorder. Walking that
 * order keeps the range [lo, hi] the counter can hold: an acknowledged increment must read a value
 * in it ({@code lost-increment} below, {@code phantom-increment} above), then the range becomes
 * its value + 1; an indeterminate (info) one that read {@code v} leaves [v, v + 1]; one whose
 * grant itself is unknown widens hi by one for everything invoked after it. A read out of range
 * with VALNOTVALID adds {@code lo - v} to {@code lost-under-valnotvalid} instead. The harness's
 * final read must lie in the range at the end.
 */
public final class LvbCounterChecker implements Checker {

  @Override
  public String name() {
    return "lvb-counter";
  }

  @Override
  public CheckResult check(History history) {
    Map<String, List<History.Pair>> byCounter = new TreeMap<>();
    Map<String, Event.Op> finals = new TreeMap<>();
    for (History.Pair pair : history.pairs()) {
      if (pair.invoke().f() == Event.OpKind.INCREMENT) {
        byCounter.computeIfAbsent(pair.invoke().resource(), r -> new ArrayList<>()).add(pair);
      } else if (pair.invoke().f() == Event.OpKind.FINAL) {
        finals.put(pair.invoke().resource(), pair.invoke());
      }
    }
    List<Violation> violations = new ArrayList<>();
    long acked = 0;
    long lostUnderValNotValid = 0;
    long valNotValidReports = 0;
    for (Map.Entry<String, List<History.Pair>> entry : byCounter.entrySet()) {
      List<History.Pair> granted = new ArrayList<>();
      List<History.Pair> floating = new ArrayList<>(); // info with no known grant: may have added one
      for (History.Pair pair : entry.getValue()) {
        Event.Op done = pair.completion();
        if (done == null || done.type() == Event.Type.INFO) {
          if (done != null && done.token() != null && done.value() != null) {
            granted.add(pair);
          } else {
            floating.add(pair);
          }
        } else if (done.type() == Event.Type.OK) {
          if (done.token() == null || done.value() == null) {
            throw new IllegalArgumentException("acknowledged increment " + done + " lacks its token or value read");
          }
          granted.add(pair);
        }
      }
      granted.sort(Comparator.comparing((History.Pair p) -> p.completion().token())
          .thenComparingLong(p -> p.completion().time()));
      long lo = 0;
      long hi = 0;
      History.Pair previous = null;
      for (History.Pair pair : granted) {
        Event.Op done = pair.completion();
        long widen = floating.stream().filter(f -> f.invoke().time() < done.time()).count();
        long v = done.value();
        if (done.valNotValid()) {
          valNotValidReports++;
        }
        if (v < lo || v > hi + widen) {
          if (done.valNotValid()) {
            lostUnderValNotValid += Math.max(0, lo - v);
          } else {
            List<Event> evidence = new ArrayList<>();
            if (previous != null) {
              evidence.addAll(previous.evidence());
            }
            evidence.addAll(pair.evidence());
            violations.add(new Violation(v < lo ? "lost-increment" : "phantom-increment", "counter "
                + entry.getKey() + " read " + v + " under token " + done.token() + " but it must have been in ["
                + lo + ", " + (hi + widen) + "]", evidence));
          }
        }
        if (done.type() == Event.Type.OK) {
          acked++;
          lo = v + 1;
          hi = v + 1;
        } else {
          lo = v;
          hi = v + 1;
        }
        previous = pair;
      }
      Event.Op last = finals.get(entry.getKey());
      if (last != null && last.value() != null) {
        long widen = floating.size();
        long v = last.value();
        if (last.valNotValid()) {
          valNotValidReports++;
        }
        if (v < lo || v > hi + widen) {
          if (last.valNotValid()) {
            lostUnderValNotValid += Math.max(0, lo - v);
          } else {
            violations.add(new Violation(v < lo ? "lost-increment" : "phantom-increment", "counter "
                + entry.getKey() + " ends at " + v + " but must be in [" + lo + ", " + (hi + widen) + "]",
                previous == null ? List.of(last) : concat(previous.evidence(), last)));
          }
        }
      }
    }
    return new CheckResult(name(), violations, Map.of("acknowledged-increments", acked,
        "valnotvalid-reports", valNotValidReports, "lost-under-valnotvalid", lostUnderValNotValid));
  }

  private static List<Event> concat(List<Event> events, Event last) {
    List<Event> all = new ArrayList<>(events);
    all.add(last);
    return all;
  }
}
