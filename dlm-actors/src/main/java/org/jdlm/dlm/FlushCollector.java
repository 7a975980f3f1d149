package org.jdlm.dlm;

import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.jdlm.common.wire.WireMessage;

/**
 * One flush of a member's masters ({@link org.jdlm.dlm.api.LockspaceHandle#flush()}): every
 * resource this member masters sends a {@link Lockspace.FlushMarker} to each owner it has delivered
 * events to, behind those events (one sender, one receiver: Artery keeps their order); the owner
 * answers once its callback thread has run everything queued before the marker. When every
 * resource reported how many markers it sent and that many acks came back, every event sent before
 * the flush has reached its owner's callbacks. Bounded: {@code jdlm.dlm-actors.flush-timeout}.
 */
public final class FlushCollector {

  /** Messages to a collector. */
  public sealed interface Command extends WireMessage {}

  /** From a {@link LockResource}: it sent {@code markers} markers (one per owner it delivers to). */
  public record Fanout(int markers) implements Command {}

  /** From an owner's {@link Lockspace}: a marker arrived behind the earlier events and their callbacks ran. */
  public record Ack(String owner) implements Command {}

  /** Timer: the flush did not complete in time. */
  private enum Expired implements Command { INSTANCE }

  private FlushCollector() {}

  /**
   * @param resources how many resources were asked (each answers one {@link Fanout})
   * @param replyTo   told {@link Lockspace.Flushed} once, complete or not
   */
  static Behavior<Command> create(int resources, Duration timeout, ActorRef<Lockspace.Flushed> replyTo) {
    if (resources == 0) {
      replyTo.tell(new Lockspace.Flushed(true));
      return Behaviors.stopped();
    }
    return Behaviors.withTimers(timers -> {
      timers.startSingleTimer(Expired.INSTANCE, timeout);
      return collecting(resources, 0, 0, replyTo);
    });
  }

  private static Behavior<Command> collecting(int fanoutsMissing, int markersSent, int acks,
                                              ActorRef<Lockspace.Flushed> replyTo) {
    if (fanoutsMissing == 0 && acks == markersSent) {
      replyTo.tell(new Lockspace.Flushed(true));
      return Behaviors.stopped();
    }
    return Behaviors.receive(Command.class)
        .onMessage(Fanout.class, f -> collecting(fanoutsMissing - 1, markersSent + f.markers(), acks, replyTo))
        .onMessage(Ack.class, a -> collecting(fanoutsMissing, markersSent, acks + 1, replyTo))
        .onMessageEquals(Expired.INSTANCE, () -> {
          replyTo.tell(new Lockspace.Flushed(false));
          return Behaviors.stopped();
        })
        .build();
  }
}
