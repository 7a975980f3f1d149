package org.jdlm.scenario.chaos;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
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
  private final AtomicInteger processes = new AtomicInteger();

  public Recorder(LongSupplier nanos, Clock wall) {
    this.nanos = nanos;
    this.wall = wall;
    this.origin = nanos.getAsLong();
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
    events.add(event);
    return event;
  }

  /** The history so far. */
  public synchronized History history() {
    return new History(events);
  }
}
