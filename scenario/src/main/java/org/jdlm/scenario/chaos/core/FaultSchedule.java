package org.jdlm.scenario.chaos.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A chaos run's faults, generated from a seed, printed, and parsed back so that a printed schedule
 * replays exactly (issue 12). Members are {@code n1..nN}. At no moment are more than
 * {@link Spec#maxFaulty()} members under a fault (a minority, {@code (N-1)/2}, unless the run asks
 * for more), no member is under two faults at once, and every fault ends before the run's duration
 * so the liveness phase sees a quiet cluster.
 *
 * <pre>
 * # chaos schedule seed=42 members=5 duration=60000ms max-faulty=2 fd-bound=5000ms kinds=kill,partition
 * fault 1 at=1500ms for=3000ms kill n2
 * fault 2 at=4200ms for=6000ms partition n1,n4 one-way
 * </pre>
 */
public record FaultSchedule(Spec spec, List<Fault> faults) {

  public FaultSchedule {
    Objects.requireNonNull(spec, "spec");
    faults = List.copyOf(faults);
    checkInvariants(spec, faults);
  }

  /**
   * What to generate.
   *
   * @param seed        the random seed; the same spec gives the same schedule
   * @param members     cluster size N (members n1..nN)
   * @param durationMs  the run's length; faults end by then
   * @param maxFaulty   members under a fault at once; {@link #minority(int)} unless asked otherwise
   * @param fdBoundMs   the failure detector's bound: pause-short stays below half of it, pause-long
   *                    lasts two to three times it
   * @param meanGapMs   mean time between fault starts
   * @param kinds       the kinds to draw from
   */
  public record Spec(long seed, int members, long durationMs, int maxFaulty, long fdBoundMs, long meanGapMs,
      Set<FaultKind> kinds) {
    public Spec {
      if (members < 1) {
        throw new IllegalArgumentException("a chaos run needs at least 1 member, got " + members);
      }
      if (maxFaulty < 0 || maxFaulty > members) {
        throw new IllegalArgumentException("max-faulty " + maxFaulty + " must be in 0.." + members);
      }
      if (durationMs <= 0 || fdBoundMs <= 0 || meanGapMs <= 0) {
        throw new IllegalArgumentException("duration " + durationMs + " ms, fd-bound " + fdBoundMs
            + " ms and mean gap " + meanGapMs + " ms must all be positive");
      }
      if (kinds.isEmpty()) {
        throw new IllegalArgumentException("a chaos run needs at least one fault kind");
      }
      kinds = Set.copyOf(EnumSet.copyOf(kinds));
    }

    /** The largest minority of {@code members}: {@code (members - 1) / 2}. */
    public static int minority(int members) {
      return (members - 1) / 2;
    }
  }

  /**
   * One fault.
   *
   * @param id      1-based, in start order
   * @param atMs    start, from the run's start
   * @param forMs   how long until it is healed
   * @param targets the members hit (a partition: the side cut off from the rest)
   * @param detail  {@code both} or {@code one-way} for a partition, else {@code null}
   */
  public record Fault(int id, long atMs, long forMs, FaultKind kind, List<String> targets, String detail) {
    public Fault {
      Objects.requireNonNull(kind, "kind");
      targets = List.copyOf(targets);
      if (atMs < 0 || forMs <= 0) {
        throw new IllegalArgumentException("fault " + id + " at " + atMs + " ms for " + forMs
            + " ms: start must be >= 0 and length > 0");
      }
      if (targets.isEmpty() || new LinkedHashSet<>(targets).size() != targets.size()) {
        throw new IllegalArgumentException("fault " + id + " needs distinct targets, got " + targets);
      }
      if ((kind == FaultKind.PARTITION) != (detail != null)) {
        throw new IllegalArgumentException("fault " + id + ": a partition, and only a partition, says both or"
            + " one-way, got " + kind.label() + " with detail " + detail);
      }
      if (detail != null && !detail.equals("both") && !detail.equals("one-way")) {
        throw new IllegalArgumentException("fault " + id + ": partition direction '" + detail
            + "' must be both or one-way");
      }
    }

    public long endMs() {
      return atMs + forMs;
    }

    /** The printed line. */
    public String line() {
      return "fault " + id + " at=" + atMs + "ms for=" + forMs + "ms " + kind.label() + " "
          + String.join(",", targets) + (detail == null ? "" : " " + detail);
    }
  }

