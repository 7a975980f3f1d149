package org.jdlm.scenario.chaos.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.jdlm.dlm.core.FencingToken;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.scenario.chaos.core.Event.OpKind;
import org.jdlm.scenario.chaos.core.Event.Type;

/**
 * Histories of a correct sequential model pass every checker; the same histories with one fault
 * put in (two holders at once, a lost increment, a token going back) are caught by the checker
 * meant for it.
 */
class CheckerProperties {

  @Property(tries = 300)
  void correctModelPassesEveryChecker(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int processes,
      @ForAll @IntRange(min = 1, max = 400) int steps) {
    History history = new SequentialModel(seed, false).run(processes, steps);
    long bound = Math.max(1, history.endTime());
    for (CheckResult result : Checkers.run(history, bound)) {
      assertThat(result.violations()).as(result.checker()).isEmpty();
    }
  }

  @Property(tries = 300)
  void doubleGrantIsCaught(@ForAll long seed, @ForAll @IntRange(min = 2, max = 6) int processes,
      @ForAll @IntRange(min = 50, max = 400) int steps) {
    SequentialModel model = new SequentialModel(seed, true);
    History history = model.run(processes, steps);
    Assume.that(exOverlapObserved(history));
    assertThat(new ExclusionChecker().check(history).rules()).contains("overlap");
  }

  @Property(tries = 300)
  void lostIncrementIsCaught(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int processes,
      @ForAll @IntRange(min = 50, max = 400) int steps) {
    History history = new SequentialModel(seed, false).run(processes, steps);
    // Make one acknowledged increment after the first read one lower than it was: an update lost.
    List<Event> events = new ArrayList<>(history.events());
    Optional<Integer> victim = indexOf(events, e -> e instanceof Event.Op op && op.f() == OpKind.INCREMENT
        && op.type() == Type.OK && op.value() > 0);
    Assume.that(victim.isPresent());
    Event.Op op = (Event.Op) events.get(victim.get());
    events.set(victim.get(), op.withValue(op.value() - 1));
    assertThat(new LvbCounterChecker().check(new History(events)).rules()).contains("lost-increment");
  }

  @Property(tries = 300)
  void lostRegisterUpdateIsCaught(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int processes,
      @ForAll @IntRange(min = 50, max = 400) int steps) {
    History history = new SequentialModel(seed, false).run(processes, steps);
    List<Event> events = new ArrayList<>(history.events());
    Optional<Integer> last = indexOf(events, e -> e instanceof Event.Op op && op.f() == OpKind.FINAL
        && op.resource().startsWith("reg-") && op.value() > 0);
    Assume.that(last.isPresent());
    Event.Op op = (Event.Op) events.get(last.get());
    events.set(last.get(), op.withValue(op.value() - 1));
    assertThat(new FencedRegisterChecker().check(new History(events)).rules()).contains("lost-update");
  }

  @Property(tries = 300)
  void tokenGoingBackIsCaught(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int processes,
      @ForAll @IntRange(min = 50, max = 400) int steps) {
    History history = new SequentialModel(seed, false).run(processes, steps);
    List<Event> events = new ArrayList<>(history.events());
    // The last EX grant of some resource gets the token of that resource's first grant.
    Optional<Integer> last = lastIndexOf(events, e -> e instanceof Event.Op op && op.f() == OpKind.ACQUIRE
        && op.type() == Type.OK && op.mode() == LockMode.EX && op.token().counter() > 1);
    Assume.that(last.isPresent());
    Event.Op op = (Event.Op) events.get(last.get());
    events.set(last.get(), op.withToken(new FencingToken(1, 1)));
    assertThat(new TokenMonotonicChecker().check(new History(events)).rules()).contains("token-back");
  }

  /** Ground truth: some EX grant's ok came while another EX holder of the resource had not released. */
  private static boolean exOverlapObserved(History history) {
    java.util.Map<String, Integer> holder = new java.util.HashMap<>();
    for (Event.Op op : history.ops()) {
      if (op.f() == OpKind.ACQUIRE && op.type() == Type.OK && op.mode() == LockMode.EX) {
        if (holder.containsKey(op.resource())) {
          return true;
        }
        holder.put(op.resource(), op.process());
      } else if (op.f() == OpKind.RELEASE && op.type() == Type.INVOKE
          && Integer.valueOf(op.process()).equals(holder.get(op.resource()))) {
        holder.remove(op.resource());
      }
    }
    return false;
  }

  private static Optional<Integer> indexOf(List<Event> events, java.util.function.Predicate<Event> p) {
    for (int i = 0; i < events.size(); i++) {
      if (p.test(events.get(i))) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }

  private static Optional<Integer> lastIndexOf(List<Event> events, java.util.function.Predicate<Event> p) {
    for (int i = events.size() - 1; i >= 0; i--) {
      if (p.test(events.get(i))) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }
}
