package org.jdlm.dlm.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The membership protocol of one lockspace member (docs/recovery.md §1-3; fs/dlm {@code member.c},
 * {@code recoverd.c}): how Hellos, StopAcks, cluster events, terminations, guardian answers and the
 * coordinator's timers move the member between running and stopped, converge views, and start,
 * abort or restart the coordinator's run. It is the glue between {@link MembershipView},
 * {@link StopBarrier}, {@link Coordination}, {@link PhaseWork} and {@link MemberRecovery}, in the
 * order the lockspace needs them; each handler returns what to do ({@link Effect}s, in order), and
 * the {@code Lockspace} actor and the lockspace simulation carry them out. The issue-4 bugs (a lost
 * StopAck, a false {@code Terminated}, views that never converged) lived in this glue, so it is
 * one class that both run. {@code R} is a member incarnation, {@code A} a node address.
 *
 * <h2>Rules</h2>
 * <ol>
 *   <li><b>Any change of the proposed view stops the member</b> ({@link MembershipView}): it adopts
 *       the view, aborts the run it coordinates (taking its generation, {@link MemberRecovery} rule
 *       4), tells every other member its view with a Hello and, unless it still probes, sends its
 *       StopAck to the coordinator.</li>
 *   <li><b>A Hello teaches its members</b>; one for this member's very view asks for its StopAck or
 *       stops it again ({@link MemberRecovery} rule 5).</li>
 *   <li><b>A StopAck is recorded, then converges, stops again or restarts the run</b>
 *       ({@link StopBarrier} rule 4, {@link Coordination} rule 5); after it the coordinator checks
 *       its barrier.</li>
 *   <li><b>The coordinator's barrier asks a generation once agreed, and otherwise asks the members
 *       it lacks again on a timer</b> ({@link StopBarrier} rules 2-3, {@link Coordination} rules 1-3).</li>
 *   <li><b>Unreachable stops at once, removal departs, reachable again repeats the StopAck</b>
 *       (semantics §6.1).</li>
 *   <li><b>A reported termination is believed or verified</b> with the member's node
 *       ({@link MembershipView} rules); a departure found that way changes the view.</li>
 *   <li><b>A run for another view converges</b> ({@link MemberRecovery} rule 1): the member learns
 *       the run's members and, if its view still differs, tells the run's coordinator its own.</li>
 * </ol>
 */
public final class MemberProtocol<R, A> {

  /** What the shell does, in order. */
  public sealed interface Effect<R> {}

  /** Watch {@code member} with the death watch (watching twice is one watch). */
  public record Watch<R>(R member) implements Effect<R> {}

  /** Tell {@code to} this member's {@code view} at {@code generation} (a Hello). */
  public record SendHello<R>(R to, List<R> view, long generation) implements Effect<R> {}

  /** Send this member's StopAck (its view, generation, last view and failures) to {@code to}. */
  public record SendStopAck<R>(R to) implements Effect<R> {}

  /** Tell {@code to} phase {@code phase} of run {@code generation} for the current view (the run's departures and fences). */
  public record SendRunPhase<R>(R to, long generation, RecoveryPhase phase) implements Effect<R> {}

  /** The member was running and has just stopped: hold callbacks and lock traffic from now on. */
  public record FirstStop<R>(long generation) implements Effect<R> {}

  /** The interrupted run's member-side work (remaster results and the like) is to be forgotten. */
  public record RunWorkForgotten<R>() implements Effect<R> {}

  /** Carry out the coordinator's run effects ({@link RecoveryRun}). */
  public record Run<R>(List<RecoveryRun.Effect> effects) implements Effect<R> {}

  /** Ask the fencing authority for the generation of {@code fetch}; answer with {@link #generationReady}. */
  public record FetchGeneration<R>(Coordination.Fetch<R> fetch) implements Effect<R> {}

  /** Retry {@link #barrierTick} after {@code barrier-retry-interval}; {@code restart}: even if a tick is pending. */
  public record BarrierTimer<R>(boolean restart) implements Effect<R> {}

  /** The generation request failed ({@code error}): ask again after a while ({@link #retryGeneration}). */
  public record RetryGeneration<R>(String error) implements Effect<R> {}