  /** Generates the schedule for {@code spec}: deterministic in the spec. */
  public static FaultSchedule generate(Spec spec) {
    SplittableRandom random = new SplittableRandom(spec.seed());
    List<FaultKind> kinds = new ArrayList<>(new TreeSet<>(spec.kinds()));
    List<Fault> faults = new ArrayList<>();
    long t = 0;
    while (true) {
      t += 1 + random.nextLong(2 * spec.meanGapMs());
      if (t >= spec.durationMs()) {
        break;
      }
      FaultKind kind = kinds.get(random.nextInt(kinds.size()));
      long length = length(kind, spec.fdBoundMs(), random);
      if (t + length > spec.durationMs()) {
        continue; // would outlast the run: the liveness phase needs every fault healed
      }
      List<String> free = new ArrayList<>();
      Set<String> busy = faultyAt(faults, t);
      for (int i = 1; i <= spec.members(); i++) {
        if (!busy.contains("n" + i)) {
          free.add("n" + i);
        }
      }
      int room = Math.min(spec.maxFaulty() - busy.size(), free.size());
      if (room <= 0) {
        continue;
      }
      // Most faults hit one member; partitions cut off up to the room left, so that both the
      // lone-member and the multi-member side are exercised.
      int count = kind == FaultKind.PARTITION ? 1 + random.nextInt(room) : 1;
      List<String> targets = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        targets.add(free.remove(random.nextInt(free.size())));
      }
      targets.sort(Comparator.comparingInt(n -> Integer.parseInt(n.substring(1))));
      String detail = kind == FaultKind.PARTITION ? (random.nextBoolean() ? "both" : "one-way") : null;
      faults.add(new Fault(faults.size() + 1, t, length, kind, targets, detail));
    }
    return new FaultSchedule(spec, faults);
  }

  private static long length(FaultKind kind, long fdBound, SplittableRandom random) {
    return switch (kind) {
      // Below half the bound, so the failure detector never suspects the member.
      case PAUSE_SHORT -> Math.max(1, fdBound / 4 + random.nextLong(Math.max(1, fdBound / 4)));
      // Two to three bounds: downed, fenced, then back as a zombie that must be refused.
      case PAUSE_LONG -> 2 * fdBound + random.nextLong(fdBound);
      case KILL, RESTART -> fdBound + random.nextLong(2 * fdBound);
      case PARTITION, SLOW -> fdBound + random.nextLong(3 * fdBound);
    };
  }

  /** Members under a fault at {@code t}. */
  static Set<String> faultyAt(List<Fault> faults, long t) {
    Set<String> busy = new TreeSet<>();
    for (Fault f : faults) {
      if (f.atMs() <= t && t < f.endMs()) {
        busy.addAll(f.targets());
      }
    }
    return busy;
  }

  /** The largest number of members under a fault at once. */
  public int maxConcurrentlyFaulty() {
    int max = 0;
    for (Fault f : faults) {
      max = Math.max(max, faultyAt(faults, f.atMs()).size());
    }
    return max;
  }

  private static void checkInvariants(Spec spec, List<Fault> faults) {
    long previous = -1;
    for (int i = 0; i < faults.size(); i++) {
      Fault f = faults.get(i);
      if (f.id() != i + 1) {
        throw new IllegalArgumentException("fault ids must run 1, 2, ...: fault " + f.id() + " is number " + (i + 1));
      }
      if (f.atMs() < previous) {
        throw new IllegalArgumentException("fault " + f.id() + " at " + f.atMs() + " ms starts before fault "
            + (f.id() - 1) + " at " + previous + " ms: faults are in start order");
      }
      previous = f.atMs();
      if (f.endMs() > spec.durationMs()) {
        throw new IllegalArgumentException("fault " + f.id() + " ends at " + f.endMs() + " ms, after the run's "
            + spec.durationMs() + " ms");
      }
      for (String target : f.targets()) {
        if (!target.matches("n[1-9][0-9]*") || Integer.parseInt(target.substring(1)) > spec.members()) {
          throw new IllegalArgumentException("fault " + f.id() + " targets '" + target + "', not one of n1..n"
              + spec.members());
        }
      }
      Set<String> busy = new TreeSet<>();
      for (Fault other : faults.subList(0, i)) {
        if (other.atMs() <= f.atMs() && f.atMs() < other.endMs()) {
          for (String target : other.targets()) {
            if (f.targets().contains(target)) {
              throw new IllegalArgumentException("fault " + f.id() + " hits " + target + ", which is still under fault "
                  + other.id());
            }
            busy.add(target);
          }
        }
      }
      if (busy.size() + f.targets().size() > spec.maxFaulty()) {
        throw new IllegalArgumentException("fault " + f.id() + " at " + f.atMs() + " ms would put "
            + (busy.size() + f.targets().size()) + " members under a fault at once, more than max-faulty "
            + spec.maxFaulty());
      }
    }
  }

  /** The printed schedule: a header line with the spec, then one line per fault. */
  public String print() {
    StringBuilder out = new StringBuilder();
    out.append("# chaos schedule seed=").append(spec.seed()).append(" members=").append(spec.members())
        .append(" duration=").append(spec.durationMs()).append("ms max-faulty=").append(spec.maxFaulty())
        .append(" fd-bound=").append(spec.fdBoundMs()).append("ms mean-gap=").append(spec.meanGapMs())
        .append("ms kinds=").append(String.join(",", new TreeSet<>(spec.kinds()).stream().map(FaultKind::label)
            .toList())).append('\n');
    faults.forEach(f -> out.append(f.line()).append('\n'));
    return out.toString();
  }

  private static final Pattern HEADER = Pattern.compile("# chaos schedule seed=(-?\\d+) members=(\\d+)"
      + " duration=(\\d+)ms max-faulty=(\\d+) fd-bound=(\\d+)ms mean-gap=(\\d+)ms kinds=([a-z,-]+)");
  private static final Pattern FAULT = Pattern.compile("fault (\\d+) at=(\\d+)ms for=(\\d+)ms ([a-z-]+)"
      + " ([a-z0-9,]+)(?: (both|one-way))?");

  /**
   * Parses a printed schedule. Blank lines and other {@code #} lines are skipped. A bad line gives
   * an {@link IllegalArgumentException} naming the line number, the line and the reason.
   */
  public static FaultSchedule parse(String text) {
    Spec spec = null;
    List<Fault> faults = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    for (int n = 0; n < lines.length; n++) {
      String line = lines[n].strip();
      try {
        Matcher header = HEADER.matcher(line);
        if (header.matches()) {
          if (spec != null) {
            throw new IllegalArgumentException("a second schedule header");
          }
          Set<FaultKind> kinds = EnumSet.noneOf(FaultKind.class);
          for (String k : header.group(7).split(",")) {
            kinds.add(FaultKind.parse(k));
          }
          spec = new Spec(Long.parseLong(header.group(1)), Integer.parseInt(header.group(2)),
              Long.parseLong(header.group(3)), Integer.parseInt(header.group(4)), Long.parseLong(header.group(5)),
              Long.parseLong(header.group(6)), kinds);
        } else if (line.isEmpty() || line.startsWith("#")) {
          continue;
        } else {
          if (spec == null) {
            throw new IllegalArgumentException("a fault before the '# chaos schedule ...' header");
          }
          Matcher m = FAULT.matcher(line);
          if (!m.matches()) {
            throw new IllegalArgumentException("expected 'fault ID at=MSms for=MSms KIND n1,n2[ both|one-way]'");
          }
          faults.add(new Fault(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
              FaultKind.parse(m.group(4)), List.of(m.group(5).split(",")), m.group(6)));
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("schedule line " + (n + 1) + " '" + line + "': " + e.getMessage(), e);
      }
    }
    if (spec == null) {
      throw new IllegalArgumentException("the schedule has no '# chaos schedule seed=...' header line");
    }
    return new FaultSchedule(spec, faults);
  }

  /** The faults as history events, {@code startNanos} being the run's start on its clock. */
  public List<Event> events(long startNanos) {
    List<Event> events = new ArrayList<>();
    for (Fault f : faults) {
      events.add(new Event.FaultStart(startNanos + f.atMs() * 1_000_000, 0, f.id(), f.kind(), f.targets(), f.detail()));
      events.add(new Event.FaultEnd(startNanos + f.endMs() * 1_000_000, 0, f.id(), f.kind(), f.targets()));
    }
    events.sort(Comparator.comparingLong(Event::time));
    return events;
  }
}
