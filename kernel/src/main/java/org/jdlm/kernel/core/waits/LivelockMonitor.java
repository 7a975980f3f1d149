package org.jdlm.kernel.core.waits;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The progress monitor (fs-cycles §5.0, issue 11): a livelock is no static cycle, so it is seen in
 * counters. Each tracked operation names its activity counters (retries, evictions attempted,
 * messages queued), its completion counters (messages sent, pages freed), and gauges printed for
 * context (free pages). The feeding layer samples them periodically on the detector's clock; over
 * a sliding window the monitor reports
 * <pre>
 * LIVELOCK-SUSPECT id=a-2 at=n1 window=5s
 *   loop: alloc(comm buffer) -> direct reclaim -> evict -> final glock put -> dlm_unlock -> alloc(comm buffer)
 *   counters: alloc_retries=4096 unlock_msgs_queued=512 unlock_msgs_sent=0 free_pages=flat
 * </pre>
 * when, between the newest sample and the last sample at least one window older, the activity
 * counters rose by at least {@code min-activity} in total and no completion counter moved. It is
 * silent until the samples cover a whole window, and reports an episode once: after a round where
 * the condition fails (something completed, or activity fell) a new episode may be reported.
 *
 * <p>Counters printed are the rises over the window; a gauge prints {@code flat} when it did not
 * change at all in the window, else its change ({@code +12}, {@code -3}). An activity or completion
 * counter that goes down means the member restarted its counters: the history is dropped and the
 * window starts again. Not thread-safe; time comes in as arguments.
 */
public final class LivelockMonitor {

  /** What a counter means to the monitor. */
  public enum Role { ACTIVITY, COMPLETION, GAUGE }

  /** One counter of an operation, printed under {@code name}. */
  public record Counter(String name, Role role) {
    public Counter {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(role, "role");
    }
  }

  /**
   * A tracked operation. {@code loop} is the repeating causal chain as the feeding layer knows it;
   * empty lets the monitor print the activity counters that rose, in declared order, closed onto the first.
   */
  public record Operation(String name, List<Counter> counters, String loop) {
    public Operation {
      Objects.requireNonNull(name, "name");
      counters = List.copyOf(counters);
      loop = loop == null ? "" : loop;
      if (counters.stream().noneMatch(c -> c.role() == Role.ACTIVITY)
          || counters.stream().noneMatch(c -> c.role() == Role.COMPLETION)) {
        throw new IllegalArgumentException("operation " + name + " needs at least one activity and one completion counter");
      }
    }
  }

  /** {@code jdlm.kernel.detector.livelock.*}. */
  public record Settings(long windowNanos, long minActivity, int maxSamples) {
    public Settings {
      if (windowNanos <= 0) {
        throw new IllegalArgumentException("livelock window must be positive, got " + windowNanos + " ns");
      }
      if (minActivity <= 0) {
        throw new IllegalArgumentException("livelock min-activity must be positive, got " + minActivity);
      }
      if (maxSamples < 2) {
        throw new IllegalArgumentException("livelock max-samples must be at least 2, got " + maxSamples);
      }
    }
  }

  /** One report: its id, the operation, and the text block. */
  public record Report(String id, String operation, String text) {}

  private record Sample(long nanos, Map<String, Long> values) {}

  private final String member;
  private final Settings settings;
  private final List<Operation> operations;
  private final ReportIds ids;
  private final Deque<Sample> samples = new ArrayDeque<>();
  private final Set<String> inEpisode = new HashSet<>();

  public LivelockMonitor(String member, Settings settings, List<Operation> operations, ReportIds ids) {
    this.member = Objects.requireNonNull(member, "member");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.operations = List.copyOf(operations);
    this.ids = Objects.requireNonNull(ids, "ids");
  }