  /** The run for {@code change} starts (the shell notes the detection time and logs it). */
  public record RunStarted<R>(RecoveryRun.Change change) implements Effect<R> {}

  /** Ask {@code member}'s node whether it still runs it, and tick {@link #verifyTick} unless a tick is pending. */
  public record Verify<R>(R member, boolean first) implements Effect<R> {}

  /** Tick {@link #verifyTick} again (members are still being verified). */
  public record VerifyTimer<R>() implements Effect<R> {}

  /** The visible state changed: publish it. */
  public record PublishState<R>() implements Effect<R> {}

  /** Say {@code message} in the log at {@code level}. */
  public record Log<R>(Level level, String message) implements Effect<R> {}

  /** Log levels of {@link Log}. */
  public enum Level { DEBUG, INFO, WARN }

  /** What {@link #runPhase} decided, with the effects of converging or ignoring. */
  public record Step<R>(MemberRecovery.Action action, List<Effect<R>> effects) {}

  private final R self;
  private final MembershipView<R, A> membership;
  private final StopBarrier<R> barrier;
  private final Coordination<R> coordination;
  private final PhaseWork<R, ?> phases;
  private final Function<R, RecoveryRun.Member> member;
  private final Function<R, String> describe;
  private long generation;
  private boolean probing;
  private List<Effect<R>> out = new ArrayList<>();

  /**
   * @param member   a member incarnation as the recovery core sees it
   * @param describe a member for the log (node and incarnation)
   */
  public MemberProtocol(R self, MembershipView<R, A> membership, StopBarrier<R> barrier, Coordination<R> coordination,
      PhaseWork<R, ?> phases, Function<R, RecoveryRun.Member> member, Function<R, String> describe) {
    this.self = self;
    this.membership = membership;
    this.barrier = barrier;
    this.coordination = coordination;
    this.phases = phases;
    this.member = member;
    this.describe = describe;
  }

  /** The lockspace generation this member runs or was last told. */
  public long generation() {
    return generation;
  }

  /** MEMBERS of a run: the member takes the run's generation. */
  public void adoptGeneration(long runGeneration) {
    generation = runGeneration;
  }

  public Set<R> view() {
    return membership.view();
  }

  public R coordinator() {
    return membership.coordinator();
  }

  /** The member starts: stopped for a view of itself; {@code probing}: it withholds its StopAck until {@link #probeFinished}. */
  public List<Effect<R>> start(boolean probingCluster) {
    out = new ArrayList<>();
    probing = probingCluster;
    enterStopped(Set.of(self));
    return out;
  }

  /** The join probe is over: take in the view and send the StopAck withheld meanwhile. */
  public List<Effect<R>> probeFinished() {
    out = new ArrayList<>();
    probing = false;
    viewMaybeChanged();
    if (phases.phase() == RecoveryPhase.AWAIT_FENCING) {
      emit(new SendStopAck<>(coordinator()));
    }
    return out;
  }

  /**
   * A guardian at {@code address} answered that it runs {@code running} (rule 6 for members under
   * verification; while the member probes, it learns them).
   */
  public List<Effect<R>> guardianAnswered(A address, List<R> running) {
    out = new ArrayList<>();
    MembershipView.Settled<R> settled = membership.guardianAnswered(address, running);
    for (R ref : settled.alive()) {
      emit(new Log<>(Level.INFO, "member " + describe.apply(ref) + " is alive after all; watching it again"));
      emit(new Watch<>(ref)); // if the watcher still lags, this reports it again and it is asked again
    }
    for (R ref : settled.departed()) {
      emit(new Log<>(Level.INFO, "member " + describe.apply(ref) + " terminated"));
    }
    if (!probing) {
      if (!settled.departed().isEmpty()) {
        viewMaybeChanged();
      }
    } else {
      running.forEach(this::learn);
    }
    return out;
  }

  /** The receptionist lists {@code listed}. */
  public List<Effect<R>> listed(Set<R> listed) {
    out = new ArrayList<>();
    membership.listed(listed);
    viewMaybeChanged();
    return out;
  }

