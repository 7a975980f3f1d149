package org.jdlm.dlm.core;

/**
 * The member side of a recovery run (semantics §6.3; fs/dlm {@code recoverd.c}): what a member does with
 * the coordinator's {@code RunPhase}, given where it stands. Decisions only; the {@code Lockspace}
 * actor starts the phase work, and the lockspace simulation drives the same rules.
 *
 * <h2>Rules</h2>
 * <ol>
 *   <li><b>A newer run for another view converges.</b> The member learns the run's members; if its
 *       view still differs it tells the coordinator its own (issue 4).</li>
 *   <li><b>MEMBERS of a newer run for this view starts it</b>, from whatever phase the member is in
 *       (any new stop restarts recovery, semantics §6.3).</li>
 *   <li><b>A member that stopped again mid-run is brought back</b> by the coordinator
 *       ({@link #memberStoppedAgain}): one that never entered the run (its StopAck names an older
 *       generation) is told MEMBERS again while the run is at MEMBERS; one that entered it and left
 *       (its StopAck names the run's generation) ignores a repeated MEMBERS of that generation, so
 *       the run restarts under a new one. Found by the lockspace simulation: the coordinator used to
 *       repeat MEMBERS to such a member, which ignored it, and the run waited for good.</li>
 *   <li><b>A coordinator that aborts its run takes the run's generation</b>, so that its own
 *       MEMBERS of that run, still on its way to itself, cannot take it into the aborted run (found
 *       by the simulation: it did, and then ignored its next run's generation as it was no longer
 *       waiting at the barrier).</li>
 *   <li><b>A Hello for this member's very view is a barrier asking for this member's StopAck</b>
 *       ({@link #onHello}): a member waiting at that barrier repeats it, whatever the sender's
 *       generation (a restarted coordinator starts at 0), unless it still probes (its ack is
 *       withheld until it knows every member); a member that runs or is in a run stops again,
 *       unless the Hello is from an older generation (a late one from a barrier already passed).</li>
 *   <li><b>Otherwise an old MEMBERS, or MEMBERS to a running member, is ignored</b>; a later phase
 *       counts only for the member's own run, and not while it is stopped (style rule 10).</li>
 * </ol>
 */
public final class MemberRecovery {

  /** What to do with a {@code RunPhase}. */
  public enum Action {
    /** Rule 1: learn the run's view; tell the coordinator this member's view if it still differs. */
    CONVERGE,
    /** Rule 2: enter MEMBERS of the run (adopt its generation). */
    START_MEMBERS,
    /** Rule 4: a later phase of this member's own run: do its work. */
    START_PHASE,
    /** Rule 4: stale, or for a stopped or running member: drop (and log). */
    IGNORE
  }

  private MemberRecovery() {}

  /** What a member does with a Hello (rule 5), after learning the members it names. */
  public enum OnHello {
    /** Not a barrier asking this member: nothing more. */
    NOTHING,
    /** Waiting at that barrier: send the coordinator the StopAck again. */
    REPEAT_STOP_ACK,
    /** Running or in a run: stop again for this view. */
    STOP_AGAIN
  }

  /**
   * Rule 5.
   *
   * @param askedForThisView the Hello is from another member of this member's view and names exactly that view
   * @param probing          this member still probes the cluster (it withholds its StopAck)
   */
  public static OnHello onHello(boolean askedForThisView, RecoveryPhase phase, boolean probing, long helloGeneration,
      long generation) {
    if (!askedForThisView) {
      return OnHello.NOTHING;
    }
    if (phase == RecoveryPhase.AWAIT_FENCING) {
      return probing ? OnHello.NOTHING : OnHello.REPEAT_STOP_ACK;
    }
    return helloGeneration >= generation ? OnHello.STOP_AGAIN : OnHello.NOTHING;
  }

  /** What the coordinator does when a member of its run stops again for the same view (rule 3). */
  public enum StoppedAgain {
    /** The run still waits for fencing: nothing was asked of the member yet. */
    NOTHING,
    /** The run is at MEMBERS and the member never entered it: tell it MEMBERS again. */
    TELL_MEMBERS_AGAIN,
    /** Restart the run under a new generation, with the same change. */
    RESTART
  }

  /**
   * Coordinator: a member stopped again for the run's view, reporting {@code ackGeneration}, while
   * the run (generation {@code runGeneration}) is in {@code runPhase} (rule 3; semantics §6.3: any new
   * stop restarts recovery).
   */
  public static StoppedAgain memberStoppedAgain(RecoveryPhase runPhase, long runGeneration, long ackGeneration) {
    if (runPhase == RecoveryPhase.AWAIT_FENCING) {
      return StoppedAgain.NOTHING;
    }
    if (runPhase == RecoveryPhase.MEMBERS && ackGeneration < runGeneration) {
      return StoppedAgain.TELL_MEMBERS_AGAIN;
    }
    return StoppedAgain.RESTART;
  }

  /**
   * @param phase          the member's phase, {@code null} while running
   * @param generation     the member's generation
   * @param runGeneration  the run the member is in (its last MEMBERS)
   * @param runPhase       the phase the coordinator orders
   * @param runGen         the run's generation
   * @param sameView       whether the run's view is the member's view
   */
  public static Action onRunPhase(RecoveryPhase phase, long generation, long runGeneration, RecoveryPhase runPhase,
      long runGen, boolean sameView) {
    if (runPhase == RecoveryPhase.MEMBERS) {
      if (runGen > generation && !sameView) {
        return Action.CONVERGE;
      }
      if (phase == null) {
        return Action.IGNORE;
      }
      return runGen > generation ? Action.START_MEMBERS : Action.IGNORE;
    }
    if (runGen != runGeneration || phase == null || phase == RecoveryPhase.AWAIT_FENCING) {
      return Action.IGNORE;
    }
    return Action.START_PHASE;
  }
}
