package org.jdlm.fencing;

import java.util.concurrent.CompletionStage;
import java.util.function.IntConsumer;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The victim's half of watchdog fencing: a member that loses the majority is downed by Pekko's
 * split-brain resolver, which runs coordinated shutdown with the "cluster downing" reason; at the
 * first phase of that shutdown (and, should that task not run, when the ActorSystem has terminated
 * for that reason) the JVM halts at once. Halting (not exiting) skips
 * shutdown hooks that could block on the very storage the survivors now own.
 *
 * <p>A clean leave or an operator's stop terminates the system for another reason and does not halt.
 */
public final class SelfFence {
  private SelfFence() {}

  /**
   * Arms the self-fence on {@code system}: the node assembly calls this once, with
   * {@code Runtime.getRuntime()::halt} and {@code jdlm.fencing.watchdog.exit-status}, when
   * {@code jdlm.fencing.watchdog.self-fence} is on. The returned stage completes after the
   * system terminated, with whether {@code halt} was called (it returns only when halt is a fake).
   */
  public static CompletionStage<Boolean> install(ActorSystem<?> system, IntConsumer halt, int exitStatus) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    java.util.concurrent.atomic.AtomicBoolean halted = new java.util.concurrent.atomic.AtomicBoolean();
    // At the first phase of the downing's coordinated shutdown, not only once the system has
    // terminated: the phases take seconds on a loaded machine, and meanwhile the downed member's
    // lockspaces saw the others "terminate", recovered alone and granted locks to its own clients
    // (found by `dlm chaos`, a member cut off by a partition: docs/chaos.md). Storage fencing kept
    // their writes off the disk, but the member must stop serving at once.
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "jdlm-self-fence", () -> {
      if (downed(shutdown) && halted.compareAndSet(false, true)) {
        halt.accept(exitStatus);
      }
      return java.util.concurrent.CompletableFuture.completedFuture(org.apache.pekko.Done.getInstance());
    });
    return system.getWhenTerminated().thenApply(done -> {
      boolean downed = downed(shutdown);
      if (downed && halted.compareAndSet(false, true)) {
        halt.accept(exitStatus);
      }
      return downed;
    });
  }

  private static boolean downed(CoordinatedShutdown shutdown) {
    return shutdown.getShutdownReason().filter(r -> r.equals(CoordinatedShutdown.clusterDowningReason())).isPresent();
  }
}
