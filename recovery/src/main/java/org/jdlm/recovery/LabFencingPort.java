package org.jdlm.recovery;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.jdlm.dlm.api.FencingPort;
import org.jdlm.fencing.FenceCoordinator;
import org.jdlm.fencing.FencingAuthority;

/**
 * The DLM's fencing, connected to this member's fence coordinator and the persistent fencing
 * authority (the node assembly's half of {@link FencingPort}): a lockspace recovery waits for a real
 * fence (power agent: the process is killed; storage agent: its key is revoked) and takes every
 * recovery generation from the authority's journal, so fencing tokens never go back, not even after
 * every member restarted.
 *
 * <p>The DLM names members by their cluster address ({@code host:port}); the fence agents by the
 * lab name ({@code n2}), which members carry as a cluster role. A member is already removed from the
 * cluster when recovery asks to fence it, so the names are remembered as members come up.
 */
public final class LabFencingPort implements FencingPort {

  private final ActorSystem<?> system;
  private final ActorRef<FenceCoordinator.Command> coordinator;
  private final ActorRef<FencingAuthority.Command> authority;
  private final Duration fenceTimeout;
  private final Duration askTimeout;
  private final Map<String, String> namesByHostPort = new ConcurrentHashMap<>();
  /** How often a fence held back on the minority side looks at the membership again. */
  private static final Duration MAJORITY_RECHECK = Duration.ofMillis(500);

  public LabFencingPort(ActorSystem<?> system, ActorRef<FenceCoordinator.Command> coordinator,
      ActorRef<FencingAuthority.Command> authority, Duration fenceTimeout, Duration askTimeout) {
    this.system = system;
    this.coordinator = coordinator;
    this.authority = authority;
    this.fenceTimeout = fenceTimeout;
    this.askTimeout = askTimeout;
    system.systemActorOf(rememberNames(), "dlm-fencing-names", Props.empty());
  }

  private Behavior<ClusterEvent.MemberEvent> rememberNames() {
    return Behaviors.setup(ctx -> {
      Cluster.get(ctx.getSystem()).subscriptions().tell(new Subscribe<>(ctx.getSelf(), ClusterEvent.MemberEvent.class));
      return Behaviors.receiveMessage(e -> {
        NodeName.fromRoles(e.member().getRoles()).ifPresent(n -> namesByHostPort.put(hostPort(e.member().address()), n));
        return Behaviors.same();
      });
    });
  }

  private static String hostPort(org.apache.pekko.actor.Address a) {
    return a.getHost().orElse("") + ":" + a.getPort().map(String::valueOf).orElse("");
  }

  @Override
  public CompletionStage<Long> fence(String node, String address, long incarnation) {
    CompletableFuture<Void> allowed = new CompletableFuture<>();
    awaitMayFence(node, address, allowed, true);
    return allowed.thenCompose(v -> fenceNow(node, address, incarnation));
  }

  /**
   * A lockspace starts recovery as soon as a member drops out of its listing, which happens when the
   * member is merely unreachable from here: on the minority side of a partition too. Fencing the
   * majority from there would revoke the survivors' disk keys (found by `dlm chaos`: a member cut off
   * both ways preempted the other two members' keys the moment the partition healed, and the
   * majority could fence nobody afterwards). So a member that is still in the cluster (not Down,
   * Exiting or Removed) is fenced only while this side holds a strict majority of the members,
   * the rule of {@link UnreachableFencer}; otherwise the fence waits, and a minority's never goes out:
   * it is downed and its recovery dies with it.
   */
  private void awaitMayFence(String node, String address, CompletableFuture<Void> allowed, boolean first) {
    if (mayFence(node, address)) {
      allowed.complete(null);
      return;
    }
    if (first) {
      org.slf4j.LoggerFactory.getLogger(LabFencingPort.class).warn("fencing of {} waits: it is still a cluster member"
          + " and this side does not hold the majority", namesByHostPort.getOrDefault(node, node));
    }
    if (!system.whenTerminated().isCompleted()) {
      system.scheduler().scheduleOnce(MAJORITY_RECHECK, () -> awaitMayFence(node, address, allowed, false),
          system.executionContext());
    }
  }

  private boolean mayFence(String node, String address) {
    org.apache.pekko.cluster.Cluster cluster = org.apache.pekko.cluster.Cluster.get(
        org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system));
    org.apache.pekko.cluster.MemberStatus self = cluster.selfMember().status();
    if (self != org.apache.pekko.cluster.MemberStatus.up() && self != org.apache.pekko.cluster.MemberStatus.weaklyUp()) {
      // Downed (or leaving): the others look removed from here, but this member decides nothing any more.
      return false;
    }
    org.apache.pekko.cluster.ClusterEvent.CurrentClusterState state = cluster.state();
    java.util.List<org.apache.pekko.cluster.Member> members = new java.util.ArrayList<>();
    state.getMembers().forEach(members::add);
    java.util.Optional<org.apache.pekko.cluster.Member> victim = members.stream()
        .filter(m -> hostPort(m.address()).equals(node) || m.address().toString().equals(address)).findFirst();
    if (victim.isEmpty()) {
      return true; // removed: downed by the side that decides
    }
    org.apache.pekko.cluster.MemberStatus status = victim.get().status();
    if (status == org.apache.pekko.cluster.MemberStatus.down() || status == org.apache.pekko.cluster.MemberStatus.exiting()
        || status == org.apache.pekko.cluster.MemberStatus.removed()) {
      return true;
    }
    long unreachable = members.stream().filter(m -> state.getUnreachable().contains(m)).count();
    return (members.size() - unreachable) * 2 > members.size();
  }

  private CompletionStage<Long> fenceNow(String node, String address, long incarnation) {
    String name = namesByHostPort.getOrDefault(node, node);
    CompletableFuture<FenceRequest.Outcome> outcome = new CompletableFuture<>();
    long detectedAt = System.currentTimeMillis();
    system.systemActorOf(FenceRequest.create(coordinator,
            r -> new FenceCoordinator.Fence(name, incarnation, address, detectedAt, r), fenceTimeout, outcome),
        "dlm-fence-" + name + "-" + System.nanoTime(), Props.empty());
    return outcome.thenCompose(o -> {
      if (o.last() instanceof FenceCoordinator.Fenced f) {
        return CompletableFuture.completedFuture(f.generation());
      }
      String why = o.last() instanceof FenceCoordinator.FenceRefused r ? "refused: " + r.reason()
          : "no confirmation within " + fenceTimeout + (o.failures().isEmpty() ? "" : ", last failure: "
              + o.failures().get(o.failures().size() - 1).reason());
      return CompletableFuture.failedFuture(new IllegalStateException("fencing of " + name + " " + why));
    });
  }

  @Override
  public CompletionStage<Long> advanceGeneration(long atLeast, String reason) {
    return AskPattern.<FencingAuthority.Command, FencingAuthority.Advanced>ask(authority,
            r -> new FencingAuthority.Advance(reason, r), askTimeout, system.scheduler())
        .thenApply(a -> Math.max(a.generation(), atLeast));
  }

  @Override
  public String toString() {
    return "lab fencing (fence coordinator + persistent authority)";
  }
}
