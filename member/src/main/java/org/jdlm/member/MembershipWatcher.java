package org.jdlm.member;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.jdlm.recovery.NodeName;

/**
 * Answers "what does this member see?" for the control endpoint's {@code /status}: the current
 * membership from Pekko's cluster state plus the members it saw removed, which Pekko forgets at
 * once but the lab needs to show ("n2 Removed") and to time failure handling.
 */
public final class MembershipWatcher extends AbstractBehavior<MembershipWatcher.Command> {

  public sealed interface Command {}

  /** From the control endpoint's /status handler: replies this member's {@link MembershipView}. */
  public record GetView(ActorRef<MembershipView> replyTo) implements Command {}

  /** Adapted cluster event: a member left the membership for good. */
  private record Removed(ClusterEvent.MemberRemoved event) implements Command {}

  private final Cluster cluster;
  private final int historyLimit;
  // Bounded (jdlm.cli.node.removed-history): oldest removals fall off first.
  private final Deque<MembershipView.Removed> removed = new ArrayDeque<>();

  /** @param historyLimit how many removals to remember */
  public static Behavior<Command> create(int historyLimit) {
    return Behaviors.setup(ctx -> new MembershipWatcher(ctx, historyLimit));
  }

  private MembershipWatcher(ActorContext<Command> ctx, int historyLimit) {
    super(ctx);
    this.cluster = Cluster.get(ctx.getSystem());
    this.historyLimit = historyLimit;
    ActorRef<ClusterEvent.MemberRemoved> adapter = ctx.messageAdapter(ClusterEvent.MemberRemoved.class, Removed::new);
    cluster.subscriptions().tell(Subscribe.create(adapter, ClusterEvent.MemberRemoved.class));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(GetView.class, this::onGetView)
        .onMessage(Removed.class, this::onRemoved)
        .build();
  }

  private Behavior<Command> onRemoved(Removed message) {
    org.apache.pekko.cluster.Member m = message.event().member();
    removed.addLast(new MembershipView.Removed(nameOf(m), m.address().toString(), m.uniqueAddress().longUid(),
        message.event().previousStatus().toString(), System.currentTimeMillis()));
    while (removed.size() > historyLimit) {
      removed.removeFirst();
    }
    return this;
  }

  private Behavior<Command> onGetView(GetView request) {
    request.replyTo().tell(currentView());
    return this;
  }

  private MembershipView currentView() {
    CurrentClusterState state = cluster.state();
    org.apache.pekko.cluster.Member self = cluster.selfMember();
    List<MembershipView.Member> members = new ArrayList<>();
    for (org.apache.pekko.cluster.Member m : state.getMembers()) {
      members.add(new MembershipView.Member(nameOf(m), m.address().toString(), m.uniqueAddress().longUid(),
          m.status().toString(), !state.getUnreachable().contains(m)));
    }
    String leader = state.getLeader() == null ? "-" : state.getLeader().toString();
    return new MembershipView(
        new MembershipView.Self(nameOf(self), self.address().toString(), self.uniqueAddress().longUid(),
            self.status().toString(), leader),
        members, List.copyOf(removed));
  }

  private static String nameOf(org.apache.pekko.cluster.Member m) {
    return NodeName.fromRoles(m.getRoles()).orElse("?");
  }
}
