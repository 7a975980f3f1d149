package org.jdlm.scenario.chaos.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Readers under PR never see a half-written value (issue 12, rw workload). An EX writer writes
 * version {@code k} into every part of a multi-part value, one part at a time; a read returns the
 * parts.
 * <ul>
 *   <li>{@code torn-read}: a read's parts are not all equal;</li>
 *   <li>{@code stale-read}: a read returned a version older than one whose write completed
 *       before the read was invoked;</li>
 *   <li>{@code phantom-read}: a read returned a version nobody had started writing (0 is the
 *       initial value).</li>
 * </ul>
 * Per value, completed writes are sorted once with a running maximum, so a read costs a binary
 * search: long runs have hundreds of thousands of reads.
 */
public final class RwConsistencyChecker implements Checker {

  @Override
  public String name() {
    return "rw-consistency";
  }

  /** The writes of one value: completed ones by completion time with the newest so far, and first invokes. */
  private static final class Writes {
    final List<History.Pair> done = new ArrayList<>();
    final Map<Long, Long> firstInvoke = new HashMap<>();
    History.Pair[] newestUpTo;

    void seal() {
      done.sort(Comparator.comparingLong(p -> p.completion().time()));
      newestUpTo = new History.Pair[done.size()];
      History.Pair newest = null;
      for (int i = 0; i < done.size(); i++) {
        History.Pair w = done.get(i);
        if (newest == null || version(w) > version(newest)) {
          newest = w;
        }
        newestUpTo[i] = newest;
      }
    }

    /** The newest write completed strictly before {@code time}, or null. */
    History.Pair newestBefore(long time) {
      int lo = 0;
      int hi = done.size(); // first index with completion >= time
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (done.get(mid).completion().time() < time) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo == 0 ? null : newestUpTo[lo - 1];
    }
  }

  private static long version(History.Pair write) {
    return write.invoke().parts().get(0);
  }

  @Override
  public CheckResult check(History history) {
    List<History.Pair> pairs = history.pairs();
    Map<String, Writes> writes = new HashMap<>();
    for (History.Pair write : pairs) {
      Event.Op w = write.invoke();
      if (w.f() == Event.OpKind.WRITE && w.parts() != null && !w.parts().isEmpty()) {
        Writes of = writes.computeIfAbsent(w.resource(), r -> new Writes());
        of.firstInvoke.merge(version(write), w.time(), Math::min);
        if (write.ok()) {
          of.done.add(write);
        }
      }
    }
    writes.values().forEach(Writes::seal);
    List<Violation> violations = new ArrayList<>();
    long reads = 0;
    for (History.Pair read : pairs) {
      if (read.invoke().f() != Event.OpKind.READ || !read.ok() || read.completion().parts() == null) {
        continue;
      }
      reads++;
      Event.Op done = read.completion();
      List<Long> parts = done.parts();
      if (parts.isEmpty() || new HashSet<>(parts).size() != 1) {
        violations.add(new Violation("torn-read", "read of " + done.resource() + " saw parts " + parts
            + ": a half-written value", read.evidence()));
        continue;
      }
      long version = parts.get(0);
      Writes of = writes.getOrDefault(done.resource(), new Writes());
      if (of.newestUpTo == null) {
        of.seal();
      }
      History.Pair newestDone = of.newestBefore(read.invoke().time());
      Long started = of.firstInvoke.get(version);
      if (newestDone != null && version(newestDone) > version) {
        List<Event> evidence = new ArrayList<>(newestDone.evidence());
        evidence.addAll(read.evidence());
        violations.add(new Violation("stale-read", "read of " + done.resource() + " saw version " + version
            + " after version " + version(newestDone) + " had been written", evidence));
      } else if (version != 0 && (started == null || started >= done.time())) {
        violations.add(new Violation("phantom-read", "read of " + done.resource() + " saw version " + version
            + ", which no writer had started", read.evidence()));
      }
    }
    return new CheckResult(name(), violations, Map.of("reads", reads));
  }
}
