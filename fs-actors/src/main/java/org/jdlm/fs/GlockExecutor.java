package org.jdlm.fs;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.jdlm.fs.core.GlockEffect;
import org.jdlm.fs.core.GlockName;
import org.jdlm.kernel.Task;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.WaitEdge;

/**
 * The task side of the glock layer: runs, in the <em>calling kernel task's</em> thread, the blocking
 * work a {@link Glock} hands back in a {@link Glock.Step} — {@code go_sync}/{@code go_inval} through
 * {@link GlockCacheOps}, then the {@link LockModule} call (request, conversion, or the final put's
 * unlock). Every wait for an actor goes through {@link Task#await} with a typed edge, so the wait is
 * visible in the kernel's wait-for registry.
 */
public final class GlockExecutor {

  private final Scheduler scheduler;
  private final LockModule module;
  private final GlockCacheOps cacheOps;
  private final FsSettings settings;

  public GlockExecutor(Scheduler scheduler, LockModule module, GlockCacheOps cacheOps, FsSettings settings) {
    this.scheduler = scheduler;
    this.module = module;
    this.cacheOps = cacheOps;
    this.settings = settings;
  }

  public FsSettings settings() {
    return settings;
  }

  public LockModule module() {
    return module;
  }

  /** {@code glock:T/N}, the endpoint a task waiting on a glock points at. */
  public static String endpoint(GlockName name) {
    return "glock:" + name;
  }

  /** Asks {@code target} and waits in the current kernel task with {@code edge}, at most {@code bound}. */
  public <Q, R> R ask(RecipientRef<Q> target, Function<ActorRef<R>, Q> message, WaitEdge edge, Duration bound) {
    Task task = Task.currentOrNull();
    if (task == null) {
      throw new IllegalStateException("glock operations are made by kernel tasks (they may wait); called from "
          + Thread.currentThread().getName());
    }
    // The ask outlives the task's bound, so a wait that is too long ends as WaitTimedOut (the edge named).
    CompletionStage<R> reply = AskPattern.ask(target, message::apply, bound.plusSeconds(1), scheduler);
    return task.await(edge, reply, bound);
  }

  /** A prompt exchange with a glock (no grant is awaited): {@code waits-reply(what)} on the glock. */
  Glock.Step step(ActorRef<Glock.Command> glock, GlockName name, String what,
                  Function<ActorRef<Glock.Step>, Glock.Command> message) {
    return ask(glock, message, WaitEdge.of(EdgeKind.WAITS_REPLY, what, endpoint(name)), settings.replyTimeout());
  }

  /**
   * Carries out a step's caller work in order, in this task: glops first (then tells the glock and
   * carries out what it answers), lock module calls as they come.
   */
  public void carryOut(ActorRef<Glock.Command> glock, Glock.Step step) {
    for (GlockEffect e : step.callerWork()) {
      if (e instanceof GlockEffect.RunGlops g) {
        cacheOps.run(step.name(), g);
        carryOut(glock, step(glock, step.name(), "glops done", Glock.GlopsDone::new));
      } else if (e instanceof GlockEffect.RequestDlm r) {
        module.lock(step.lksb(), r.mode(), r.flags());
      } else if (e instanceof GlockEffect.ConvertDlm c) {
        module.lock(step.lksb(), c.mode(), c.flags());
      } else if (e instanceof GlockEffect.UnlockDlm u) {
        module.putLock(step.lksb(), u.flags());
      } else {
        throw new IllegalStateException("glock " + step.name() + ": " + e + " is not caller work");
      }
    }
  }

  /** {@code glock_work_func}, run by a glock workqueue worker (or its rescuer). */
  void runWork(ActorRef<Glock.Command> glock, GlockName name) {
    Task.current().withActivity("work(glock_work " + name + ")", () -> {
      carryOut(glock, step(glock, name, "glock_work", Glock.RunWork::new));
      return null;
    });
  }
}
