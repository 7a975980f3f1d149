package org.jdlm.recovery;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.apache.pekko.cluster.typed.Subscribe;
import org.jdlm.fencing.FenceCoordinator;
import org.jdlm.fencing.core.UnreachableFencing;
import org.jdlm.fencing.core.UnreachableFencing.Action;

/**
 * Fences a member the failure detector marked unreachable once it stayed so for
 * {@code jdlm.fencing.on-unreachable.after}, from the side that holds a strict majority, and then
 * downs it — so recovery starts about {@code stable-after} sooner than when the split-brain resolver
 * downs it first and recovery fences afterwards. Decisions: {@link UnreachableFencing}; this actor
 * feeds it cluster events and carries out its actions. The split-brain resolver stays in charge of
 * everything else (ties, minorities, a fence that fails: it still downs after {@code stable-after},
 * and recovery then waits for the fence as before). docs/fencing.md "Fencing on unreachable".
 */
public final class UnreachableFencer {

  public sealed interface Command {}

  /** Adapted cluster event: membership. */
  private record MemberChanged(ClusterEvent.MemberEvent event) implements Command {}

  /** Adapted cluster event: reachability (as gossiped: any member's failure detector). */
  private record ReachabilityChanged(ClusterEvent.ReachabilityEvent event) implements Command {}

  /** Timer: look for members that became due. */
  private enum Check implements Command { INSTANCE }

  /** A fence asked for here ended. */
  private record Outcome(UnreachableFencing.Member member, FenceRequest.Outcome outcome) implements Command {}

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final ActorRef<FenceCoordinator.Command> coordinator;
  private final Duration fenceTimeout;
  private final Duration checkInterval;
  private final UnreachableFencing policy;
  private final Cluster cluster;
  private final String self;