  /** Rule 2: a Hello from {@code from} naming {@code view} at {@code helloGeneration}. */
  public List<Effect<R>> hello(R from, List<R> helloView, long helloGeneration) {
    out = new ArrayList<>();
    learn(from);
    helloView.forEach(this::learn);
    viewMaybeChanged();
    boolean askedForThisView = !from.equals(self) && view().contains(from) && Set.copyOf(helloView).equals(view());
    switch (MemberRecovery.onHello(askedForThisView, phases.phase(), probing, helloGeneration, generation)) {
      case REPEAT_STOP_ACK -> emit(new SendStopAck<>(coordinator()));
      case STOP_AGAIN -> enterStopped(view());
      default -> { }
    }
    return out;
  }

  /** Rule 3: a StopAck from {@code from}. */
  public List<Effect<R>> stopAck(R from, StopBarrier.Ack<R> ack) {
    out = new ArrayList<>();
    Set<R> theirs = ack.view();
    StopBarrier.OnStopAck action = StopBarrier.onStopAck(from.equals(self), theirs.equals(view()), phases.running(),
        ack.generation(), generation, coordination.run() != null && coordinator().equals(self));
    barrier.acked(from, ack);
    switch (action) {
      case CONVERGE -> {
        Set<R> before = view();
        learn(from);
        membership.sorted(theirs).forEach(this::learn);
        viewMaybeChanged(); // a change stops again: Hello to all, StopAck to the coordinator
        if (view() == before && view().contains(from)) {
          // Tell it the members it lacks. (Those it dropped because they terminated stay out there;
          // this member drops them too when its own watch reports them.)
          emit(new SendHello<>(from, membership.sorted(view()), generation));
        }
        checkAllStopped();
      }
      case STOP_AGAIN -> {
        enterStopped(view());
        checkAllStopped();
      }
      case STOPPED_MID_RUN -> restartRunFor(from, ack.generation());
      default -> checkAllStopped(); // OWN_FOR_ANOTHER_VIEW, COUNT
    }
    return out;
  }

  /** Rule 4: the barrier timer fired. */
  public List<Effect<R>> barrierTick() {
    out = new ArrayList<>();
    if (!coordination.atBarrier(coordinator().equals(self), phases.phase())) {
      return out;
    }
    List<R> missing = barrier.toAskAgain(membership.sorted(view()), self, membership.ranWith(),
        membership.ranGeneration());
    if (!missing.isEmpty()) {
      emit(new Log<>(Level.INFO, "barrier for " + describe(view()) + " still lacks the StopAck of "
          + describe(Set.copyOf(missing)) + "; asking again"));
      List<R> viewList = membership.sorted(view());
      missing.forEach(m -> emit(new SendHello<>(m, viewList, generation)));
    }
    emit(new BarrierTimer<>(true)); // until the run starts or the view changes
    return out;
  }

  /** Rule 4: the generation request failed earlier; check the barrier again. */
  public List<Effect<R>> retryGeneration() {
    out = new ArrayList<>();
    checkAllStopped();
    return out;
  }

  /** Rule 4: the fencing authority answered {@code fetch} with {@code change} (its generation), or {@code error}. */
  public List<Effect<R>> generationReady(Coordination.Fetch<R> fetch, RecoveryRun.Change change, String error) {
    out = new ArrayList<>();
    boolean stillWaiting = fetch.view().equals(view()) && phases.phase() == RecoveryPhase.AWAIT_FENCING
        && coordinator().equals(self);
    switch (coordination.generationReady(fetch.view(), stillWaiting, error != null, change, fetch.toFence())) {
      case RETRY -> emit(new RetryGeneration<>(error));
      case STARTED -> {
        barrier.clear();
        emit(new RunStarted<>(change));
        emit(new Run<>(coordination.started()));
        emit(new PublishState<>());
      }
      default -> { } // STALE: a newer change overtook this one; its own round is under way
    }
    return out;
  }

