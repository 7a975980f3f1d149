package org.jdlm.scenario.chaos.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
 */
public final class RwConsistencyChecker implements Checker {

  @Override
  public String name() {
    return "rw-consistency";
  }

  @Override
  public CheckResult check(History history) {
    List<History.Pair> pairs = history.pairs();
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
      Set<Long> started = new HashSet<>(Set.of(0L));
      History.Pair newestDone = null;
      for (History.Pair write : pairs) {
        Event.Op w = write.invoke();
        if (w.f() != Event.OpKind.WRITE || !w.resource().equals(done.resource()) || w.parts() == null
            || w.parts().isEmpty()) {
          continue;
        }
        if (w.time() < done.time()) {
          started.add(w.parts().get(0));
        }
        if (write.ok() && write.completion().time() < read.invoke().time()
            && (newestDone == null || w.parts().get(0) > newestDone.invoke().parts().get(0))) {
          newestDone = write;
        }
      }
      if (newestDone != null && newestDone.invoke().parts().get(0) > version) {
        List<Event> evidence = new ArrayList<>(newestDone.evidence());
        evidence.addAll(read.evidence());
        violations.add(new Violation("stale-read", "read of " + done.resource() + " saw version " + version
            + " after version " + newestDone.invoke().parts().get(0) + " had been written", evidence));
      } else if (!started.contains(version)) {
        violations.add(new Violation("phantom-read", "read of " + done.resource() + " saw version " + version
            + ", which no writer had started", read.evidence()));
      }
    }
    return new CheckResult(name(), violations, Map.of("reads", reads));
  }
}
