package org.jdlm.dlm.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A member's progress through recovery runs (semantics §6.3; fs/dlm {@code recoverd.c}): which phase
 * it is in, the answers that phase still waits for, recovery messages that arrived before their
 * phase, and the batches it has not sent yet. Decisions and bookkeeping only: the {@code Lockspace}
 * actor does each phase's work and sends what this says, and the lockspace simulation drives the
 * same class. {@code R} is a member, {@code M} a message held back or queued for sending.
 *
 * <h2>States</h2>
 * <pre>
 *   running ──stop──► AWAIT_FENCING ──MEMBERS──► MEMBERS ──► DIRECTORY ──► REMASTER ──► REBUILD_LOCKS ──► FINALIZE
 *      ▲                   ▲   ▲                                  │                                          │
 *      │                   │   └──── stop (from any phase) ───────┤                                          │
 *      │                   │         MEMBERS of a newer run (from any phase but running)                     │
 *      └──────────────── RESUME ◄──── (DIRECTORY when nobody left) ◄──────────────────────────────────────────┘
 * </pre>
 * {@link #phase()} is {@code null} while running, as {@link MemberRecovery} and {@link StopBarrier} take it.
 *
 * <h2>Rules</h2>
 * <ol>
 *   <li><b>Only the transitions drawn above are legal</b> ({@link #transitionTo}); anything else is a
 *       bug and throws (style rule 5).</li>
 *   <li><b>A phase is done once nothing it waits for is left</b>, and is reported exactly once
 *       ({@link #reportDone}): a late answer must not report it twice.</li>
 *   <li><b>An answer counts only for the phase and run it belongs to</b> ({@link #answered}); an
 *       answer of an earlier run or phase is ignored (style rule 10).</li>
 *   <li><b>Batches flow per peer</b>: at most {@code inFlight} unanswered at a time; each answer
 *       releases the next ({@link #queue}, {@link #answered}); the barrier waits for every batch.</li>
 *   <li><b>A registration ahead of its phase is held</b>: one of a newer generation, or of this
 *       generation while this member is still at MEMBERS, waits for this member's DIRECTORY; one of
 *       an older generation is dropped ({@link #onRegister}). Held registrations survive a stop:
 *       the restarted run's DIRECTORY takes them in as before.</li>
 *   <li><b>A lookup or lock batch ahead of its phase is held, a stale one dropped</b>
 *       ({@link #onRecoverLookup}, {@link #onRecoverLocks}); held ones are taken in when this member
 *       enters REMASTER or REBUILD_LOCKS ({@link #drainHeld}). A stop forgets them: the restarted
 *       run sends them again.</li>
 *   <li><b>A lookup answer is taken only at REMASTER of its own run</b> ({@link #onRecoverLookupReply}).</li>
 * </ol>
 */
public final class PhaseWork<R, M> {

  /** What to do with a recovery message that arrived (rules 5 to 7). */
  public enum Arrival {
    /** It belongs to the current phase: handle it now. */
    APPLY,
    /** It is ahead of this member's phase: hold it ({@link #hold}/{@link #holdRegister}). */
    HOLD,
    /** It belongs to an earlier run: drop it (and log). */
    DROP
  }

  private static final Set<RecoveryPhase> WORK_PHASES =
      EnumSet.of(RecoveryPhase.MEMBERS, RecoveryPhase.DIRECTORY, RecoveryPhase.REMASTER,
          RecoveryPhase.REBUILD_LOCKS, RecoveryPhase.FINALIZE);

  private final int inFlight;
  /** {@code null} while running. */
  private RecoveryPhase phase = RecoveryPhase.AWAIT_FENCING;
  private long runGeneration = -1;
  private int awaiting;
  private boolean reported;
  private final List<M> heldRegisters = new ArrayList<>();
  private final List<M> held = new ArrayList<>();
  private final Map<R, ArrayDeque<M>> unsent = new HashMap<>();

  /** @param inFlight unanswered batches per peer at a time ({@code recovery-batches-in-flight}) */
  public PhaseWork(int inFlight) {
    if (inFlight < 1) {
      throw new IllegalArgumentException("recovery-batches-in-flight must be at least 1, not " + inFlight);
    }
    this.inFlight = inFlight;
  }

  /** The phase this member is in; {@code null} while running, {@code AWAIT_FENCING} while stopped. */
  public RecoveryPhase phase() {
    return phase;
  }

  public boolean running() {
    return phase == null;
  }

  /** The run this member last entered (its last MEMBERS), -1 before any. */
  public long runGeneration() {
    return runGeneration;
  }

  /** Answers the current phase still waits for. */
  public int awaiting() {
    return awaiting;
  }

  /** Rule 1: whether this member may go from its phase to {@code next} ({@code null}: running). */
  public static boolean legal(RecoveryPhase from, RecoveryPhase next) {
    if (next == RecoveryPhase.AWAIT_FENCING) {
      return true; // a stop, from anywhere (again while stopped: a newer view)
    }
    if (from == null) {
      return false; // a running member only stops
    }
    if (next == RecoveryPhase.MEMBERS) {
      return true; // a newer run restarts recovery from whatever phase (semantics §6.3)
    }
    if (next == null) {
      return from == RecoveryPhase.DIRECTORY || from == RecoveryPhase.FINALIZE; // RESUME
    }
    return WORK_PHASES.contains(next) && from.successors().contains(next);
  }

  /** Rule 1: moves to {@code next} ({@code null}: running) or throws. */
  private void transitionTo(RecoveryPhase next) {
    if (!legal(phase, next)) {
      throw new IllegalStateException("illegal member phase transition " + (phase == null ? "running" : phase)
          + " -> " + (next == null ? "running" : next));
    }
    phase = next;
  }

  /**
   * The member stopped (a view change, or the coordinator restarting its run): it waits at the
   * barrier; what the interrupted phase waited for and held is forgotten (rule 6), held
   * registrations are kept (rule 5).
   */
  public void stop() {
    transitionTo(RecoveryPhase.AWAIT_FENCING);
    forgetRun();
  }

  /** MEMBERS of run {@code generation} (MemberRecovery rule 2): an aborted run's partial work is redone. */
  public void startRun(long generation) {
    if (phase != RecoveryPhase.AWAIT_FENCING) {
      forgetRun();
    }
    enter(RecoveryPhase.MEMBERS);
    runGeneration = generation;
  }

  /** A later phase of this member's own run (MemberRecovery rule 4); nothing is awaited yet. */
  public void enter(RecoveryPhase next) {
    transitionTo(next);
    awaiting = 0;
    unsent.clear();
    reported = false;
  }

  /** RESUME: running again; everything of the run is forgotten. */
  public void resume() {
    transitionTo(null);
    forgetRun();
  }

  private void forgetRun() {
    awaiting = 0;
    reported = false;
    held.clear();
    unsent.clear();
  }

  /** The phase waits for {@code answers} more answers (registrations, purges). */
  public void expect(int answers) {
    awaiting += answers;
  }

  /**
   * Rule 4: queues this phase's {@code batches} for {@code peer} (once per peer and phase), all
   * awaited; returns those to send now, at most {@code inFlight}.
   */
  public List<M> queue(R peer, List<M> batches) {
    awaiting += batches.size();
    ArrayDeque<M> queue = unsent.computeIfAbsent(peer, p -> new ArrayDeque<>());
    queue.addAll(batches);
    List<M> now = new ArrayList<>();
    for (int i = 0; i < inFlight && !queue.isEmpty(); i++) {
      now.add(queue.poll());
    }
    return now;
  }

  /**
   * Rules 3 and 4: an answer for {@code of} of run {@code generation}, from {@code peer} (null when
   * it releases no batch). Returns the next batch for that peer, or null.
   */
  public M answered(long generation, RecoveryPhase of, R peer) {
    if (generation != runGeneration || phase != of) {
      return null;
    }
    M next = null;
    if (peer != null) {
      ArrayDeque<M> queue = unsent.get(peer);
      if (queue != null && !queue.isEmpty()) {
        next = queue.poll();
      }
    }
    if (awaiting > 0) {
      awaiting--;
    }
    return next;
  }

  /**
   * Rule 2: whether the current phase is done and not yet reported; true at most once per phase
   * (the caller sends PhaseDone for {@link #phase()} of {@link #runGeneration()}).
   */
  public boolean reportDone() {
    if (phase == null || phase == RecoveryPhase.AWAIT_FENCING || awaiting > 0 || reported) {
      return false;
    }
    reported = true;
    return true;
  }

  /** Rule 5, for a Register of {@code regGeneration}; {@code generation} is this member's. */
  public Arrival onRegister(long regGeneration, long generation) {
    if (regGeneration > generation || (regGeneration == generation && phase == RecoveryPhase.MEMBERS)) {
      return Arrival.HOLD; // its RunPhase has not reached this member yet
    }
    return regGeneration < generation ? Arrival.DROP : Arrival.APPLY;
  }

  /** Rule 6: a RecoverLookup is answered at REMASTER or later of its own run. */
  public Arrival onRecoverLookup(long generation) {
    if (generation != runGeneration || phase == RecoveryPhase.MEMBERS || phase == RecoveryPhase.DIRECTORY) {
      return generation >= runGeneration ? Arrival.HOLD : Arrival.DROP;
    }
    return Arrival.APPLY;
  }

  /** Rule 6: a RecoverLocks batch is taken at REBUILD_LOCKS of its own run. */
  public Arrival onRecoverLocks(long generation) {
    if (generation != runGeneration || phase != RecoveryPhase.REBUILD_LOCKS) {
      return generation >= runGeneration ? Arrival.HOLD : Arrival.DROP;
    }
    return Arrival.APPLY;
  }

  /** Rule 7. */
  public Arrival onRecoverLookupReply(long generation) {
    return generation == runGeneration && phase == RecoveryPhase.REMASTER ? Arrival.APPLY : Arrival.DROP;
  }

  /** Rule 5: holds a registration until this member's DIRECTORY. */
  public void holdRegister(M register) {
    heldRegisters.add(register);
  }

  /** Rule 5: the held registrations, in arrival order, now to be handled again. */
  public List<M> drainRegisters() {
    List<M> out = List.copyOf(heldRegisters);
    heldRegisters.clear();
    return out;
  }

  /** Rule 6: holds a lookup or lock batch until its phase. */
  public void hold(M message) {
    held.add(message);
  }

  /** Rule 6: the held lookups and lock batches, in arrival order, now to be handled again. */
  public List<M> drainHeld() {
    List<M> out = List.copyOf(held);
    held.clear();
    return out;
  }

  /** Nothing is awaited or queued outside a phase with work, and a running member holds nothing of a run. */
  public void checkInvariants() {
    if (awaiting < 0) {
      throw new IllegalStateException("negative awaited answers: " + this);
    }
    if ((phase == null || phase == RecoveryPhase.AWAIT_FENCING) && (awaiting != 0 || !unsent.isEmpty())) {
      throw new IllegalStateException("waiting for answers outside a phase: " + this);
    }
    if (phase == null && !held.isEmpty()) {
      throw new IllegalStateException("a running member holds recovery messages: " + this);
    }
    int queued = unsent.values().stream().mapToInt(ArrayDeque::size).sum();
    if (queued > awaiting) {
      throw new IllegalStateException(queued + " unsent batches but only " + awaiting + " answers awaited: " + this);
    }
  }

  @Override
  public String toString() {
    return (phase == null ? "running" : phase) + " of run " + runGeneration + ", awaiting " + awaiting
        + (reported ? ", reported" : "") + ", held " + held.size() + "+" + heldRegisters.size() + " registers";
  }
}
