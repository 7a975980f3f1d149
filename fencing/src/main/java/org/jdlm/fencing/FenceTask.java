package org.jdlm.fencing;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.jdlm.fencing.core.FenceOperation;
import org.jdlm.kernel.MemoryManager;
import org.jdlm.kernel.core.GfpMask;
import org.jdlm.kernel.core.TaskFlag;

/**
 * The short-lived agent task of one fence, a child of the {@link FenceCoordinator}: it allocates
 * working memory from this node's {@link MemoryManager} (and is parked there, visibly, while memory
 * is short), runs the agents, has the {@link FencingAuthority} record the fence, reports to its
 * parent and stops. All decisions are {@link FenceOperation}'s; this actor carries out effects.
 * Node-local: nothing here crosses nodes.
 */
public final class FenceTask extends AbstractBehavior<FenceTask.Command> {

  /** Messages the task accepts. */
  public sealed interface Command {}

  /** From the coordinator on an operator's fence_ack: stop trying and record a manual fence. No reply. */
  public record ManualAck(String operator) implements Command {}

  private record MemoryAnswer(MemoryManager.Reply reply) implements Command {}

  private record AgentFinished(int attempt, int agentIndex, FenceAgent.Result result) implements Command {}

  private record RetryDue(int failedAttempt) implements Command {}

  private enum RecordRetryDue implements Command { INSTANCE }

  private record AuthorityAnswered(long generation) implements Command {}

  private record AuthorityFailed(String reason) implements Command {}

  /** What the task tells its coordinator. */
  public sealed interface Report {}

  /** The fence is on record at {@code generation}. The task stops after sending it. */
  public record Confirmed(FenceOperation.Target target, long generation, String agent) implements Report {}

  /** The task's operation moved to {@code state} (for status; states are immutable values). */
  public record Progress(FenceOperation.Target target, FenceOperation.State state) implements Report {}

  /** One step failed; the task carries on (retries) unless told otherwise. */
  public record StepFailed(FenceOperation.Target target, int attempt, String step, String reason) implements Report {}

  /** Memory and timing of a task, from {@code jdlm.fencing}. */
  public record Settings(long workingBytes, GfpMask mask, Set<TaskFlag> taskFlags, Duration agentTimeout,
                         Duration authorityAskTimeout) {
    public Settings {
      taskFlags = Set.copyOf(taskFlags);
      if (workingBytes <= 0) {
        throw new IllegalArgumentException("jdlm.fencing.memory.working-bytes must be positive, got " + workingBytes);
      }
    }
  }

  /** Everything a task needs from its node. */
  public record Wiring(ActorRef<MemoryManager.Command> memory, ActorRef<FencingAuthority.Command> authority,
                       Map<String, FenceAgent> agents, ActorRef<Report> reportTo) {
    public Wiring {
      agents = Map.copyOf(agents);
    }
  }

