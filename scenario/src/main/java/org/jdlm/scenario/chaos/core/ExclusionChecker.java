package org.jdlm.scenario.chaos.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdlm.dlm.core.LockMode;

/**
 * No two client-observed EX intervals on one resource overlap, unless the earlier holder's
 * incarnation was fenced before the later grant (issue 12).
 *
 * <p>Conservative, so it never reports what did not certainly happen: an interval is certainly
 * held from its acquire's ok to its release's <em>invoke</em> (the unlock may take effect any time
 * after that). With no release the interval runs to the end of the history, or to a kill/restart
 * of its member, or to its incarnation's fencing. An acquire that ended in info is ignored: it
 * may never have been granted.
 */
public final class ExclusionChecker implements Checker {

  @Override
  public String name() {
    return "exclusion";
  }

  private record Interval(Event.Op grant, Event.Op release, long start, long end) {}

  @Override
  public CheckResult check(History history) {
    // The earliest moment of each fencing: a holder that may already have been fenced is excused.
    Map<String, Long> fencedAt = history.fencedNoSoonerThan();
    Map<String, List<Interval>> byResource = new TreeMap<>();
    List<History.Pair> pairs = history.pairs();
    Map<Event.Op, Event.Op> releases = history.releases();
    List<Event.FaultStart> deaths = history.events().stream().filter(e -> e instanceof Event.FaultStart f
        && (f.kind() == FaultKind.KILL || f.kind() == FaultKind.RESTART)).map(Event.FaultStart.class::cast).toList();
    long checked = 0;
    for (History.Pair pair : pairs) {
      Event.Op invoke = pair.invoke();
      if (invoke.f() != Event.OpKind.ACQUIRE || invoke.mode() != LockMode.EX || !pair.ok()) {
        continue;
      }
      checked++;
      Event.Op grant = pair.completion();
      Event.Op release = releases.get(grant);
      long end = release != null ? release.time() : deathAfter(deaths, grant, fencedAt);
      byResource.computeIfAbsent(invoke.resource(), r -> new ArrayList<>())
          .add(new Interval(grant, release, grant.time(), end));
    }
    List<Violation> violations = new ArrayList<>();
    for (List<Interval> intervals : byResource.values()) {
      intervals.sort(Comparator.comparingLong(Interval::start));
      List<Interval> open = new ArrayList<>();
      for (Interval later : intervals) {
        open.removeIf(earlier -> earlier.end() <= later.start());
        for (Interval earlier : open) {
          Long fenced = fencedAt.get(earlier.grant().member() + "#" + earlier.grant().incarnation());
          if (fenced != null && fenced < later.start()) {
            continue; // the earlier holder was fenced first: its lock was no longer its to use
          }
          List<Event> evidence = new ArrayList<>(List.of(earlier.grant()));
          if (earlier.release() != null) {
            evidence.add(earlier.release());
          }
          evidence.add(later.grant());
          violations.add(new Violation("overlap", "EX on " + later.grant().resource() + " granted to p"
              + later.grant().process() + "@" + later.grant().member() + " at " + later.start()
              + " while p" + earlier.grant().process() + "@" + earlier.grant().member() + " held it since "
              + earlier.start() + (earlier.release() == null ? " (never released)"
                  : " until its release at " + earlier.end()) + ", and was not fenced", evidence));
        }
        open.add(later);
      }
    }
    return new CheckResult(name(), violations, Map.of("ex-grants", checked));
  }

  /** When the holder certainly stopped using the lock without releasing it: killed, or fenced. */
  static long deathAfter(List<Event.FaultStart> deaths, Event.Op op, Map<String, Long> fencedAt) {
    long end = Long.MAX_VALUE;
    Long fenced = fencedAt.get(op.member() + "#" + op.incarnation());
    if (fenced != null && fenced >= op.time()) {
      end = fenced;
    }
    for (Event.FaultStart f : deaths) {
      if (f.time() >= op.time() && f.time() < end && f.targets().contains(op.member())) {
        end = f.time();
      }
    }
    return end;
  }
}