  /** Takes one sample of every counter at {@code nowNanos}; returns the new reports. */
  public List<Report> sample(long nowNanos, Map<String, Long> values) {
    for (Operation op : operations) {
      for (Counter c : op.counters()) {
        if (!values.containsKey(c.name())) {
          throw new IllegalArgumentException("sample at " + nowNanos + " ns lacks counter " + c.name()
              + " of operation " + op.name());
        }
      }
    }
    Sample now = new Sample(nowNanos, Map.copyOf(values));
    Sample last = samples.peekLast();
    if (last != null) {
      if (nowNanos < last.nanos()) {
        throw new IllegalArgumentException("sample at " + nowNanos + " ns is older than the previous one at "
            + last.nanos() + " ns");
      }
      if (reset(last, now)) {
        samples.clear();
        inEpisode.clear();
      }
    }
    samples.addLast(now);
    // Keep one sample at or before the window's start (the baseline) and everything after it.
    while (samples.size() > 2) {
      Iterator<Sample> it = samples.iterator();
      it.next();
      Sample second = it.next();
      if (second.nanos() <= nowNanos - settings.windowNanos()) {
        samples.removeFirst();
      } else {
        break;
      }
    }
    while (samples.size() > settings.maxSamples()) {
      // Thin the middle, never the baseline: the window stays covered, gauges lose resolution.
      Sample base = samples.removeFirst();
      samples.removeFirst();
      samples.addFirst(base);
    }
    checkInvariants();
    Sample base = samples.peekFirst();
    if (base == now || base.nanos() > nowNanos - settings.windowNanos()) {
      return List.of();
    }
    List<Report> reports = new ArrayList<>();
    for (Operation op : operations) {
      long activity = 0;
      boolean completed = false;
      for (Counter c : op.counters()) {
        long d = now.values().get(c.name()) - base.values().get(c.name());
        if (c.role() == Role.ACTIVITY) {
          activity += d;
        } else if (c.role() == Role.COMPLETION && d != 0) {
          completed = true;
        }
      }
      boolean suspect = !completed && activity >= settings.minActivity();
      if (!suspect) {
        inEpisode.remove(op.name());
      } else if (inEpisode.add(op.name())) {
        String id = ids.next();
        reports.add(new Report(id, op.name(), text(id, op, base, now)));
      }
    }
    return reports;
  }

  /** Samples in time order, at most max-samples, the newest last, and at most one at or before the window's start. */
  public void checkInvariants() {
    if (samples.size() > settings.maxSamples()) {
      throw new IllegalStateException("livelock monitor keeps " + samples.size() + " samples, more than "
          + settings.maxSamples());
    }
    long prev = Long.MIN_VALUE;
    int beforeWindow = 0;
    long newest = samples.isEmpty() ? 0 : samples.peekLast().nanos();
    for (Sample s : samples) {
      if (s.nanos() < prev) {
        throw new IllegalStateException("livelock monitor samples out of order: " + s.nanos() + " after " + prev);
      }
      prev = s.nanos();
      if (s.nanos() <= newest - settings.windowNanos()) {
        beforeWindow++;
      }
    }
    if (beforeWindow > 1) {
      throw new IllegalStateException("livelock monitor keeps " + beforeWindow + " samples before its window");
    }
  }

  private boolean reset(Sample last, Sample now) {
    for (Operation op : operations) {
      for (Counter c : op.counters()) {
        if (c.role() != Role.GAUGE && now.values().get(c.name()) < last.values().get(c.name())) {
          return true;
        }
      }
    }
    return false;
  }

  private String text(String id, Operation op, Sample base, Sample now) {
    List<String> counters = new ArrayList<>();
    List<String> rose = new ArrayList<>();
    for (Counter c : op.counters()) {
      long d = now.values().get(c.name()) - base.values().get(c.name());
      if (c.role() == Role.GAUGE) {
        boolean flat = samples.stream().allMatch(s -> s.values().get(c.name()).equals(base.values().get(c.name())));
        counters.add(c.name() + "=" + (flat ? "flat" : (d >= 0 ? "+" : "") + d));
      } else {
        counters.add(c.name() + "=" + d);
        if (c.role() == Role.ACTIVITY && d > 0) {
          rose.add(c.name());
        }
      }
    }
    String loop = op.loop();
    if (loop.isEmpty()) {
      rose.add(rose.get(0));
      loop = String.join(" -> ", rose);
    }
    return "LIVELOCK-SUSPECT id=" + id + " at=" + member + " window=" + duration(settings.windowNanos()) + "\n"
        + "  loop: " + loop + "\n"
        + "  counters: " + String.join(" ", counters) + "\n";
  }

  /** {@code 5s}, {@code 500ms}: whole seconds when exact. */
  static String duration(long nanos) {
    if (nanos % 1_000_000_000L == 0) {
      return nanos / 1_000_000_000L + "s";
    }
    return nanos / 1_000_000L + "ms";
  }
}
