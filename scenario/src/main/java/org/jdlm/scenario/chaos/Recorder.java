package org.jdlm.scenario.chaos;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jdlm.scenario.chaos.core.Event;
import org.jdlm.scenario.chaos.core.History;

/**
 * Collects a run's events from every client thread, stamping them with the run's one monotonic
 * clock (nanoseconds since the recorder was made) and the wall clock. Also hands out process ids,
 * unique in the run.
 */
public final class Recorder {

  private final LongSupplier nanos;
  private final Clock wall;
  private final long origin;
  private final List<Event> events = new ArrayList<>();
  private final AtomicInteger processes;
  private final Consumer<Event> sink;
  private final boolean keep;

  public Recorder(LongSupplier nanos, Clock wall) {
    this(nanos, wall, nanos.getAsLong(), 0, e -> { }, true);
  }

  /**
   * A recorder that is one part of a run spread over several processes (a chaos run on member
   * JVMs): times are {@code nanos} minus the run's {@code origin}, given by the collector and
   * comparable only because every part reads the same clock (docs/chaos.md, "One clock"); process
   * ids start after {@code processBase}, which the collector makes unique per part; every event
   * goes to {@code sink} as it is recorded, and is also kept in memory only if {@code keep}.
   */
  public Recorder(LongSupplier nanos, Clock wall, long origin, int processBase, Consumer<Event> sink, boolean keep) {
    this.nanos = nanos;
    this.wall = wall;
    this.origin = origin;
    this.processes = new AtomicInteger(processBase);
    this.sink = sink;
    this.keep = keep;
  }

  /** A recorder on the JVM's monotonic clock and the system wall clock. */
  public static Recorder system() {
    return new Recorder(System::nanoTime, Clock.systemUTC());
  }

  /** Nanoseconds since the start of the run. */
  public long now() {
    return nanos.getAsLong() - origin;
  }

  public long wall() {
    return wall.millis();
  }

  /** A fresh process id (a client, or a client after an indeterminate operation). */
  public int newProcess() {
    return processes.incrementAndGet();
  }

  /** Records {@code event}; returns it. */
  public synchronized <E extends Event> E record(E event) {
    if (keep) {
      events.add(event);
    }
    sink.accept(event);
    return event;
  }

  /** The history so far. */
  public synchronized History history() {
    return new History(events);
  }
}
