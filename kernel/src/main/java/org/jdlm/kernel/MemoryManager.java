package org.jdlm.kernel;

import com.typesafe.config.Config;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.jdlm.kernel.core.GfpMask;
import org.jdlm.kernel.core.MemoryBudget;
import org.jdlm.kernel.core.TaskFlag;

/**
 * The memory manager of one node: every simulated allocation (DLM comm buffers, the fence agent's
 * working memory, later the filesystem's caches) asks it and waits for the answer. Decisions are
 * made by {@link MemoryBudget}; this actor only replies and parks.
 */
public final class MemoryManager extends AbstractBehavior<MemoryManager.Command> {

  /** Messages the memory manager accepts (node-local only: memory is never allocated remotely). */
  public sealed interface Command {}

  /**
   * From any task on this node: allocate {@code bytes}. Replies {@link Allocated} now or after a
   * free, or {@link AllocationFailed} when the request cannot be satisfied and may not wait.
   */
  public record Allocate(long requestId, String task, long bytes, GfpMask mask, Set<TaskFlag> taskFlags,
                         ActorRef<Reply> replyTo) implements Command {}

  /** From the holder of a granted allocation: return its pages. No reply. */
  public record Free(long requestId) implements Command {}

  /** From a task that gave up waiting (or the supervisor of a killed task): withdraw. No reply. */
  public record Withdraw(long requestId) implements Command {}

  /** From dumps and the wait-for graph: the current accounting. Replies {@link Usage}. */
  public record GetUsage(ActorRef<Usage> replyTo) implements Command {}

  /** Replies to {@link Allocate}. */
  public sealed interface Reply {}

  /** The allocation {@code requestId} holds {@code pages} pages until {@link Free}. */
  public record Allocated(long requestId, long pages) implements Reply {}

  /** The allocation {@code requestId} was refused; {@code reason} says why (never retried here). */
  public record AllocationFailed(long requestId, String reason) implements Reply {}

  /** Snapshot of the node's memory: pages in use and free, and the parked requests (oldest first). */
  public record Usage(long totalPages, long usedPages, long freePages, List<String> parkedTasks) {}

  /** Reads {@code jdlm.kernel.memory} (see reference.conf). */
  public static MemoryBudget.Settings settings(Config config) {
    Config c = config.getConfig("jdlm.kernel.memory");
    return new MemoryBudget.Settings(c.getLong("total-pages"), c.getInt("page-size"),
        new MemoryBudget.Watermarks(c.getLong("min-pages"), c.getLong("low-pages"), c.getLong("high-pages")),
        c.getInt("max-waiters"));
  }

  public static Behavior<Command> create(MemoryBudget.Settings settings) {
    return Behaviors.setup(ctx -> new MemoryManager(ctx, new MemoryBudget(settings)));
  }

  private final MemoryBudget budget;
  private final java.util.Map<Long, ActorRef<Reply>> parkedReplyTo = new java.util.HashMap<>();

  private MemoryManager(ActorContext<Command> ctx, MemoryBudget budget) {
    super(ctx);
    this.budget = budget;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Allocate.class, this::onAllocate)
        .onMessage(Free.class, this::onFree)
        .onMessage(Withdraw.class, this::onWithdraw)
        .onMessage(GetUsage.class, this::onGetUsage)
        .build();
  }

  private Behavior<Command> onAllocate(Allocate a) {
    MemoryBudget.Request request;
    try {
      request = new MemoryBudget.Request(a.requestId(), a.task(), a.bytes(), a.mask(), a.taskFlags());
    } catch (IllegalArgumentException bad) {
      a.replyTo().tell(new AllocationFailed(a.requestId(), bad.getMessage()));
      return this;
    }
    MemoryBudget.AllocateOutcome out = budget.allocate(request);
    if (out.decision() instanceof MemoryBudget.Granted g) {
      a.replyTo().tell(new Allocated(a.requestId(), g.pages()));
    } else if (out.decision() instanceof MemoryBudget.Parked) {
      parkedReplyTo.put(a.requestId(), a.replyTo());
      getContext().getLog().debug("allocation {} of task {} parked ({} bytes, {} free pages)",
          a.requestId(), a.task(), a.bytes(), budget.freePages());
    } else if (out.decision() instanceof MemoryBudget.Refused r) {
      a.replyTo().tell(new AllocationFailed(a.requestId(), r.reason()));
    }
    return this;
  }

  private Behavior<Command> onFree(Free f) {
    for (MemoryBudget.Granted g : budget.free(f.requestId()).granted()) {
      ActorRef<Reply> replyTo = parkedReplyTo.remove(g.request().requestId());
      if (replyTo != null) {
        replyTo.tell(new Allocated(g.request().requestId(), g.pages()));
      }
    }
    return this;
  }

  private Behavior<Command> onWithdraw(Withdraw w) {
    budget.cancel(w.requestId());
    parkedReplyTo.remove(w.requestId());
    return this;
  }

  private Behavior<Command> onGetUsage(GetUsage g) {
    g.replyTo().tell(new Usage(budget.settings().totalPages(), budget.usedPages(), budget.freePages(),
        budget.waiters().stream().map(p -> p.request().task()).toList()));
    return this;
  }
}
