package org.jdlm.scenario.chaos.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;
import org.jdlm.dlm.core.LockMode;

/**
 * Fencing tokens per resource never go back, also across restarts of the whole cluster (issue 12;
 * style rule 9). Grant A of a resource certainly precedes grant B when A's ok came before B's
 * invoke; and, when either is EX, also when A's release was invoked before B's ok (an EX grant
 * excludes the other: had B been granted first, A's grant, and so its ok, would come after B's
 * release, which is after B's ok). Between two PR grants the second ordering proves nothing: B may
 * have been granted long before its callback arrived (seen on the real DLM). Then B's token is at
 * least A's, and strictly greater when either is EX: an EX grant comes from the free state, and
 * every grant from the free state carries a new token. Grants not so ordered are concurrent and not
 * compared. Faults and restarts in between change nothing: the generation comes from the
 * persistent fencing authority.
 */
public final class TokenMonotonicChecker implements Checker {

  @Override
  public String name() {
    return "token-monotonic";
  }

  /** A granted acquire and the time its holder invoked the release (MAX_VALUE: never). */
  private record Grant(History.Pair pair, long releasedAt) {
    Event.Op ok() {
      return pair.completion();
    }

    boolean ex() {
      return pair.invoke().mode() == LockMode.EX;
    }
  }

  @Override
  public CheckResult check(History history) {
    List<History.Pair> pairs = history.pairs();
    Map<Event.Op, Event.Op> releases = history.releases();
    Map<String, List<Grant>> grants = new TreeMap<>();
    for (History.Pair pair : pairs) {
      if (pair.invoke().f() == Event.OpKind.ACQUIRE && pair.ok()) {
        if (pair.completion().token() == null) {
          throw new IllegalArgumentException("granted acquire " + pair.completion() + " has no fencing token");
        }
        grants.computeIfAbsent(pair.invoke().resource(), r -> new ArrayList<>())
            .add(new Grant(pair, releases.containsKey(pair.completion())
                ? releases.get(pair.completion()).time() : Long.MAX_VALUE));
      }
    }
    List<Violation> violations = new ArrayList<>();
    long count = 0;
    for (List<Grant> list : grants.values()) {
      count += list.size();
      Map<Grant, Grant[]> before = new HashMap<>();
      sweep(list, g -> g.ok().time(), g -> g.pair().invoke().time(), before, false);
      sweep(list, Grant::releasedAt, g -> g.ok().time(), before, true);
      for (Grant b : list) {
        Grant[] max = before.get(b);
        if (max == null || max[0] == null) {
          continue;
        }
        int cmp = b.ok().token().compareTo(max[0].ok().token());
        Grant a = max[0];
        if (cmp == 0 && !b.ex()) {
          // Equal to the greatest: only wrong if an EX grant carried that token.
          a = max[1] != null && max[1].ok().token().compareTo(b.ok().token()) == 0 ? max[1] : null;
        }
        if (cmp < 0 || (cmp == 0 && a != null)) {
          List<Event> evidence = new ArrayList<>(a.pair().evidence());
          evidence.addAll(b.pair().evidence());
          violations.add(new Violation("token-back", "grant of " + b.pair().invoke().resource() + " to p"
              + b.pair().invoke().process() + " carries token " + b.ok().token() + ", not newer than "
              + a.ok().token() + " of an earlier grant to p" + a.pair().invoke().process(), evidence));
        }
      }
    }
    return new CheckResult(name(), violations, Map.of("grants", count));
  }

  /**
   * For each B, the greatest-token grant (and greatest-token EX grant) among the A with
   * {@code aTime(A) < bTime(B)}, merged into {@code before}; with {@code onlyWithEx}, a PR B
   * counts only EX grants as before it.
   */
  private static void sweep(List<Grant> list, ToLongFunction<Grant> aTime, ToLongFunction<Grant> bTime,
      Map<Grant, Grant[]> before, boolean onlyWithEx) {
    List<Grant> as = new ArrayList<>(list);
    as.sort(Comparator.comparingLong(aTime));
    List<Grant> bs = new ArrayList<>(list);
    bs.sort(Comparator.comparingLong(bTime));
    int next = 0;
    Grant max = null;
    Grant maxEx = null;
    for (Grant b : bs) {
      while (next < as.size() && aTime.applyAsLong(as.get(next)) < bTime.applyAsLong(b)) {
        Grant a = as.get(next++);
        if (max == null || a.ok().token().compareTo(max.ok().token()) > 0) {
          max = a;
        }
        if (a.ex() && (maxEx == null || a.ok().token().compareTo(maxEx.ok().token()) > 0)) {
          maxEx = a;
        }
      }
      Grant greatest = onlyWithEx && !b.ex() ? maxEx : max; // a PR B is ordered only after EX grants here
      if (greatest == null) {
        continue;
      }
      Grant[] known = before.computeIfAbsent(b, k -> new Grant[2]);
      if (known[0] == null || greatest.ok().token().compareTo(known[0].ok().token()) > 0) {
        known[0] = greatest;
      }
      if (maxEx != null && (known[1] == null || maxEx.ok().token().compareTo(known[1].ok().token()) > 0)) {
        known[1] = maxEx;
      }
    }
  }
}
