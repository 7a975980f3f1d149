package org.jdlm.dlm.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The coordinator's membership barrier (docs/recovery.md §2): the StopAcks it holds, which members
 * it still lacks, and, once every member of the view stopped for that very view, the change to
 * recover ({@link RecoveryRun.Change#between}) and the incarnations to fence. Decisions only: the
 * {@code Lockspace} actor sends the Hellos, asks the fencing authority for a generation and starts
 * the run.
 *
 * <h2>Rules</h2>
 * <ol>
 *   <li><b>An ack counts only for the view it names, and only if it is not from before the last
 *       run.</b> A member's latest StopAck replaces its earlier one; one for another view is kept
 *       (the shell learns from it) but does not count. A member that ran the coordinator's last run
 *       reports at least that run's generation; an ack of it with a lower generation was sent
 *       before that run (a late repeat that arrived after the run started) and says nothing about
 *       the stop now. Found by the lockspace simulation: such stale acks let a barrier for the same
 *       view pass with a dead member's ack, and their old last views and failures made the change
 *       contradictory ({@code RecoveryRun.Change} refused it and the coordinator crashed).</li>
 *   <li><b>The barrier passes when every member of the view acked this view</b>, the coordinator
 *       included. The run's generation is above every generation any of them reported.</li>
 *   <li><b>The coordinator asks again only members whose ack is missing</b> (issue 4): a StopAck is
 *       sent once per stop and delivery is at most once, so a lost one is asked for with a Hello
 *       every {@code barrier-retry-interval}. Its own ack is never asked for: it is withheld while
 *       it probes, and sent by itself otherwise.</li>
 *   <li><b>A StopAck for another view converges the views</b> (issue 4): the receiver records it,
 *       learns the members it names and, if its own view did not change, tells the sender the
 *       members it lacks. A StopAck for the view a member runs, from a generation not older than its
 *       own, stops it again (the sender saw a transient change). One that reaches the coordinator of
 *       a run for that very view is a member that stopped again mid-run
 *       ({@code MemberRecovery.memberStoppedAgain}).</li>
 *   <li><b>Failures are named by incarnation</b>: the coordinator's own knowledge first, then every
 *       member's, so a coordinator that never saw a failure (say the restarted incarnation itself)
 *       fences the incarnation the others saw fail, never "any incarnation" of that node.</li>
 * </ol>
 *
 * @param <M> a member incarnation
 */
public final class StopBarrier<M> {

  /** A member stopped for {@code view}; it last ran (or was told) {@code generation} with {@code lastView}, and saw {@code failed} fail. */
  public record Ack<M>(Set<M> view, long generation, List<M> lastView, List<MembershipView.Failure> failed) {
    public Ack {
      view = Set.copyOf(view);
      lastView = List.copyOf(lastView);
      failed = List.copyOf(failed);
    }
  }

  /** The barrier passed: recover {@code change} (at generation at least {@code atLeast}) and fence {@code toFence}. */
  public record Agreed(long atLeast, RecoveryRun.Change change, Map<String, MembershipView.Failure> toFence) {}

  /** What a member does with a StopAck it receives (rule 4); every one is recorded first. */
  public enum OnStopAck {
    /** This coordinator's own ack for a view it has since left: record it, nothing to learn. */
    OWN_FOR_ANOTHER_VIEW,
    /** Another view: learn its members; tell the sender this view if this one did not change. */
    CONVERGE,
    /** The view this member runs, not from an older generation: stop again and rerun the barrier. */
    STOP_AGAIN,
    /** The coordinator of a run for this view: a member stopped again mid-run. */
    STOPPED_MID_RUN,
    /** At the barrier: see whether it passes. */
    COUNT
  }

  /**
   * Rule 4.
   *
   * @param fromSelf         the ack is this member's own
   * @param sameView         it names this member's view
   * @param running          this member runs
   * @param coordinatingRun  this member coordinates a run now
   */
  public static OnStopAck onStopAck(boolean fromSelf, boolean sameView, boolean running, long ackGeneration,
      long generation, boolean coordinatingRun) {
    if (!sameView) {
      return fromSelf ? OnStopAck.OWN_FOR_ANOTHER_VIEW : OnStopAck.CONVERGE;
    }
    if (running && ackGeneration >= generation) {
      return OnStopAck.STOP_AGAIN;
    }
    return coordinatingRun ? OnStopAck.STOPPED_MID_RUN : OnStopAck.COUNT;
  }

  private final Map<M, Ack<M>> acks = new HashMap<>();
  private final boolean askAgain;

  /** A barrier with rule 3. */
  public StopBarrier() {
    this(true);
  }

  private StopBarrier(boolean askAgain) {
    this.askAgain = askAgain;
  }

  /**
   * The behaviour before issue 4's fix: a missing StopAck is never asked for again (rule 3 off).
   * Only the lockspace simulation uses it, to show that it finds the bug the rule fixed.
   */
  public static <M> StopBarrier<M> withoutAskingAgain() {
    return new StopBarrier<>(false);
  }

  /** Member {@code from}'s latest StopAck (rule 1). */
  public void acked(M from, Ack<M> ack) {
    acks.put(from, ack);
  }

  /** A run started (or the barrier is otherwise over): forget every ack. */
  public void clear() {
    acks.clear();
  }

  /** Whether {@code member} acked exactly {@code view} (any generation). */
  public boolean ackedFor(M member, Set<M> view) {
    Ack<M> ack = acks.get(member);
    return ack != null && ack.view().equals(view);
  }

  /**
   * Whether {@code member}'s ack counts for {@code view} (rule 1): it names that view and, if the
   * member ran the coordinator's last run ({@code ranWith} at {@code ranGeneration}), is not older.
   */
  public boolean counts(M member, Set<M> view, Set<M> ranWith, long ranGeneration) {
    Ack<M> ack = acks.get(member);
    return ack != null && ack.view().equals(view)
        && (!ranWith.contains(member) || ack.generation() >= ranGeneration);
  }

  /** The members of {@code sortedView} (other than {@code self}) to ask again for their StopAck (rule 3). */
  public List<M> toAskAgain(List<M> sortedView, M self, Set<M> ranWith, long ranGeneration) {
    if (!askAgain) {
      return List.of();
    }
    Set<M> view = Set.copyOf(sortedView);
    List<M> missing = new ArrayList<>();
    for (M member : sortedView) {
      if (!member.equals(self) && !counts(member, view, ranWith, ranGeneration)) {
        missing.add(member);
      }
    }
    return missing;
  }

  /**
   * The barrier for {@code view}, if every member acked it (rule 2); else {@code null}.
   *
   * @param generation  the coordinator's own generation
   * @param ranWith     the incarnations the coordinator last ran with
   * @param ranGeneration the generation it last ran
   * @param ownFailures what the coordinator itself saw fail, by node
   * @param member      a member incarnation as the recovery core names it
   */
  public Agreed agreed(Set<M> view, long generation, Set<M> ranWith, long ranGeneration,
      Map<String, MembershipView.Failure> ownFailures, Function<M, RecoveryRun.Member> member) {
    long maxGeneration = generation;
    Set<RecoveryRun.Member> lastRunWith = new HashSet<>();
    ranWith.forEach(r -> lastRunWith.add(member.apply(r)));
    Map<String, MembershipView.Failure> failures = new TreeMap<>(ownFailures);
    for (M m : view) {
      if (!counts(m, view, ranWith, ranGeneration)) {
        return null;
      }
      Ack<M> ack = acks.get(m);
      maxGeneration = Math.max(maxGeneration, ack.generation());
      ack.lastView().forEach(r -> lastRunWith.add(member.apply(r)));
      ack.failed().forEach(f -> failures.putIfAbsent(f.node(), f)); // rule 4
    }
    Set<RecoveryRun.Member> members = new HashSet<>();
    view.forEach(r -> members.add(member.apply(r)));
    RecoveryRun.Change change = RecoveryRun.Change.between(maxGeneration + 1, members, lastRunWith, failures.keySet());
    Map<String, MembershipView.Failure> toFence = new TreeMap<>(failures);
    toFence.keySet().retainAll(change.failed());
    return new Agreed(maxGeneration + 1, change, Map.copyOf(toFence));
  }

  /** The nodes a change departs (failed or left cleanly), sorted. */
  public static Set<String> departedNodes(RecoveryRun.Change change) {
    Set<String> names = new TreeSet<>(change.failed());
    names.addAll(change.leftCleanly());
    return names;
  }
}