  public static Behavior<Command> create(ActorRef<FenceCoordinator.Command> coordinator, Duration after,
                                  Duration checkInterval, Duration fenceTimeout) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new UnreachableFencer(ctx, timers, coordinator, after, checkInterval, fenceTimeout).behavior()));
  }

  private UnreachableFencer(ActorContext<Command> ctx, TimerScheduler<Command> timers,
                            ActorRef<FenceCoordinator.Command> coordinator, Duration after, Duration checkInterval,
                            Duration fenceTimeout) {
    this.ctx = ctx;
    this.timers = timers;
    this.coordinator = coordinator;
    this.fenceTimeout = fenceTimeout;
    this.checkInterval = checkInterval;
    this.policy = new UnreachableFencing(after.toMillis());
    this.cluster = Cluster.get(ctx.getSystem());
    this.self = cluster.selfMember().address().toString();
    cluster.subscriptions().tell(Subscribe.create(
        ctx.messageAdapter(ClusterEvent.MemberEvent.class, MemberChanged::new), ClusterEvent.MemberEvent.class));
    cluster.subscriptions().tell(Subscribe.create(
        ctx.messageAdapter(ClusterEvent.ReachabilityEvent.class, ReachabilityChanged::new),
        ClusterEvent.ReachabilityEvent.class));
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(MemberChanged.class, this::onMember)
        .onMessage(ReachabilityChanged.class, this::onReachability)
        .onMessageEquals(Check.INSTANCE, this::onCheck)
        .onMessage(Outcome.class, this::onOutcome)
        .build();
  }

  private Behavior<Command> onMember(MemberChanged m) {
    Member member = m.event().member();
    if (m.event() instanceof ClusterEvent.MemberRemoved) {
      policy.memberRemoved(member.address().toString());
    } else {
      policy.memberChanged(toPolicy(member));
    }
    return onCheck();
  }

  private Behavior<Command> onReachability(ReachabilityChanged r) {
    String address = r.event().member().address().toString();
    if (r.event() instanceof ClusterEvent.UnreachableMember) {
      policy.memberChanged(toPolicy(r.event().member()));
      policy.unreachable(address, System.currentTimeMillis());
    } else {
      policy.reachable(address);
    }
    return onCheck();
  }

  private Behavior<Command> onCheck() {
    long now = System.currentTimeMillis();
    // Asked at the moment of sending: what this member's own failure detector hears right now.
    for (Action action : policy.due(self, now, this::heardNow)) {
      fence((Action.Fence) action, now);
    }
    if (policy.anyUnreachable()) {
      if (!timers.isTimerActive(Check.INSTANCE)) {
        timers.startSingleTimer(Check.INSTANCE, checkInterval);
      }
    } else {
      timers.cancel(Check.INSTANCE);
    }
    return Behaviors.same();
  }

  private void fence(Action.Fence f, long now) {
    UnreachableFencing.Member target = f.member();
    ctx.getLog().warn("{} ({}, incarnation {}) unreachable for {} ms and this side holds the majority: fencing it",
        target.name(), target.address(), target.incarnation(), f.unreachableForMillis());
    CompletableFuture<FenceRequest.Outcome> result = new CompletableFuture<>();
    long detectedAt = now - f.unreachableForMillis(); // the watchdog agent counts from the detection
    ctx.spawnAnonymous(FenceRequest.create(coordinator,
        r -> new FenceCoordinator.Fence(target.name(), target.incarnation(), target.address(), detectedAt, r),
        fenceTimeout, result), Props.empty());
    ctx.pipeToSelf(result, (o, e) -> new Outcome(target, e != null ? new FenceRequest.Outcome(null, List.of(), true) : o));
  }

  private Behavior<Command> onOutcome(Outcome o) {
    if (o.outcome().last() instanceof FenceCoordinator.Fenced fenced) {
      for (Action action : policy.fenced(o.member())) {
        UnreachableFencing.Member m = ((Action.Down) action).member();
        ctx.getLog().warn("{} (incarnation {}) fenced by {}; downing it", m.name(), m.incarnation(), fenced.agent());
        cluster.manager().tell(new Down(org.apache.pekko.actor.AddressFromURIString.parse(m.address())));
      }
    } else {
      String why = o.outcome().last() instanceof FenceCoordinator.FenceRefused r ? "refused: " + r.reason()
          : "no confirmation within " + fenceTimeout;
      ctx.getLog().warn("fencing {} on unreachability did not complete ({}); the split-brain resolver decides, "
          + "and this member tries again", o.member().name(), why);
      policy.fenceFailed(o.member(), System.currentTimeMillis());
    }
    return onCheck();
  }

  /**
   * Whether this member's failure detector monitors {@code address} and hears it now. Reachability
   * as gossiped is updated only at each observer's reaper tick and then spread by gossip; the
   * detector sees a resumed member's first heartbeat (issue 14, item 1).
   */
  private boolean heardNow(String address) {
    org.apache.pekko.actor.Address a = org.apache.pekko.actor.AddressFromURIString.parse(address);
    var detector = org.apache.pekko.cluster.Cluster.get(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(
        ctx.getSystem())).failureDetector();
    return detector.isMonitoring(a) && detector.isAvailable(a);
  }

  /** Only members carrying a lab name can be fenced (the agents address nodes by it). */
  private static UnreachableFencing.Member toPolicy(Member m) {
    String name = NodeName.fromRoles(m.getRoles()).orElse(m.address().toString());
    return new UnreachableFencing.Member(m.address().toString(), name, m.uniqueAddress().longUid(), status(m.status()));
  }

  private static UnreachableFencing.Status status(MemberStatus s) {
    if (s == MemberStatus.joining()) {
      return UnreachableFencing.Status.JOINING;
    } else if (s == MemberStatus.weaklyUp()) {
      return UnreachableFencing.Status.WEAKLY_UP;
    } else if (s == MemberStatus.up()) {
      return UnreachableFencing.Status.UP;
    } else if (s == MemberStatus.leaving()) {
      return UnreachableFencing.Status.LEAVING;
    } else if (s == MemberStatus.exiting()) {
      return UnreachableFencing.Status.EXITING;
    } else if (s == MemberStatus.down() || s == MemberStatus.removed()) {
      return UnreachableFencing.Status.DOWN;
    }
    // PreparingForShutdown, ReadyForShutdown: still members, on their way out like a Leaving one.
    return UnreachableFencing.Status.LEAVING;
  }
}
