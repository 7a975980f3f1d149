package org.jdlm.member;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.jdlm.fencing.core.JoinStall;

/**
 * Watches a welcomed member that stays Joining although nobody else has seen it (its welcoming
 * member died before gossiping it, issue 14 item 2) and, when {@link JoinStall} says so, stops the
 * ActorSystem so that {@code dlm node} starts a new incarnation that joins through the seeds again.
 * Decisions: {@link JoinStall}; this actor only samples the cluster state on a timer.
 */
public final class JoinWatch {

  /** Why the system stops: {@code dlm node} starts over instead of exiting. */
  enum Rejoin implements CoordinatedShutdown.Reason { JOIN_STALLED }

  private enum Check { INSTANCE }

  private JoinWatch() {}

  /**
   * Starts the watch on {@code system}.
   *
   * @return completes with true when this watch stopped the system to start over
   */
  public static CompletableFuture<Boolean> install(ActorSystem<?> system, Config config) {
    Config c = config.getConfig("jdlm.cli.node.join-stall");
    Duration after = c.getDuration("after");
    Duration interval = c.getDuration("check-interval");
    CompletableFuture<Boolean> rejoin = new CompletableFuture<>();
    system.getWhenTerminated().whenComplete((d, e) -> rejoin.complete(false));
    system.systemActorOf(behavior(new JoinStall(after.toMillis()), interval, rejoin), "join-watch", Props.empty());
    return rejoin;
  }

  private static Behavior<Check> behavior(JoinStall stall, Duration interval, CompletableFuture<Boolean> rejoin) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Check.INSTANCE, interval);
      Cluster cluster = Cluster.get(ctx.getSystem());
      return Behaviors.receiveMessage(check -> {
        MemberStatus status = cluster.selfMember().status();
        ClusterEvent.CurrentClusterState state = cluster.state();
        Address self = cluster.selfMember().address();
        Set<Address> unreachable = state.getUnreachable().stream().map(m -> m.address()).collect(Collectors.toSet());
        boolean seenByAnother = state.getSeenBy().stream().anyMatch(a -> !a.equals(self) && !unreachable.contains(a));
        boolean joining = status == MemberStatus.joining();
        boolean wasMember = !joining && status != MemberStatus.removed();
        long now = System.currentTimeMillis();
        if (stall.observe(now, joining, wasMember, seenByAnother) == JoinStall.Verdict.REJOIN) {
          ctx.getLog().warn("still Joining {} ms after the Welcome and no other reachable member has seen this member"
              + " (its welcoming member is gone?): starting over as a new incarnation through the seed nodes",
              stall.stalledFor(now));
          rejoin.complete(true);
          CoordinatedShutdown.get(ctx.getSystem()).runAll(Rejoin.JOIN_STALLED);
          return Behaviors.stopped();
        }
        // Once the others know this member it never starts over: the watch has done its job.
        return wasMember ? Behaviors.stopped() : Behaviors.same();
      });
    }));
  }
}
