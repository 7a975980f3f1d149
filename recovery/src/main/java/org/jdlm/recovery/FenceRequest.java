package org.jdlm.recovery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.jdlm.fencing.FenceCoordinator;

/**
 * One operator fence ({@code /fencing/fence}) waiting for its outcome. The coordinator answers a
 * {@link FenceCoordinator.Fence} with any number of {@link FenceCoordinator.FenceAttemptFailed}
 * and then {@link FenceCoordinator.Fenced} or {@link FenceCoordinator.FenceRefused}, so a plain ask
 * (one reply) does not fit: this short-lived actor collects them until the outcome or a timeout,
 * completes {@code result} and stops.
 */
public final class FenceRequest {

  /** What the request actor receives. */
  public sealed interface Command {}

  /** From the fence coordinator (through a message adapter): one reply to the fence. */
  private record Answered(FenceCoordinator.Reply reply) implements Command {}

  /** From this actor's timer: {@code fence-timeout} has passed without an outcome. */
  private enum TimedOut implements Command { INSTANCE }

  /** The outcome as the endpoint reports it. */
  public record Outcome(FenceCoordinator.Reply last, List<FenceCoordinator.FenceAttemptFailed> failures, boolean timedOut) {}

  private FenceRequest() {}

  /** Sends {@code fence} (built around this actor's reply address) to {@code coordinator} and collects. */
  public static Behavior<Command> create(ActorRef<FenceCoordinator.Command> coordinator,
                                  java.util.function.Function<ActorRef<FenceCoordinator.Reply>, FenceCoordinator.Fence> fence,
                                  Duration timeout, CompletableFuture<Outcome> result) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startSingleTimer(TimedOut.INSTANCE, timeout);
      coordinator.tell(fence.apply(ctx.messageAdapter(FenceCoordinator.Reply.class, Answered::new)));
      return collecting(new ArrayList<>(), result);
    }));
  }

  private static Behavior<Command> collecting(List<FenceCoordinator.FenceAttemptFailed> failures,
                                              CompletableFuture<Outcome> result) {
    return Behaviors.receive(Command.class)
        .onMessage(Answered.class, a -> onAnswered(a.reply(), failures, result))
        .onMessageEquals(TimedOut.INSTANCE, () -> {
          result.complete(new Outcome(null, List.copyOf(failures), true));
          return Behaviors.stopped();
        })
        .build();
  }

  private static Behavior<Command> onAnswered(FenceCoordinator.Reply reply,
                                              List<FenceCoordinator.FenceAttemptFailed> failures,
                                              CompletableFuture<Outcome> result) {
    if (reply instanceof FenceCoordinator.FenceAttemptFailed failed) {
      // Not an outcome: the coordinator keeps trying (other agents, then backoff); keep listening.
      failures.add(failed);
      return Behaviors.same();
    }
    result.complete(new Outcome(reply, List.copyOf(failures), false));
    return Behaviors.stopped();
  }
}
