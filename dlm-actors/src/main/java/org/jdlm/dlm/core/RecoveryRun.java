package org.jdlm.dlm.core;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * One recovery run as the coordinator (the lowest surviving member, spec §12) sees it: which phase
 * it is in, which members have passed the current barrier, which failed members still await
 * fencing, and how long each phase took. Decisions only; the coordinator actor broadcasts the
 * {@link StartPhase} effects and feeds back {@link #phaseDone} and {@link #fenced}.
 *
 * <p>Everything is tagged with the run's generation: a report carrying another generation is from
 * an aborted or future run and is dropped (style rule 10), never counted toward a barrier.
 */
public final class RecoveryRun {

  /**
   * The membership change being recovered. {@code members} are the lockspace members after the
   * change (survivors plus joiners); {@code failed} must be fenced before anything moves;
   * {@code leftCleanly} left with a clean leave and need no fencing.
   */
  public record Change(long generation, Set<String> members, Set<String> failed, Set<String> leftCleanly,
                       Set<String> joined) {
    public Change {
      // Sorted, because the lowest member coordinates and every member must list them alike.
      members = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(members));
      failed = Set.copyOf(failed);
      leftCleanly = Set.copyOf(leftCleanly);
      joined = Set.copyOf(joined);
      if (members.isEmpty()) {
        throw new IllegalArgumentException("a recovery needs at least one surviving member");
      }
      for (String f : failed) {
        if (members.contains(f)) {
          throw new IllegalArgumentException("failed member " + f + " cannot also be a member");
        }
      }
    }

    /** Whether any member went away (then masters move and locks are purged; else directory only). */
    public boolean anyRemoved() {
      return !failed.isEmpty() || !leftCleanly.isEmpty();
    }
  }

  /** Effects for the coordinator actor to carry out. */
  public sealed interface Effect {}

  /** Ask the fencing coordinator to fence these members (and wait for {@link #fenced}). */
  public record RequestFencing(long generation, Set<String> nodes) implements Effect {}

  /** Tell every member in {@code members} to run {@code phase} of run {@code generation}. */
  public record StartPhase(long generation, RecoveryPhase phase, List<String> members) implements Effect {}

  /** The run completed; per-phase durations in milliseconds, in phase order. */
  public record Finished(long generation, Map<RecoveryPhase, Long> phaseMillis) implements Effect {}

  /** The run was abandoned (a newer change arrived); members must not resume on its account. */
  public record Aborted(long generation, String reason) implements Effect {}

  /** A report that does not belong to the current barrier was ignored; log it. */
  public record DroppedStale(String from, long generation, RecoveryPhase phase, String reason) implements Effect {}

  /** New state is this object (mutated); effects in the order to perform them. */
  public record Outcome(RecoveryPhase phase, List<Effect> effects) {}

  private final Change change;
  private final Clock clock;
  private RecoveryPhase phase;
  private final Set<String> awaitingFence;
  private final Set<String> passedBarrier = new TreeSet<>();
  private final Map<RecoveryPhase, Long> phaseMillis = new LinkedHashMap<>();
  private long phaseStartedAt;

  private RecoveryRun(Change change, Clock clock) {
    this.change = Objects.requireNonNull(change, "change");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.awaitingFence = new TreeSet<>(change.failed());
  }

  /** A run for {@code change}; nothing happens until {@link #begin()}. */
  public static RecoveryRun create(Change change, Clock clock) {
    return new RecoveryRun(change, clock);
  }

  /** Starts the run: fencing first when someone failed, else straight to the MEMBERS barrier. */
  public Outcome begin() {
    if (phase != null) {
      throw new IllegalStateException("run " + change.generation() + " already began (phase " + phase + ")");
    }
    phase = RecoveryPhase.AWAIT_FENCING;
    phaseStartedAt = clock.millis();
    if (awaitingFence.isEmpty()) {
      return advanceTo(RecoveryPhase.MEMBERS, new ArrayList<>());
    }
    return new Outcome(phase, List.of(new RequestFencing(change.generation(), Set.copyOf(awaitingFence))));
  }

  public RecoveryPhase phase() {
    return phase;
  }

  public long generation() {
    return change.generation();
  }

  public Change change() {
    return change;
  }

  /** Failed members not yet confirmed fenced (what {@code dlm cluster status} shows). */
  public Set<String> awaitingFence() {
    return Set.copyOf(awaitingFence);
  }

  /** Members that have not yet passed the current barrier. */
  public Set<String> pendingBarrier() {
    Set<String> pending = new TreeSet<>(change.members());
    pending.removeAll(passedBarrier);
    return pending;
  }

  /** Fencing of {@code node} is confirmed by the fencing authority. */
  public Outcome fenced(String node) {
    if (phase != RecoveryPhase.AWAIT_FENCING || !awaitingFence.remove(node)) {
      return new Outcome(phase, List.of(new DroppedStale(node, change.generation(), phase,
          "fence confirmation for " + node + " not awaited")));
    }
    if (!awaitingFence.isEmpty()) {
      return new Outcome(phase, List.of());
    }
    return advanceTo(RecoveryPhase.MEMBERS, new ArrayList<>());
  }

  /** Member {@code node} reports that it finished {@code reported} of run {@code generation}. */
  public Outcome phaseDone(String node, long generation, RecoveryPhase reported) {
    if (generation != change.generation()) {
      return new Outcome(phase, List.of(new DroppedStale(node, generation, reported,
          "generation " + generation + " is not the current run " + change.generation())));
    }
    if (reported != phase || !change.members().contains(node)) {
      return new Outcome(phase, List.of(new DroppedStale(node, generation, reported,
          "barrier is at " + phase + (change.members().contains(node) ? "" : "; " + node + " is not a member"))));
    }
    passedBarrier.add(node);
    if (!passedBarrier.containsAll(change.members())) {
      return new Outcome(phase, List.of());
    }
    return advanceTo(next(), new ArrayList<>());
  }

  /** A newer membership change arrived: this run stops where it is. */
  public Outcome abort(String reason) {
    if (phase == RecoveryPhase.DONE || phase == RecoveryPhase.ABORTED) {
      return new Outcome(phase, List.of());
    }
    phase = phase.transitionTo(RecoveryPhase.ABORTED);
    return new Outcome(phase, List.of(new Aborted(change.generation(), reason)));
  }

  private RecoveryPhase next() {
    return switch (phase) {
      case MEMBERS -> RecoveryPhase.DIRECTORY;
      // Joins only: masters do not move, so purge/remaster/rebuild/finalize are skipped (spec §6.3).
      case DIRECTORY -> change.anyRemoved() ? RecoveryPhase.REMASTER : RecoveryPhase.RESUME;
      case REMASTER -> RecoveryPhase.REBUILD_LOCKS;
      case REBUILD_LOCKS -> RecoveryPhase.FINALIZE;
      case FINALIZE -> RecoveryPhase.RESUME;
      case RESUME -> RecoveryPhase.DONE;
      default -> throw new IllegalStateException("no barrier in phase " + phase);
    };
  }

  private Outcome advanceTo(RecoveryPhase target, List<Effect> effects) {
    long now = clock.millis();
    phaseMillis.put(phase, now - phaseStartedAt);
    phase = phase.transitionTo(target);
    phaseStartedAt = now;
    passedBarrier.clear();
    if (phase == RecoveryPhase.DONE) {
      // Phase order kept: the coordinator logs and publishes the map as is.
      effects.add(new Finished(change.generation(), java.util.Collections.unmodifiableMap(new LinkedHashMap<>(phaseMillis))));
    } else {
      effects.add(new StartPhase(change.generation(), phase, List.copyOf(change.members())));
    }
    return new Outcome(phase, List.copyOf(effects));
  }

  /** Durations of the phases finished so far (milliseconds, insertion = phase order). */
  public Map<RecoveryPhase, Long> phaseMillis() {
    return new LinkedHashMap<>(phaseMillis);
  }
}
