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
 * One recovery run as the coordinator (the lowest surviving member, semantics §12) sees it: which phase
 * it is in, which members have passed the current barrier, which failed members still await
 * fencing, and how long each phase took. Decisions only; the coordinator actor broadcasts the
 * {@link StartPhase} effects and feeds back {@link #phaseDone} and {@link #fenced}.
 *
 * <p>Everything is tagged with the run's generation: a report carrying another generation is from
 * an aborted or future run and is dropped (style rule 10), never counted toward a barrier.
 */
public final class RecoveryRun {

  /**
   * One incarnation of a lockspace member: its node ({@code host:port}) and a number that differs
   * between two incarnations on the same node (the shell uses the member actor's uid). A member
   * restarted at the same address is the same node but a new incarnation.
   */
  public record Member(String node, long incarnation) {
    public Member {
      Objects.requireNonNull(node, "node");
    }
  }

  /**
   * The membership change being recovered. {@code members} are the lockspace members after the
   * change (survivors plus joiners); {@code failed} must be fenced before anything moves;
   * {@code leftCleanly} left with a clean leave and need no fencing; {@code joined} are new
   * incarnations. A node may be both departed (its old incarnation) and a member (its new one, then
   * also in {@code joined}): it was restarted before a recovery ran without it (semantics §6.3 step 4:
   * a node that left and rejoined counts as removed).
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
        if (members.contains(f) && !joined.contains(f)) {
          throw new IllegalArgumentException("failed member " + f + " cannot also be a member"
              + " unless a new incarnation of it joined");
        }
      }
      for (String l : leftCleanly) {
        if (members.contains(l) && !joined.contains(l)) {
          throw new IllegalArgumentException("member " + l + " that left cannot also be a member"
              + " unless a new incarnation of it joined");
        }
      }
    }

    /**
     * The change a membership barrier agreed on, decided by incarnation, not by node: every
     * incarnation someone last ran with that is not a member now departed (semantics §6.3 step 4: a node
     * that left and rejoined counts as removed, and its new incarnation as joined); a departure is a
     * failure when any member saw that node fail (it must be fenced, semantics §6.1), else a clean leave.
     *
     * @param members    the incarnations in the agreed view
     * @param lastRunWith every incarnation any member of the view last ran with
     * @param seenFailed nodes some member saw unreachable or downed
     */
    public static Change between(long generation, Set<Member> members, Set<Member> lastRunWith,
        Set<String> seenFailed) {
      Set<String> names = new TreeSet<>();
      members.forEach(m -> names.add(m.node()));
      Set<String> failed = new TreeSet<>();
      Set<String> leftCleanly = new TreeSet<>();
      for (Member gone : lastRunWith) {
        if (!members.contains(gone) && !replacedInAnEarlierRun(gone, members, lastRunWith)) {
          (seenFailed.contains(gone.node()) ? failed : leftCleanly).add(gone.node());
        }
      }
      // Two departed incarnations of one node, one seen failing: fence the node (a dead one cannot mind).
      leftCleanly.removeAll(failed);
      Set<String> joined = new TreeSet<>();
      for (Member m : members) {
        if (!lastRunWith.contains(m)) {
          joined.add(m.node());
        }
      }
      return new Change(generation, names, failed, leftCleanly, joined);
    }

    /**
     * Whether a member incarnation of {@code gone}'s node is one somebody already ran with: then a
     * run that this member's stale last view missed already recovered {@code gone}'s departure (a
     * completed run never holds two incarnations of one node). Departing it again would purge the
     * live incarnation's locks by node name. Found by the lockspace simulation, where the
     * contradictory change (n2 failed and a member, but not joined) crashed the coordinator.
     */
    private static boolean replacedInAnEarlierRun(Member gone, Set<Member> members, Set<Member> lastRunWith) {
      for (Member m : members) {
        if (m.node().equals(gone.node()) && lastRunWith.contains(m)) {
          return true;
        }
      }
      return false;
    }

    /** The same change under {@code newGeneration} (the coordinator decides it before the authority answers). */
    public Change withGeneration(long newGeneration) {
      return new Change(newGeneration, members, failed, leftCleanly, joined);
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
      // Joins only: masters do not move, so purge/remaster/rebuild/finalize are skipped (semantics §6.3).
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