  /**
   * Rule 5: a cluster event about incarnation {@code incarnation} at {@code address};
   * {@code otherIncarnationThere}: for DOWNED, whether the cluster already shows another incarnation
   * there ({@link MembershipView} rule 6); {@code node} names the address in the log.
   */
  public List<Effect<R>> clusterEvent(A address, long incarnation, MembershipView.Change change,
      boolean otherIncarnationThere, String node) {
    out = new ArrayList<>();
    MembershipView.Event<R> e = membership.event(address, incarnation, change, otherIncarnationThere);
    e.watch().forEach(ref -> emit(new Watch<>(ref))); // the cluster's death watch covers the address from now on
    if (!e.departed().isEmpty()) {
      if (change == MembershipView.Change.REMOVED) {
        emit(new Log<>(Level.INFO, "members " + describe(Set.copyOf(e.departed())) + " left with their node"));
      }
      viewMaybeChanged();
      return out;
    }
    if (e.unreachableInView()) {
      emit(new Log<>(Level.WARN, "member " + node + " is unreachable; stopping until recovery"));
      if (phases.running()) {
        enterStopped(view()); // same view: the barrier waits until it is reachable again or removed
        return out;
      }
    }
    if (e.reachableInView() && phases.phase() == RecoveryPhase.AWAIT_FENCING) {
      emit(new SendStopAck<>(coordinator())); // a transient failure: the barrier for the same view can now complete
    }
    return out;
  }

  /** Rule 6: the death watch reported {@code ref} terminated. */
  public List<Effect<R>> terminated(R ref, long nowNanos) {
    out = new ArrayList<>();
    MembershipView.Termination verdict = membership.terminated(ref, nowNanos);
    if (verdict != MembershipView.Termination.DEPART) {
      emit(new Verify<>(ref, verdict == MembershipView.Termination.VERIFY_FIRST));
      return out;
    }
    emit(new Log<>(Level.INFO, "member " + describe.apply(ref) + " terminated"));
    viewMaybeChanged();
    return out;
  }

  /** Rule 6: the verification timer fired; a node silent for {@code timeoutNanos} cannot run the member. */
  public List<Effect<R>> verifyTick(long nowNanos, long timeoutNanos) {
    out = new ArrayList<>();
    MembershipView.VerifyRound<R> round = membership.verifyTick(nowNanos, timeoutNanos);
    for (R gone : round.departed()) {
      emit(new Log<>(Level.WARN, "no answer about member " + describe.apply(gone)
          + " from its node within the join timeout; taking it as terminated"));
    }
    round.askAgain().forEach(ref -> emit(new Verify<>(ref, false))); // the first question's time stays
    if (membership.verifying()) {
      emit(new VerifyTimer<>());
    }
    if (!round.departed().isEmpty()) {
      viewMaybeChanged();
    }
    return out;
  }

  /**
   * Rule 7 and {@link MemberRecovery#onRunPhase}: the coordinator orders {@code phase} of run
   * {@code runGeneration} for {@code runView}. CONVERGE and IGNORE are handled here; on
   * START_MEMBERS and START_PHASE the shell does the phase's work.
   */
  public Step<R> runPhase(long runGeneration, RecoveryPhase phase, List<R> runView) {
    out = new ArrayList<>();
    Set<R> theirs = Set.copyOf(runView);
    MemberRecovery.Action action = MemberRecovery.onRunPhase(phases.phase(), generation, phases.runGeneration(), phase,
        runGeneration, theirs.equals(view()));
    if (action == MemberRecovery.Action.CONVERGE) {
      emit(new Log<>(Level.INFO, "recovery " + runGeneration + " is for view " + describe(theirs) + ", this member has "
          + describe(view()) + " (at " + phaseText() + " of generation " + generation + ")"));
      Set<R> before = view();
      membership.sorted(theirs).forEach(this::learn);
      viewMaybeChanged();
      if (view() == before && !theirs.equals(view())) {
        emit(new SendHello<>(membership.sorted(theirs).get(0), membership.sorted(view()), generation));
      }
    } else if (action == MemberRecovery.Action.IGNORE) {
      emit(new Log<>(Level.INFO, "ignored " + phase + " of recovery " + runGeneration + " (this member is at "
          + phaseText() + " of " + generation + ")"));
    }
    return new Step<>(action, out);
  }

