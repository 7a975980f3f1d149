package org.jdlm.fs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.fs.core.CacheWork;
import org.jdlm.fs.core.DlmReply;
import org.jdlm.fs.core.GlockCore;
import org.jdlm.fs.core.GlockDump;
import org.jdlm.fs.core.GlockEffect;
import org.jdlm.fs.core.GlockName;
import org.jdlm.fs.core.GlockState;
import org.jdlm.fs.core.HolderFlag;
import org.jdlm.fs.core.HolderId;
import org.jdlm.kernel.Workqueue;

/**
 * One glock on this member (style rule 1): a child of the filesystem's {@link GlockRegistry},
 * keyed by (type, number). Every handler is one {@link GlockCore} call; the actor then carries out
 * the effects in order. It decides and owns the state, but never blocks: the effects that may
 * wait — {@code go_sync}/{@code go_inval} and the lock module calls — are <em>caller work</em>,
 * returned in a {@link Step} to the task whose context they belong to, which runs them in its own
 * thread and reports back ({@link GlopsDone}; DLM answers come through {@link LockModule.Callbacks}).
 * That task is the enqueuing one for a promote started by {@code nq}, a glock workqueue worker for
 * work ({@link RunWork}: demotes, retried promotes, the free after a demote to UN), and the putting
 * or dequeuing one for a final put — as in GFS2, where that is how cycle (a) closes.
 *
 * <p>The actor-side effects: grants and failures wake the holder's task ({@link HolderOutcome});
 * {@code QueueWork} arms the one keyed work timer, whose expiry queues {@code glock_work} on the
 * kernel workqueue; LRU changes and the free go to the registry.
 *
 * <p>Node-local: no message crosses members (only the DLM does), so none is serializable.
 */
public final class Glock extends AbstractBehavior<Glock.Command> {

  /** Messages to a glock. */
  public sealed interface Command {}

  /** From {@link GlockRegistry} on a lookup: take a reference and answer {@code Found}, or bounce the lookup back if dying. */
  public record Hold(GlockRegistry.Lookup lookup) implements Command {}

  /** From a task ({@code gfs2_glock_nq}): queue a holder; replies a {@link Step} (with the outcome if already decided). */
  public record Enqueue(HolderId holder, GlockState state, Set<HolderFlag> flags, long pid, String comm, String caller,
                        ActorRef<Step> replyTo) implements Command {}

  /** From a task that enqueued: replies the holder's {@link HolderOutcome} once it is decided. */
  public record AwaitOutcome(HolderId holder, ActorRef<HolderOutcome> replyTo) implements Command {}

  /** From a task ({@code gfs2_glock_dq}): drop or cancel a holder; replies a {@link Step} (with a cancel's outcome). */
  public record Dequeue(HolderId holder, ActorRef<Step> replyTo) implements Command {}

  /** From a task ({@code gfs2_glock_put}): drop a reference; replies a {@link Step} (a final put's unlock is its work). */
  public record Put(ActorRef<Step> replyTo) implements Command {}

  /** From a task ({@code gfs2_glock_put_async}): drop a reference, the work decides; no reply. */
  public enum PutAsync implements Command { INSTANCE }

  /** From the task that ran a {@link GlockEffect.RunGlops}: it finished; replies the next {@link Step}. */
  public record GlopsDone(ActorRef<Step> replyTo) implements Command {}

  /** From a glock workqueue worker ({@code glock_work_func}): run the work; replies a {@link Step}. */
  public record RunWork(ActorRef<Step> replyTo) implements Command {}

  /** From {@link GlockRegistry}'s shrinker scan: demote this LRU glock to UN (ignored if stale); no reply. */
  public enum Reclaim implements Command { INSTANCE }

  /** From a task holding EX in a transaction: the glock's data is dirty ({@code GLF_DIRTY}); replies a {@link Step}. */
  public record MarkDirty(ActorRef<Step> replyTo) implements Command {}

  /** From the registry or a test: reply this glock's lines in GFS2's debugfs format. */
  public record Dump(ActorRef<DumpLines> replyTo) implements Command {}

  /** What a caller must do next: the blocking work of this step, to run in its own task, and its holder's outcome if decided. */
  public record Step(GlockName name, List<GlockEffect> callerWork, LockModule.Lksb lksb, HolderOutcome outcome) {
    public Step {
      callerWork = List.copyOf(callerWork);
    }
  }

  /** The end of a holder's wait: granted, or failed with the reason (expected outcomes, style rule 7). */
  public sealed interface HolderOutcome {
    HolderId holder();
  }

  /** The holder holds the glock in {@code state}; {@code instantiate} is what it must read first. */
  public record Granted(HolderId holder, GlockState state, Set<CacheWork> instantiate) implements HolderOutcome {}

  /** The holder is not queued any more: TRYAGAIN, CANCELED or TOO_MANY_HOLDERS. */
  public record Failed(HolderId holder, GlockEffect.HolderError error) implements HolderOutcome {}