  /**
   * A task for {@code operation}; {@code sequence} makes its memory request ids and task name unique
   * on this node. With {@code manualAckBy} set the task records a manual fence without running agents.
   */
  public static Behavior<Command> create(FenceOperation operation, long sequence, Settings settings, Wiring wiring,
                                         java.util.Optional<String> manualAckBy) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new FenceTask(ctx, timers, operation, sequence, settings, wiring).begin(manualAckBy)));
  }

  /**
   * Memory request ids of fence tasks carry 0x7E in the top byte so they cannot collide with other
   * allocators of the node, which number from zero; below it the task sequence and the attempt.
   */
  static long memoryRequestId(long sequence, int attempt) {
    return (0x7EL << 56) | ((sequence & 0xFFFF_FFFFL) << 20) | (attempt & 0xFFFFF);
  }

  private final FenceOperation operation;
  private final long sequence;
  private final Settings settings;
  private final Wiring wiring;
  private final TimerScheduler<Command> timers;
  private final ActorRef<MemoryManager.Reply> memoryReplies;
  /** The attempt whose memory is parked or held, or 0: returned on stop so no page leaks. */
  private int memoryAttempt;
  private boolean memoryGranted;
  private FenceOperation.State lastReported;

  private FenceTask(ActorContext<Command> ctx, TimerScheduler<Command> timers, FenceOperation operation, long sequence,
                    Settings settings, Wiring wiring) {
    super(ctx);
    this.timers = timers;
    this.operation = operation;
    this.sequence = sequence;
    this.settings = settings;
    this.wiring = wiring;
    this.memoryReplies = ctx.messageAdapter(MemoryManager.Reply.class, MemoryAnswer::new);
  }

  /** The name under which the task's allocations appear in the memory manager (and the wait-for graph). */
  public static String taskName(long sequence) {
    return "fence_agent#" + sequence;
  }

  private Behavior<Command> begin(java.util.Optional<String> manualAckBy) {
    return perform(manualAckBy.isPresent() ? operation.manualAck(manualAckBy.get()) : operation.start());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ManualAck.class, m -> perform(operation.manualAck(m.operator())))
        .onMessage(MemoryAnswer.class, this::onMemoryAnswer)
        .onMessage(AgentFinished.class, this::onAgentFinished)
        .onMessage(RetryDue.class, r -> perform(operation.retryDue(r.failedAttempt())))
        .onMessage(RecordRetryDue.class, r -> perform(operation.recordRetryDue()))
        .onMessage(AuthorityAnswered.class, a -> perform(operation.recorded(a.generation())))
        .onMessage(AuthorityFailed.class, f -> perform(operation.recordFailed(f.reason())))
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  private Behavior<Command> onMemoryAnswer(MemoryAnswer a) {
    if (a.reply() instanceof MemoryManager.Allocated ok) {
      int attempt = attemptOf(ok.requestId());
      if (attempt == memoryAttempt) {
        memoryGranted = true;
      }
      return perform(operation.memoryGranted(attempt));
    }
    MemoryManager.AllocationFailed failed = (MemoryManager.AllocationFailed) a.reply();
    int attempt = attemptOf(failed.requestId());
    if (attempt == memoryAttempt) {
      memoryAttempt = 0;
    }
    return perform(operation.memoryRefused(attempt, failed.reason()));
  }

  private Behavior<Command> onAgentFinished(AgentFinished f) {
    if (f.result() instanceof FenceAgent.Done done) {
      getContext().getLog().info("fence of {}: agent {} succeeded: {}", operation.target(), done.agent(), done.detail());
      return perform(operation.agentSucceeded(f.attempt(), f.agentIndex()));
    }
    FenceAgent.Failed failed = (FenceAgent.Failed) f.result();
    return perform(operation.agentFailed(f.attempt(), f.agentIndex(), failed.reason()));
  }

  private Behavior<Command> perform(FenceOperation.Outcome outcome) {
    if (!outcome.state().equals(lastReported)) {
      lastReported = outcome.state();
      wiring.reportTo().tell(new Progress(operation.target(), outcome.state()));
    }
    boolean stop = false;
    for (FenceOperation.Effect effect : outcome.effects()) {
      stop |= perform(effect);
    }
    return stop ? Behaviors.stopped() : this;
  }

  /** Carries out one effect; true when the task is finished. */
  private boolean perform(FenceOperation.Effect effect) {
    FenceOperation.Target target = operation.target();
    if (effect instanceof FenceOperation.AllocateMemory a) {
      memoryAttempt = a.attempt();
      memoryGranted = false;
      wiring.memory().tell(new MemoryManager.Allocate(memoryRequestId(sequence, a.attempt()), taskName(sequence),
          settings.workingBytes(), settings.mask(), settings.taskFlags(), memoryReplies));
    } else if (effect instanceof FenceOperation.FreeMemory f) {
      wiring.memory().tell(new MemoryManager.Free(memoryRequestId(sequence, f.attempt())));
      if (f.attempt() == memoryAttempt) {
        memoryAttempt = 0;
      }
    } else if (effect instanceof FenceOperation.WithdrawMemory w) {
      wiring.memory().tell(new MemoryManager.Withdraw(memoryRequestId(sequence, w.attempt())));
      if (w.attempt() == memoryAttempt) {
        memoryAttempt = 0;
      }
    } else if (effect instanceof FenceOperation.RunAgent r) {
      runAgent(r, target);
    } else if (effect instanceof FenceOperation.RecordFenced rec) {
      getContext().ask(FencingAuthority.FenceRecorded.class, wiring.authority(), settings.authorityAskTimeout(),
          replyTo -> new FencingAuthority.RecordFenced(target.node(), target.incarnation(), rec.agent(), replyTo),
          (reply, error) -> reply != null ? new AuthorityAnswered(reply.generation())
              : new AuthorityFailed("fencing authority did not record within " + settings.authorityAskTimeout()));
    } else if (effect instanceof FenceOperation.ScheduleRetry s) {
      timers.startSingleTimer(new RetryDue(s.failedAttempt()), s.delay());
    } else if (effect instanceof FenceOperation.ScheduleRecordRetry s) {
      timers.startSingleTimer(RecordRetryDue.INSTANCE, s.delay());
    } else if (effect instanceof FenceOperation.ReportFailure f) {
      getContext().getLog().warn("fence of {}: attempt {} step {} failed: {}", target, f.attempt(), f.step(), f.reason());
      wiring.reportTo().tell(new StepFailed(target, f.attempt(), f.step(), f.reason()));
    } else if (effect instanceof FenceOperation.ConfirmAll c) {
      getContext().getLog().info("fence of {} confirmed by {} at generation {}", target, c.agent(), c.generation());
      wiring.reportTo().tell(new Confirmed(target, c.generation(), c.agent()));
      return true;
    } else if (effect instanceof FenceOperation.Dropped d) {
      getContext().getLog().debug("fence of {}: dropped {}", target, d.what());
    }
    return false;
  }

  private void runAgent(FenceOperation.RunAgent r, FenceOperation.Target target) {
    FenceAgent agent = wiring.agents().get(r.agent());
    if (agent == null) {
      // Settings are checked against the agent map at coordinator start; reaching here is a bug.
      throw new IllegalStateException("no fence agent named " + r.agent() + " among " + wiring.agents().keySet());
    }
    CompletableFuture<FenceAgent.Result> run;
    try {
      run = agent.fence(target).toCompletableFuture();
    } catch (RuntimeException e) {
      run = CompletableFuture.failedFuture(e);
    }
    Duration bound = settings.agentTimeout();
    getContext().pipeToSelf(run.copy().orTimeout(bound.toMillis(), TimeUnit.MILLISECONDS), (result, error) ->
        new AgentFinished(r.attempt(), r.agentIndex(), result != null ? result
            : new FenceAgent.Failed(r.agent(), error instanceof java.util.concurrent.TimeoutException
                || error.getCause() instanceof java.util.concurrent.TimeoutException
                ? "no answer within jdlm.fencing.agent-timeout " + bound : "agent crashed: " + error)));
  }

  private int attemptOf(long requestId) {
    return (int) (requestId & 0xFFFFF);
  }

  private Behavior<Command> onPostStop() {
    // A task stopped in the middle (its coordinator stopped, a bug crashed it) must not keep
    // memory parked or held on the node.
    if (memoryAttempt != 0) {
      long id = memoryRequestId(sequence, memoryAttempt);
      wiring.memory().tell(memoryGranted ? new MemoryManager.Free(id) : new MemoryManager.Withdraw(id));
    }
    return this;
  }
}