  // ---------------------------------------------------------------------------------- the glue

  private void emit(Effect<R> effect) {
    out.add(effect);
  }

  private void learn(R ref) {
    watched(ref, membership.learn(ref));
  }

  /**
   * Watches a member once the cluster's death watch covers its address ({@link MembershipView}
   * rule 2): a member restarted at the same address would otherwise be reported terminated at
   * once, and a terminated member never comes back (issue #4).
   */
  private void watched(R ref, MembershipView.Watch watch) {
    if (watch == MembershipView.Watch.NOW) {
      emit(new Watch<>(ref));
    } else if (watch == MembershipView.Watch.WHEN_UP) {
      emit(new Log<>(Level.DEBUG, "watching " + describe.apply(ref) + " once its node is Up here"));
    }
  }

  /** Rule 1: the receptionist or a terminated member may still be in the view; a change stops the member. */
  private void viewMaybeChanged() {
    Set<R> next = membership.proposed();
    if (next.equals(view())) {
      return;
    }
    Set<R> added = new java.util.HashSet<>(next);
    added.removeAll(view());
    Set<R> removed = new java.util.HashSet<>(view());
    removed.removeAll(next);
    emit(new Log<>(Level.INFO, "view changes (added " + describe(added) + ", removed " + describe(removed)
        + "; departed " + describe(membership.departed()) + ")"));
    enterStopped(next);
  }

  /** Rule 1. */
  private void enterStopped(Set<R> nextView) {
    boolean wasRunning = phases.running();
    membership.adopt(nextView);
    if (wasRunning) {
      emit(new FirstStop<>(generation));
    }
    // A newer change restarts recovery from the beginning (semantics §6.3: -EINTR, restart).
    phases.stop();
    emit(new RunWorkForgotten<>());
    emit(new Run<>(coordination.abort("membership changed again")));
    generation = Math.max(generation, coordination.abortedGeneration()); // MemberRecovery rule 4
    List<R> viewList = membership.sorted(view());
    for (R m : viewList) {
      if (!m.equals(self)) {
        watched(m, membership.watch(m)); // a departed member must leave the view even if someone's Hello still names it
        emit(new SendHello<>(m, viewList, generation));
      }
    }
    if (!probing) {
      emit(new SendStopAck<>(coordinator()));
    }
    emit(new PublishState<>());
  }

  /**
   * Coordinator, mid-run: {@code from} stopped again for the same view (rule 3; {@link Coordination}
   * rule 5): told MEMBERS again, or the run restarts under a new generation with the same change.
   */
  private void restartRunFor(R from, long ackGeneration) {
    Coordination.StoppedAgain<R> again =
        coordination.memberStoppedAgain(describe.apply(from), ackGeneration, view(), generation);
    switch (again.action()) {
      case TELL_MEMBERS_AGAIN -> emit(new SendRunPhase<>(from, coordination.run().generation(), RecoveryPhase.MEMBERS));
      case RESTART -> {
        emit(new Run<>(again.aborted()));
        generation = again.generationFloor(); // MemberRecovery rule 4
        phases.stop();
        emit(new RunWorkForgotten<>());
        emit(new FetchGeneration<>(again.fetch()));
      }
      default -> { } // NOTHING: the run still waits for fencing
    }
  }

  /** Rule 4: once every member stopped for the same view, ask for the run's generation. */
  private void checkAllStopped() {
    if (!coordination.atBarrier(coordinator().equals(self), phases.phase())) {
      return;
    }
    StopBarrier.Agreed agreed = barrier.agreed(view(), generation, membership.ranWith(), membership.ranGeneration(),
        membership.failures(), member);
    if (agreed == null) {
      emit(new BarrierTimer<>(false));
      return;
    }
    Coordination.Fetch<R> fetch = coordination.prepare(agreed, view());
    if (fetch != null) {
      emit(new FetchGeneration<>(fetch)); // else the generation for this view is already being fetched
    }
  }

  private String phaseText() {
    return phases.running() ? "running" : String.valueOf(phases.phase());
  }

  private List<String> describe(Set<R> refs) {
    return refs.stream().map(describe).sorted().toList();
  }
}