  /** A glock's dump lines, for the registry's dump. */
  public record DumpLines(GlockName name, String text) {}

  private enum WorkDue implements Command { INSTANCE }

  private record WorkRequeue(String reason) implements Command {}

  /** Refusals in a row after which the glock stops re-queueing its work and logs why. */
  private static final int MAX_REQUEUES = 1000;

  private record DlmCompleted(DlmReply reply) implements Command {}

  private record Blocked(LockMode mode) implements Command {}

  private record LockModuleFailed(String reason) implements Command {}

  private static final String WORK_TIMER = "glock-work";

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final GlockCore core;
  private final ActorRef<GlockRegistry.Command> registry;
  private final Workqueue workqueue;
  private final GlockExecutor executor;
  private final LongSupplier nowMillis;
  private final Duration workRetry;
  private final LockModule.Lksb lksb;
  private final GlockFacts facts;
  /** Decided outcomes whose task has not asked yet. */
  private final Map<HolderId, HolderOutcome> decided = new HashMap<>();
  /** Tasks waiting for their holder's outcome. */
  private final Map<HolderId, ActorRef<HolderOutcome>> waiting = new HashMap<>();
  /** Workqueue refusals in a row (reset when the work runs). */
  private int requeues;

  /**
   * A new glock answering {@code first}: the core starts with the one reference its creator holds
   * ({@code gfs2_glock_get}), which becomes the lookup's reference.
   */
  public static Behavior<Command> create(GlockName name, GlockRegistry.Lookup first, ActorRef<GlockRegistry.Command> registry,
                                         GlockRegistry.Context fs) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      Glock g = new Glock(ctx, timers, name, registry, fs);
      first.replyTo().tell(new GlockRegistry.Found(name, ctx.getSelf(), true));
      return g;
    }));
  }

  private Glock(ActorContext<Command> ctx, TimerScheduler<Command> timers, GlockName name,
                ActorRef<GlockRegistry.Command> registry, GlockRegistry.Context fs) {
    super(ctx);
    this.ctx = ctx;
    this.timers = timers;
    this.registry = registry;
    this.workqueue = fs.workqueue();
    this.executor = fs.executor();
    this.nowMillis = fs.nowMillis();
    this.workRetry = fs.settings().workRetry();
    this.facts = fs.facts();
    this.core = new GlockCore(name, fs.opsFor(name), fs.settings().glock(), nowMillis.getAsLong());
    ActorRef<Command> self = ctx.getSelf();
    this.lksb = new LockModule.Lksb(name, new LockModule.Callbacks() {
      @Override
      public void completed(DlmReply reply) {
        self.tell(new DlmCompleted(reply));
      }

      @Override
      public void blocking(LockMode mode) {
        self.tell(new Blocked(mode));
      }

      @Override
      public void failed(String reason) {
        self.tell(new LockModuleFailed(reason));
      }
    }, fs.lvbLength());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Hold.class, this::onHold)
        .onMessage(Enqueue.class, this::onEnqueue)
        .onMessage(AwaitOutcome.class, this::onAwaitOutcome)
        .onMessage(Dequeue.class, m -> reply(m.replyTo(), core.dequeue(m.holder(), now()), m.holder()))
        .onMessage(Put.class, m -> reply(m.replyTo(), core.put(now()), null))
        .onMessageEquals(PutAsync.INSTANCE, () -> actorOnly(core.putAsync(now())))
        .onMessage(GlopsDone.class, m -> reply(m.replyTo(), core.glopsDone(now()), null))
        .onMessage(RunWork.class, m -> {
          requeues = 0;
          return reply(m.replyTo(), core.runWork(now()), null);
        })
        .onMessageEquals(Reclaim.INSTANCE, () -> actorOnly(core.reclaim(now())))
        .onMessage(MarkDirty.class, m -> reply(m.replyTo(), core.markDirty(), null))
        .onMessage(Dump.class, this::onDump)
        .onMessageEquals(WorkDue.INSTANCE, this::onWorkDue)
        .onMessage(WorkRequeue.class, m -> {
          if (++requeues > MAX_REQUEUES) {
            ctx.getLog().error("glock {}: the glock workqueue refused its work {} times ({}); giving up",
                core.name(), MAX_REQUEUES, m.reason());
            return this;
          }
          timers.startSingleTimer(WORK_TIMER, WorkDue.INSTANCE, workRetry);
          return this;
        })
        .onMessage(DlmCompleted.class, m -> actorOnly(core.dlmReply(m.reply(), now())))
        .onMessage(Blocked.class, m -> actorOnly(core.bast(m.mode(), now())))
        .onMessage(LockModuleFailed.class, m -> {
          throw new IllegalStateException("lock module refused a call of glock " + core.name() + ": " + m.reason()
              + "\n" + GlockDump.format(core, now()));
        })
        .onSignal(PostStop.class, s -> {
          timers.cancelAll();
          facts.forget(core.name());
          return this;
        })
        .build();
  }

  private long now() {
    return nowMillis.getAsLong();
  }

  private Behavior<Command> onHold(Hold m) {
    if (core.isDead()) {
      // find_insert_glock: a lookup of a dying glock waits until it is freed, then makes a new one.
      registry.tell(new GlockRegistry.Bounced(m.lookup()));
      return this;
    }
    List<GlockEffect> effects = core.get();
    actorOnly(effects);
    m.lookup().replyTo().tell(new GlockRegistry.Found(core.name(), ctx.getSelf(), false));
    return this;
  }

  private Behavior<Command> onEnqueue(Enqueue m) {
    List<GlockEffect> effects = core.enqueue(m.holder(), m.state(), m.flags(), m.pid(), m.comm(), m.caller(), now());
    return reply(m.replyTo(), effects, m.holder());
  }

  private Behavior<Command> onAwaitOutcome(AwaitOutcome m) {
    HolderOutcome outcome = decided.remove(m.holder());
    if (outcome != null) {
      m.replyTo().tell(outcome);
    } else {
      waiting.put(m.holder(), m.replyTo());
    }
    return this;
  }

  private Behavior<Command> onDump(Dump m) {
    m.replyTo().tell(new DumpLines(core.name(), GlockDump.format(core, now())));
    return this;
  }

  /** The work timer fired: queue {@code glock_work} on the glock workqueue (never blocks). */
  private Behavior<Command> onWorkDue() {
    ActorRef<Command> self = ctx.getSelf();
    GlockName name = core.name();
    workqueue.queue("glock_work " + name, () -> executor.runWork(self, name)).whenComplete((v, error) -> {
      if (error instanceof RejectedExecutionException) {
        // The queue is full: the work must not be lost (the core thinks it is queued), so try again.
        // A stopped queue (the kernel is shutting down) refuses for ever: WorkRequeue gives up.
        self.tell(new WorkRequeue(error.getMessage()));
      }
    });
    return this;
  }

  /** Effects of an input that has no task behind it (timer, DLM callback, registry): no caller work may result. */
  private Behavior<Command> actorOnly(List<GlockEffect> effects) {
    List<GlockEffect> callerWork = carryOut(effects);
    if (!callerWork.isEmpty()) {
      throw new IllegalStateException("glock " + core.name() + " produced blocking work " + callerWork
          + " for an input with no task to run it\n" + GlockDump.format(core, now()));
    }
    return this;
  }

  private Behavior<Command> reply(ActorRef<Step> replyTo, List<GlockEffect> effects, HolderId forHolder) {
    List<GlockEffect> callerWork = carryOut(effects);
    HolderOutcome outcome = forHolder == null ? null : decided.remove(forHolder);
    replyTo.tell(new Step(core.name(), callerWork, lksb, outcome));
    return this;
  }

  /** Carries out the actor-side effects in order and returns the caller work, in order. */
  private List<GlockEffect> carryOut(List<GlockEffect> effects) {
    List<GlockEffect> callerWork = carryOutEffects(effects);
    if (core.isDead()) {
      facts.forget(core.name());
    } else {
      facts.publish(core.name(), core.state(), core.target(), core.holders()); // for the detector (GlockFacts)
    }
    return callerWork;
  }

  private List<GlockEffect> carryOutEffects(List<GlockEffect> effects) {
    List<GlockEffect> callerWork = new ArrayList<>();
    for (GlockEffect e : effects) {
      if (e instanceof GlockEffect.GrantHolder g) {
        outcome(new Granted(g.holder(), g.state(), g.instantiate()));
      } else if (e instanceof GlockEffect.FailHolder f) {
        outcome(new Failed(f.holder(), f.error()));
      } else if (e instanceof GlockEffect.QueueWork q) {
        timers.startSingleTimer(WORK_TIMER, WorkDue.INSTANCE, Duration.ofMillis(q.delayMillis()));
      } else if (e instanceof GlockEffect.AddToLru || e instanceof GlockEffect.RemoveFromLru) {
        registry.tell(new GlockRegistry.LruChanged(e));
      } else if (e instanceof GlockEffect.Freed f) {
        timers.cancelAll();
        registry.tell(new GlockRegistry.GlockFreed(f.name(), ctx.getSelf()));
      } else if (e instanceof GlockEffect.QueueDeleteWork) {
        // The inode cache's delete work does not exist yet: finish it at once so the reference it
        // holds is not leaked.
        carryOut(core.deleteWorkDone(now())).forEach(callerWork::add);
      } else if (e instanceof GlockEffect.RunGlops || e instanceof GlockEffect.RequestDlm
          || e instanceof GlockEffect.ConvertDlm || e instanceof GlockEffect.UnlockDlm) {
        callerWork.add(e);
      } else {
        throw new IllegalStateException("glock " + core.name() + ": no handler for effect " + e);
      }
    }
    return callerWork;
  }

  private void outcome(HolderOutcome o) {
    ActorRef<HolderOutcome> task = waiting.remove(o.holder());
    if (task != null) {
      task.tell(o);
    } else {
      decided.put(o.holder(), o);
    }
  }
}
