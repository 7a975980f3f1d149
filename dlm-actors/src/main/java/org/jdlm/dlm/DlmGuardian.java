package org.jdlm.dlm;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The per-node parent of every {@link Lockspace} member actor of this node.
 *
 * <p>Its protocol is node-local by design: {@link Join} carries this node's owner-side half of
 * the lockspace (a Java object with a callback thread), so it never implements
 * {@code WireMessage} and never crosses nodes.
 */
public final class DlmGuardian {

  /** Node-local commands from the {@code Dlm} extension. */
  public sealed interface Command {}

  /** From {@code Dlm.joinLockspace}: start this node's member of {@code local.name()}. No reply; {@code local} completes its join future when the member first runs. */
  public record Join(LockspaceLocal local) implements Command {}

  private DlmGuardian() {}

  /** The guardian behaviour; {@code settings} are passed to every lockspace. */
  public static Behavior<Command> create(DlmSettings settings) {
    return Behaviors.setup(ctx -> {
      long[] counter = {0};
      return Behaviors.receive(Command.class)
          .onMessage(Join.class, join -> {
            // A unique child name: a member that just left may still be stopping under the old name.
            ctx.spawn(Lockspace.create(join.local(), settings), "ls-" + join.local().name() + "-" + (++counter[0]));
            return Behaviors.same();
          })
          .build();
    });
  }
}
