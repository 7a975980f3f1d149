package org.jdlm.fencing.core;

import org.jdlm.common.wire.WireMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The decisions of the fencing authority, as an event-sourced value: which incarnation of which
 * member was fenced, which incarnations are admitted, and the cluster-wide generation from which
 * fencing tokens and lockspace generations are built.
 *
 * <p>Why these rules:
 * <ul>
 *   <li><b>A fenced incarnation never comes back.</b> After fencing, survivors have purged its locks
 *       and granted them to others; if that process (say, resumed after SIGSTOP) could rejoin with
 *       its old identity, it would act on locks it no longer holds. A restarted process has a new
 *       incarnation (Pekko's UniqueAddress uid) and is admitted.</li>
 *   <li><b>The generation only grows</b>, across failures, recoveries and restarts of every member,
 *       because it is persisted and every advance is an event. A fencing token
 *       {@code (generation, counter)} issued after a recovery therefore compares greater than any
 *       token issued before it, whichever node masters the resource now (style rule 9).</li>
 * </ul>
 *
 * <p>Commands return the events to persist plus a reply; {@link #apply} folds an event into a new
 * ledger. The persistent actor calls the command, persists the events, then applies them.
 */
public final class FencingLedger {

  /** Events persisted by the authority. */
  public sealed interface Event extends WireMessage {}

  /** An incarnation of {@code node} was admitted as a member. */
  public record IncarnationAdmitted(String node, long incarnation) implements Event {}

  /** {@code node}'s incarnation was fenced by {@code agent} at {@code atMillis} (wall clock of the recorder). */
  public record IncarnationFenced(String node, long incarnation, String agent, long atMillis) implements Event {}

  /** The generation moved to {@code generation}; {@code reason} says which change caused it. */
  public record GenerationAdvanced(long generation, String reason) implements Event {}

  /** Outcome of a command: events to persist (possibly none) and the answer for the caller. */
  public record Decision<R>(List<Event> events, R reply) {}

  /** Answer to {@link #admit}. */
  public sealed interface Admission extends WireMessage {}

  /** The incarnation may join. */
  public record Admitted(String node, long incarnation) implements Admission {}

  /** The incarnation was fenced earlier and may never join again. */
  public record RefusedFenced(String node, long incarnation, String agent) implements Admission {}

  private final long generation;
  private final Map<String, Set<Long>> admitted;
  private final Map<String, Map<Long, String>> fencedBy;

  private FencingLedger(long generation, Map<String, Set<Long>> admitted, Map<String, Map<Long, String>> fencedBy) {
    this.generation = generation;
    this.admitted = admitted;
    this.fencedBy = fencedBy;
  }

  /** The ledger before any event: generation 0, nobody admitted or fenced. */
  public static FencingLedger empty() {
    return new FencingLedger(0, Map.of(), Map.of());
  }

  public long generation() {
    return generation;
  }

  public boolean isFenced(String node, long incarnation) {
    return fencedBy.getOrDefault(node, Map.of()).containsKey(incarnation);
  }

  /** Every fenced incarnation per node, with the agent that fenced it (immutable, for status). */
  public Map<String, Map<Long, String>> fenced() {
    return fencedBy;
  }

  /** Every admitted incarnation per node (immutable, for status). */
  public Map<String, Set<Long>> admitted() {
    return admitted;
  }

  public boolean isAdmitted(String node, long incarnation) {
    return admitted.getOrDefault(node, Set.of()).contains(incarnation);
  }

  /** A member incarnation asks to join. Idempotent: admitting twice persists nothing new. */
  public Decision<Admission> admit(String node, long incarnation) {
    Objects.requireNonNull(node, "node");
    String agent = fencedBy.getOrDefault(node, Map.of()).get(incarnation);
    if (agent != null) {
      return new Decision<>(List.of(), new RefusedFenced(node, incarnation, agent));
    }
    List<Event> events = isAdmitted(node, incarnation)
        ? List.of() : List.of(new IncarnationAdmitted(node, incarnation));
    return new Decision<>(events, new Admitted(node, incarnation));
  }

  /**
   * Records that {@code agent} fenced the incarnation, and advances the generation so that every
   * token issued after recovery outranks the fenced member's. Fencing the same incarnation again
   * (a second agent, a retry) records nothing and answers the generation already in force.
   */
  public Decision<Long> recordFenced(String node, long incarnation, String agent, long atMillis) {
    if (isFenced(node, incarnation)) {
      return new Decision<>(List.of(), generation);
    }
    long next = generation + 1;
    return new Decision<>(List.of(
        new IncarnationFenced(node, incarnation, agent, atMillis),
        new GenerationAdvanced(next, "fenced " + node + "#" + incarnation + " by " + agent)), next);
  }

  /** Advances the generation for a membership change that needs no fencing (join, clean leave). */
  public Decision<Long> advance(String reason) {
    long next = generation + 1;
    return new Decision<>(List.of(new GenerationAdvanced(next, reason)), next);
  }

  /** Folds one persisted event in. Throws on an event that would break monotonicity (a bug). */
  public FencingLedger apply(Event event) {
    if (event instanceof IncarnationAdmitted a) {
      Map<String, Set<Long>> next = copy(admitted);
      next.computeIfAbsent(a.node(), k -> new HashSet<>()).add(a.incarnation());
      return new FencingLedger(generation, freeze(next), fencedBy);
    }
    if (event instanceof IncarnationFenced f) {
      Map<String, Map<Long, String>> next = new HashMap<>();
      fencedBy.forEach((k, v) -> next.put(k, new HashMap<>(v)));
      next.computeIfAbsent(f.node(), k -> new HashMap<>()).put(f.incarnation(), f.agent());
      Map<String, Map<Long, String>> frozen = new HashMap<>();
      next.forEach((k, v) -> frozen.put(k, Map.copyOf(v)));
      return new FencingLedger(generation, admitted, Map.copyOf(frozen));
    }
    if (event instanceof GenerationAdvanced g) {
      if (g.generation() <= generation) {
        throw new IllegalStateException("generation must grow: " + generation + " -> " + g.generation());
      }
      return new FencingLedger(g.generation(), admitted, fencedBy);
    }
    throw new IllegalArgumentException("unknown event " + event);
  }

  /** Folds a whole journal (recovery of the persistent actor). */
  public static FencingLedger replay(List<? extends Event> events) {
    FencingLedger ledger = empty();
    for (Event e : events) {
      ledger = ledger.apply(e);
    }
    return ledger;
  }

  private static Map<String, Set<Long>> copy(Map<String, Set<Long>> m) {
    Map<String, Set<Long>> out = new HashMap<>();
    m.forEach((k, v) -> out.put(k, new HashSet<>(v)));
    return out;
  }

  private static Map<String, Set<Long>> freeze(Map<String, Set<Long>> m) {
    Map<String, Set<Long>> out = new HashMap<>();
    m.forEach((k, v) -> out.put(k, Set.copyOf(v)));
    return Map.copyOf(out);
  }

  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    fencedBy.forEach((n, m) -> m.forEach((inc, agent) -> parts.add(n + "#" + inc + " by " + agent)));
    return "FencingLedger{generation=" + generation + ", fenced=" + parts + ", admitted=" + admitted + "}";
  }
}
