package org.jdlm.scenario.chaos.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdlm.dlm.core.LockMode;

/**
 * Fencing tokens per resource never go back, also across restarts of the whole cluster (issue 12;
 * style rule 9). For two granted acquires A and B of one resource where A's ok came before B's
 * invoke (real-time order, so concurrent grants are not compared), B's token is at least A's, and
 * strictly greater when either is EX: an EX grant comes from the free state, and every grant from
 * the free state carries a new token. Faults and restarts in between change nothing: the
 * generation comes from the persistent fencing authority.
 */
public final class TokenMonotonicChecker implements Checker {

  @Override
  public String name() {
    return "token-monotonic";
  }

  @Override
  public CheckResult check(History history) {
    Map<String, List<History.Pair>> grants = new TreeMap<>();
    for (History.Pair pair : history.pairs()) {
      if (pair.invoke().f() == Event.OpKind.ACQUIRE && pair.ok()) {
        if (pair.completion().token() == null) {
          throw new IllegalArgumentException("granted acquire " + pair.completion() + " has no fencing token");
        }
        grants.computeIfAbsent(pair.invoke().resource(), r -> new ArrayList<>()).add(pair);
      }
    }
    List<Violation> violations = new ArrayList<>();
    long count = 0;
    for (List<History.Pair> list : grants.values()) {
      count += list.size();
      // Sweep in invoke order and keep, of the grants completed before the invoke, the greatest.
      List<History.Pair> byDone = new ArrayList<>(list);
      byDone.sort((a, b) -> Long.compare(a.completion().time(), b.completion().time()));
      int next = 0;
      History.Pair max = null;
      History.Pair maxEx = null; // greatest EX grant: its token forbids equality to anything later
      for (History.Pair b : list) { // pairs() is in invoke order
        while (next < byDone.size() && byDone.get(next).completion().time() < b.invoke().time()) {
          History.Pair a = byDone.get(next++);
          if (max == null || a.completion().token().compareTo(max.completion().token()) > 0) {
            max = a;
          }
          if (a.invoke().mode() == LockMode.EX && (maxEx == null
              || a.completion().token().compareTo(maxEx.completion().token()) > 0)) {
            maxEx = a;
          }
        }
        if (max == null) {
          continue;
        }
        int cmp = b.completion().token().compareTo(max.completion().token());
        boolean strict = b.invoke().mode() == LockMode.EX
            || (maxEx != null && b.completion().token().compareTo(maxEx.completion().token()) == 0);
        if (cmp < 0 || (cmp == 0 && strict)) {
          History.Pair a = cmp == 0 && maxEx != null && b.invoke().mode() != LockMode.EX ? maxEx : max;
          List<Event> evidence = new ArrayList<>(a.evidence());
          evidence.addAll(b.evidence());
          violations.add(new Violation("token-back", "grant of " + b.invoke().resource() + " to p"
              + b.invoke().process() + " carries token " + b.completion().token() + ", not newer than "
              + a.completion().token() + " of an earlier grant to p" + a.invoke().process(), evidence));
        }
      }
    }
    return new CheckResult(name(), violations, Map.of("grants", count));
  }
}
