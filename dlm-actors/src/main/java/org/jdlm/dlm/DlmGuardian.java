package org.jdlm.dlm;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.jdlm.common.wire.WireMessage;

/**
 * The per-node parent of every {@link Lockspace} member actor of this node, at the well-known path
 * {@code /system/jdlm} so that a joining member on another node can {@link Probe} it.
 *
 * <p>{@link Join} is node-local (it carries this node's owner-side half of the lockspace, a Java
 * object with a callback thread); {@link Probe} crosses nodes.
 */
public final class DlmGuardian {

  /** The guardian's name under {@code /system}. */
  public static final String NAME = "jdlm";

  /** Commands to the guardian. */
  public sealed interface Command {}

  /** From {@code Dlm.joinLockspace} on this node (node-local): start this node's member of {@code local.name()}. No reply; {@code local} completes its join future when the member first runs. */
  public record Join(LockspaceLocal local) implements Command {}

  /** From a joining {@link Lockspace} on another node: does this node run lockspace {@code lockspace}? Replies {@link Lockspace.ProbeReply}. */
  public record Probe(String lockspace, ActorRef<Lockspace.Command> replyTo) implements Command, WireMessage {}

  private DlmGuardian() {}

  /** The guardian behaviour; {@code settings} are passed to every lockspace. */
  public static Behavior<Command> create(DlmSettings settings) {
    return Behaviors.setup(ctx -> {
      long[] counter = {0};
      Map<String, ActorRef<Lockspace.Command>> members = new HashMap<>();
      String selfAddress = Cluster.get(ctx.getSystem()).selfMember().address().toString();
      return Behaviors.receive(Command.class)
          .onMessage(Join.class, join -> {
            // A unique child name: a member that just left may still be stopping under the old name.
            ActorRef<Lockspace.Command> ref = ctx.spawn(Lockspace.create(join.local(), settings),
                "ls-" + join.local().name() + "-" + (++counter[0]));
            ctx.watch(ref);
            // Recorded before any later Probe is processed: a concurrent joiner either sees this
            // member or is seen by it (see Lockspace, "joining").
            members.put(join.local().name(), ref);
            return Behaviors.same();
          })
          .onMessage(Probe.class, probe -> {
            ActorRef<Lockspace.Command> ref = members.get(probe.lockspace());
            probe.replyTo().tell(new Lockspace.ProbeReply(selfAddress, ref == null ? List.of() : List.of(ref)));
            return Behaviors.same();
          })
          .onSignal(Terminated.class, t -> {
            members.values().removeIf(ref -> ref.equals(t.getRef()));
            return Behaviors.same();
          })
          .build();
    });
  }
}
