package org.jdlm.scenario.chaos.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A chaos run's history: its events sorted by {@link Event#time()} (stable, so events of equal
 * time keep their recorded order).
 */
public record History(List<Event> events) {

  public History {
    List<Event> sorted = new ArrayList<>(events);
    sorted.sort(Comparator.comparingLong(Event::time));
    events = List.copyOf(sorted);
  }

  public static History of(Event... events) {
    return new History(List.of(events));
  }

  /** The client operation events, in time order. */
  public List<Event.Op> ops() {
    return events.stream().filter(Event.Op.class::isInstance).map(Event.Op.class::cast).toList();
  }

  /** The time of the last event, or 0 for an empty history. */
  public long endTime() {
    return events.isEmpty() ? 0 : events.get(events.size() - 1).time();
  }

  /**
   * Every client operation as an invoke paired with its completion (ok/fail/info), or with
   * {@code null} when the history ends before it completes. A completion without an invoke is an
   * error in the history, reported with the event.
   */
  public List<Pair> pairs() {
    Map<Integer, Event.Op> pending = new TreeMap<>();
    List<Pair> pairs = new ArrayList<>();
    for (Event.Op op : ops()) {
      if (op.type() == Event.Type.INVOKE) {
        Event.Op previous = pending.put(op.process(), op);
        if (previous != null) {
          throw new IllegalArgumentException("process " + op.process() + " invoked " + op
              + " while " + previous + " was still pending: a process runs one operation at a time");
        }
      } else if (op.f() == Event.OpKind.FINAL) {
        pairs.add(new Pair(op, op)); // the harness records a final read as a lone ok
      } else {
        Event.Op invoke = pending.remove(op.process());
        if (invoke == null) {
          throw new IllegalArgumentException("completion " + op + " has no invoke of process " + op.process());
        }
        pairs.add(new Pair(invoke, op));
      }
    }
    pending.values().forEach(invoke -> pairs.add(new Pair(invoke, null)));
    pairs.sort(Comparator.comparingLong(p -> p.invoke().time()));
    return pairs;
  }

  /** An invoke and its completion ({@code null} while pending at the end). */
  public record Pair(Event.Op invoke, Event.Op completion) {
    public boolean ok() {
      return completion != null && completion.type() == Event.Type.OK;
    }

    public boolean info() {
      return completion != null && completion.type() == Event.Type.INFO;
    }

    public boolean pending() {
      return completion == null;
    }

    /** The events that prove something about this operation. */
    public List<Event> evidence() {
      return completion == null || completion == invoke ? List.of(invoke) : List.of(invoke, completion);
    }
  }

  /**
   * For every granted acquire (its ok event), the invoke of the release its process made next on
   * that resource; absent when it never released. One pass: a process runs one operation at a time.
   */
  public Map<Event.Op, Event.Op> releases() {
    Map<Event.Op, Event.Op> releases = new java.util.IdentityHashMap<>();
    Map<String, Event.Op> held = new java.util.HashMap<>();
    for (Pair pair : pairs()) {
      Event.Op invoke = pair.invoke();
      String key = invoke.process() + "\u0000" + invoke.resource();
      if (invoke.f() == Event.OpKind.ACQUIRE && pair.ok()) {
        held.put(key, pair.completion());
      } else if (invoke.f() == Event.OpKind.RELEASE) {
        Event.Op grant = held.remove(key);
        if (grant != null) {
          releases.put(grant, invoke);
        }
      }
    }
    return releases;
  }

  /**
   * When each member incarnation ({@code member#incarnation}) was certainly fenced: its first
   * Fenced event's {@code time} (the latest moment the fencing can have happened).
   */
  public Map<String, Long> fencedAt() {
    Map<String, Long> at = new TreeMap<>();
    for (Event e : events) {
      if (e instanceof Event.Fenced f) {
        at.merge(f.member() + "#" + f.incarnation(), f.time(), Math::min);
      }
    }
    return at;
  }

  /**
   * The earliest moment each member incarnation may have been fenced ({@link Event.Fenced#earliestTime()}):
   * what a checker uses to excuse a holder, so that it never blames what may have been fenced.
   */
  public Map<String, Long> fencedNoSoonerThan() {
    Map<String, Long> at = new TreeMap<>();
    for (Event e : events) {
      if (e instanceof Event.Fenced f) {
        at.merge(f.member() + "#" + f.incarnation(), f.earliestTime(), Math::min);
      }
    }
    return at;
  }
}
