package org.jdlm.scenario.chaos.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdlm.dlm.core.FencingToken;

/**
 * The shared-disk register of the mutex workload (issue 12):
 * <ol>
 *   <li>{@code token-not-increasing}: an accepted write invoked after another accepted write
 *       completed carries a strictly greater token, or the same token from the same process (the
 *       same grant writing again). Real-time order, so concurrent writes are not compared;</li>
 *   <li>{@code write-from-fenced}: no write invoked after its incarnation was fenced is accepted;</li>
 *   <li>{@code write-without-token}: no write is accepted without a token;</li>
 *   <li>{@code lost-update} / {@code phantom-update}: the final value read by the harness lies in
 *       [acknowledged increments, acknowledged + indeterminate (info) increments].</li>
 * </ol>
 * Writes with {@code parts} (the rw workload) get rules 1–3 only.
 */
public final class FencedRegisterChecker implements Checker {

  @Override
  public String name() {
    return "fenced-register";
  }

  @Override
  public CheckResult check(History history) {
    Map<String, Long> fencedAt = history.fencedAt();
    Map<String, List<History.Pair>> writes = new TreeMap<>();
    Map<String, Event.Op> finals = new TreeMap<>();
    for (History.Pair pair : history.pairs()) {
      if (pair.invoke().f() == Event.OpKind.WRITE) {
        writes.computeIfAbsent(pair.invoke().resource(), r -> new ArrayList<>()).add(pair);
      } else if (pair.invoke().f() == Event.OpKind.FINAL) {
        finals.put(pair.invoke().resource(), pair.invoke());
      }
    }
    List<Violation> violations = new ArrayList<>();
    long accepted = 0;
    long rejected = 0;
    for (Map.Entry<String, List<History.Pair>> entry : writes.entrySet()) {
      List<History.Pair> acceptedWrites = entry.getValue().stream().filter(History.Pair::ok).toList();
      accepted += acceptedWrites.size();
      rejected += entry.getValue().stream()
          .filter(p -> p.completion() != null && p.completion().type() == Event.Type.FAIL).count();
      checkTokens(acceptedWrites, fencedAt, violations);
      checkCount(entry.getKey(), entry.getValue(), finals.get(entry.getKey()), violations);
    }
    return new CheckResult(name(), violations, Map.of("accepted-writes", accepted, "rejected-writes", rejected));
  }

  private static void checkTokens(List<History.Pair> accepted, Map<String, Long> fencedAt,
      List<Violation> violations) {
    List<History.Pair> byCompletion = new ArrayList<>(accepted);
    byCompletion.sort(Comparator.comparingLong(p -> p.completion().time()));
    List<History.Pair> byInvoke = new ArrayList<>(accepted);
    byInvoke.sort(Comparator.comparingLong(p -> p.invoke().time()));
    int next = 0;
    History.Pair newest = null; // the completed write with the greatest token so far
    for (History.Pair write : byInvoke) {
      Event.Op op = write.invoke();
      while (next < byCompletion.size() && byCompletion.get(next).completion().time() < op.time()) {
        History.Pair done = byCompletion.get(next++);
        if (done.invoke().token() != null && (newest == null
            || done.invoke().token().compareTo(newest.invoke().token()) >= 0)) {
          newest = done;
        }
      }
      FencingToken token = op.token();
      if (token == null) {
        violations.add(new Violation("write-without-token", "write to " + op.resource() + " by p" + op.process()
            + " was accepted without a fencing token", write.evidence()));
        continue;
      }
      Long fenced = fencedAt.get(op.member() + "#" + op.incarnation());
      if (fenced != null && fenced < op.time()) {
        List<Event> evidence = new ArrayList<>(write.evidence());
        evidence.add(0, new Event.Fenced(fenced, 0, op.member(), op.incarnation()));
        violations.add(new Violation("write-from-fenced", "write to " + op.resource() + " with token " + token
            + " by " + op.member() + "#" + op.incarnation() + " was accepted although that incarnation was fenced at "
            + fenced, evidence));
      }
      if (newest != null) {
        FencingToken before = newest.invoke().token();
        int cmp = token.compareTo(before);
        boolean sameGrant = cmp == 0 && newest.invoke().process() == op.process();
        if (cmp < 0 || (cmp == 0 && !sameGrant)) {
          List<Event> evidence = new ArrayList<>(newest.evidence());
          evidence.addAll(write.evidence());
          violations.add(new Violation("token-not-increasing", "write to " + op.resource() + " with token " + token
              + " was accepted after a write with token " + before + " had been accepted", evidence));
        }
      }
    }
  }

  private static void checkCount(String register, List<History.Pair> writes, Event.Op last,
      List<Violation> violations) {
    if (last == null || last.value() == null || writes.stream().anyMatch(p -> p.invoke().value() == null)) {
      return; // no final read, or a multi-part register: no count to compare
    }
    long acked = writes.stream().filter(History.Pair::ok).count();
    long unknown = writes.stream().filter(p -> p.info() || p.pending()).count();
    long value = last.value();
    if (value < acked) {
      violations.add(new Violation("lost-update", "register " + register + " ends at " + value + " but "
          + acked + " increments were acknowledged", List.of(last)));
    } else if (value > acked + unknown) {
      violations.add(new Violation("phantom-update", "register " + register + " ends at " + value
          + " but at most " + (acked + unknown) + " increments can have taken effect (" + acked + " acknowledged, "
          + unknown + " indeterminate)", List.of(last)));
    }
  }
}
