package org.jdlm.dlm.core;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The coordinator's side of a lockspace stop (docs/recovery.md §2-3; fs/dlm {@code recoverd.c}):
 * once its {@link StopBarrier} agrees, fetch a generation for that very view, start the
 * {@link RecoveryRun} with it, feed the run fencing results and phase reports, abort it when the
 * membership changes again, and restart it when a member stops again mid-run. Decisions and
 * bookkeeping only: the {@code Lockspace} actor asks the fencing authority, sends the phases and
 * fences; the lockspace simulation drives the same class. {@code R} is a member incarnation.
 *
 * <h2>Rules</h2>
 * <ol>
 *   <li><b>The barrier is open only on the coordinator, while it waits at the barrier and runs no
 *       run</b> ({@link #atBarrier}); elsewhere StopAcks are only recorded.</li>
 *   <li><b>One generation request per view</b> ({@link #prepare}): an agreed barrier asks the
 *       fencing authority once for the view; a repeat while that request is out asks nothing.</li>
 *   <li><b>A generation is used only for the view it was asked for</b>, if this member still has
 *       that view, is still the coordinator and still waits at the barrier ({@link #generationReady});
 *       a newer change overtook it otherwise. A failed request is asked again.</li>
 *   <li><b>A newer membership change aborts the run</b> ({@link #abort}), and the coordinator
 *       takes the run's generation ({@link MemberRecovery} rule 4).</li>
 *   <li><b>A member that stopped again mid-run</b> is told MEMBERS again or restarts the run under
 *       a new generation, with the same change ({@link #memberStoppedAgain}, {@link MemberRecovery}
 *       rule 3).</li>
 *   <li><b>Fencing results and phase reports count only for the run in progress</b>; the run ends
 *       when it reports {@link RecoveryRun.Finished}.</li>
 * </ol>
 */
public final class Coordination<R> {

  /**
   * Ask the fencing authority for a generation of at least {@code atLeast} for {@code view};
   * {@code change} is to be run under it ({@code Change.withGeneration}) and {@code toFence} names
   * the failed incarnations. {@code reason} says why, for the authority's record.
   */
  public record Fetch<R>(long atLeast, Set<R> view, RecoveryRun.Change change,
                         Map<String, MembershipView.Failure> toFence, String reason) {
    public Fetch {
      view = Set.copyOf(view);
      toFence = Map.copyOf(toFence);
    }
  }

  /** What {@link #generationReady} did. */
  public enum Ready {
    /** A newer change overtook the request: nothing. */
    STALE,
    /** The request failed: ask again later. */
    RETRY,
    /** The run started: carry out {@link #started()}'s effects. */
    STARTED
  }

  /** What the coordinator does for a member that stopped again mid-run (rule 5). */
  public record StoppedAgain<R>(MemberRecovery.StoppedAgain action, List<RecoveryRun.Effect> aborted,
                                long generationFloor, Fetch<R> fetch) {}

  private final Clock clock;
  /** The view a generation is being asked for, else null. */
  private Set<R> preparing;
  private RecoveryRun run;
  private List<RecoveryRun.Effect> started = List.of();
  private Set<String> departed = Set.of();
  private Set<String> fenced = Set.of();
  private Map<String, MembershipView.Failure> failures = Map.of();

  /** @param clock times the run's phases (the simulation passes its virtual clock) */
  public Coordination(Clock clock) {
    this.clock = clock;
  }

  /** The run in progress, or null. */
  public RecoveryRun run() {
    return run;
  }

  /** Rule 1. */
  public boolean atBarrier(boolean coordinator, RecoveryPhase phase) {
    return coordinator && phase == RecoveryPhase.AWAIT_FENCING && run == null;
  }

  /** Rule 2: the barrier agreed on {@code view}; returns the request to make, or null if it is out already. */
  public Fetch<R> prepare(StopBarrier.Agreed agreed, Set<R> view) {
    if (view.equals(preparing)) {
      return null;
    }
    preparing = Set.copyOf(view);
    RecoveryRun.Change change = agreed.change();
    Set<String> departedNames = StopBarrier.departedNodes(change);
    String reason = "members " + change.members()
        + (departedNames.isEmpty() ? "" : ", departed " + departedNames)
        + (change.joined().isEmpty() ? "" : ", joined " + change.joined());
    return new Fetch<>(agreed.atLeast(), preparing, change, new TreeMap<>(agreed.toFence()), reason);
  }

  /**
   * Rule 3: the authority answered the request for {@code fetchedFor} with {@code generation}
   * ({@code failed}: it did not). {@code stillWaiting}: this member has {@code fetchedFor} as its
   * view, is the coordinator and waits at the barrier (a run already started for the same view by an
   * earlier request is replaced, as before this class existed). On {@link Ready#STARTED} the run is
   * under way.
   */
  public Ready generationReady(Set<R> fetchedFor, boolean stillWaiting, boolean failed, RecoveryRun.Change change,
      Map<String, MembershipView.Failure> toFence) {
    if (!fetchedFor.equals(preparing) || !stillWaiting) {
      return Ready.STALE;
    }
    if (failed) {
      preparing = null;
      return Ready.RETRY;
    }
    run = RecoveryRun.create(change, clock);
    fenced = Set.copyOf(change.failed());
    failures = Map.copyOf(toFence);
    departed = StopBarrier.departedNodes(change);
    started = effects(run.begin());
    return Ready.STARTED;
  }

  /** The effects of starting the run that {@link #generationReady} started. */
  public List<RecoveryRun.Effect> started() {
    return started;
  }

  /**
   * Rule 4: the membership changed again. Returns the effects of aborting the run in progress
   * (none without one); the coordinator then takes {@link #abortedGeneration} if it is higher.
   */
  public List<RecoveryRun.Effect> abort(String reason) {
    preparing = null;
    if (run == null) {
      abortedGeneration = -1;
      return List.of();
    }
    abortedGeneration = run.generation();
    List<RecoveryRun.Effect> out = run.abort(reason).effects();
    run = null;
    return out;
  }

  private long abortedGeneration = -1;

  /** The generation of the run the last {@link #abort} ended, -1 if none. */
  public long abortedGeneration() {
    return abortedGeneration;
  }

  /**
   * Rule 5: {@code member} stopped again for the run's view, reporting {@code ackGeneration};
   * {@code generation} is the coordinator's. On RESTART the run is aborted, the coordinator takes
   * {@code generationFloor} and asks for a generation above it for {@code view}.
   */
  public StoppedAgain<R> memberStoppedAgain(String member, long ackGeneration, Set<R> view, long generation) {
    MemberRecovery.StoppedAgain action = MemberRecovery.memberStoppedAgain(run.phase(), run.generation(), ackGeneration);
    if (action != MemberRecovery.StoppedAgain.RESTART) {
      return new StoppedAgain<>(action, List.of(), generation, null);
    }
    RecoveryRun.Change old = run.change();
    List<RecoveryRun.Effect> aborted = run.abort(member + " stopped again during " + run.phase()).effects();
    run = null;
    long floor = Math.max(generation, old.generation());
    preparing = Set.copyOf(view);
    return new StoppedAgain<>(action, aborted, floor, new Fetch<>(floor + 1, preparing, old, failures,
        "recovery restarted"));
  }

  /** Rule 6: fencing of {@code node} for run {@code generation} succeeded; null if that run is over. */
  public List<RecoveryRun.Effect> fenced(long generation, String node) {
    if (run == null || run.generation() != generation) {
      return null;
    }
    return effects(run.fenced(node));
  }

  /** Rule 6: whether fencing for run {@code generation} is still wanted (a retry after a failure). */
  public boolean fencing(long generation) {
    return run != null && run.generation() == generation;
  }

  /** Rule 6: {@code node} reported {@code phase} of run {@code generation} done. */
  public List<RecoveryRun.Effect> phaseDone(String node, long generation, RecoveryPhase phase) {
    if (run == null) {
      return List.of();
    }
    return effects(run.phaseDone(node, generation, phase));
  }

  /** Rule 6: a run that reports Finished is over. */
  private List<RecoveryRun.Effect> effects(RecoveryRun.Outcome outcome) {
    for (RecoveryRun.Effect e : outcome.effects()) {
      if (e instanceof RecoveryRun.Finished) {
        run = null;
      }
    }
    return new ArrayList<>(outcome.effects());
  }

  /** The nodes that departed in the current (or last) run: failed or left cleanly. */
  public Set<String> departed() {
    return departed;
  }

  /** The nodes the current (or last) run fences. */
  public Set<String> fencedNodes() {
    return fenced;
  }

  /** The incarnation of {@code node} the current run fences, or null. */
  public MembershipView.Failure failure(String node) {
    return failures.get(node);
  }

  /** The run in progress fences exactly its change's failed nodes and departs at least those. */
  public void checkInvariants() {
    if (run == null) {
      return;
    }
    if (!fenced.equals(run.change().failed()) || !departed.containsAll(fenced)) {
      throw new IllegalStateException("run " + run.generation() + " fences " + fenced + " and departs " + departed
          + " but its change is " + run.change());
    }
  }

  /** While the run waits for fencing: the nodes it waits for; else null. */
  public Set<String> awaitingFence() {
    return run != null && run.phase() == RecoveryPhase.AWAIT_FENCING ? run.awaitingFence() : null;
  }
}
