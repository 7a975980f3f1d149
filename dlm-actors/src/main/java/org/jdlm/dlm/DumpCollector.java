package org.jdlm.dlm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.jdlm.dlm.core.NodeId;
import org.jdlm.dlm.directory.ResourceName;
import org.jdlm.dlm.dump.LockspaceDump;

/**
 * A short-lived helper of {@link Lockspace}: asks each resource child for its snapshot, waits at
 * most {@code jdlm.dlm-actors.dump-timeout}, and answers one {@link LockspaceDump}. Node-local: its
 * messages never leave this node.
 */
final class DumpCollector {

  /** What the Lockspace knows itself when the dump starts. */
  record Header(String lockspace, NodeId node, String state, long generation, List<NodeId> members,
      Map<ResourceName, NodeId> directoryNodes, List<LockspaceDump.OwnedLock> ownedLocks) {}

  private sealed interface Msg {}

  private record Got(LockspaceDump.ResourceDump resource) implements Msg {}

  private enum Timeout implements Msg { INSTANCE }

  private DumpCollector() {}

  static Behavior<?> create(Header header, List<ActorRef<LockResource.Command>> children, Duration timeout,
      ActorRef<LockspaceDump> replyTo) {
    return Behaviors.<Msg>setup(ctx -> Behaviors.withTimers(timers -> {
      ActorRef<LockspaceDump.ResourceDump> adapter = ctx.messageAdapter(LockspaceDump.ResourceDump.class, Got::new);
      children.forEach(c -> c.tell(new LockResource.DumpResource(adapter)));
      timers.startSingleTimer(Timeout.INSTANCE, timeout);
      List<LockspaceDump.ResourceDump> got = new ArrayList<>();
      Runnable finish = () -> {
        Set<String> names = new HashSet<>();
        List<LockspaceDump.ResourceDump> resources = new ArrayList<>();
        for (LockspaceDump.ResourceDump r : got) {
          names.add(r.name());
          NodeId dir = header.directoryNodes().entrySet().stream()
              .filter(e -> e.getKey().display().equals(r.name())).map(Map.Entry::getValue).findFirst()
              .orElse(header.node());
          resources.add(new LockspaceDump.ResourceDump(r.name(), r.master(), dir.name(), r.grant(), r.convert(),
              r.waiting(), r.lvbHex(), r.lvbSeq(), r.valNotValid()));
        }
        resources.sort(Comparator.comparing(LockspaceDump.ResourceDump::name));
        List<String> missing = header.directoryNodes().keySet().stream().map(ResourceName::display)
            .filter(n -> !names.contains(n)).sorted().toList();
        replyTo.tell(new LockspaceDump(header.lockspace(), header.node().name(), header.state(), header.generation(),
            header.members().stream().map(NodeId::name).toList(), resources, header.ownedLocks(), missing));
      };
      if (children.isEmpty()) {
        finish.run();
        return Behaviors.stopped();
      }
      return Behaviors.receive(Msg.class)
          .onMessage(Got.class, g -> {
            got.add(g.resource());
            if (got.size() == children.size()) {
              finish.run();
              return Behaviors.stopped();
            }
            return Behaviors.same();
          })
          .onMessage(Timeout.class, t -> {
            finish.run();
            return Behaviors.stopped();
          })
          .build();
    }));
  }


  private sealed interface ClusterMsg {}

  private record GotMember(LockspaceDump dump) implements ClusterMsg {}

  private enum ClusterTimeout implements ClusterMsg { INSTANCE }

  /** Asks every member (node name -> member) for its dump and answers the merge. */
  static Behavior<?> cluster(Map<String, ActorRef<Lockspace.Command>> members, Duration timeout,
      ActorRef<Lockspace.ClusterDumpResult> replyTo) {
    return Behaviors.<ClusterMsg>setup(ctx -> Behaviors.withTimers(timers -> {
      ActorRef<LockspaceDump> adapter = ctx.messageAdapter(LockspaceDump.class, GotMember::new);
      members.values().forEach(m -> m.tell(new Lockspace.Dump(adapter)));
      // The members' own dumps wait for their resources; give them that time plus one more.
      timers.startSingleTimer(ClusterTimeout.INSTANCE, timeout.plus(timeout));
      List<LockspaceDump> got = new ArrayList<>();
      Runnable finish = () -> {
        got.sort(Comparator.comparing(LockspaceDump::node));
        Set<String> answered = new HashSet<>();
        got.forEach(d -> answered.add(d.node()));
        List<String> missing = members.keySet().stream().filter(n -> !answered.contains(n)).sorted().toList();
        replyTo.tell(new Lockspace.ClusterDumpResult(List.copyOf(got), missing));
      };
      return Behaviors.receive(ClusterMsg.class)
          .onMessage(GotMember.class, g -> {
            got.add(g.dump());
            if (got.size() == members.size()) {
              finish.run();
              return Behaviors.stopped();
            }
            return Behaviors.same();
          })
          .onMessage(ClusterTimeout.class, t -> {
            finish.run();
            return Behaviors.stopped();
          })
          .build();
    }));
  }
}
