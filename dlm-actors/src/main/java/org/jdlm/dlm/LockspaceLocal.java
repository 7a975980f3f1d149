package org.jdlm.dlm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.jdlm.dlm.api.BlockingListener;
import org.jdlm.dlm.api.DlmException;
import org.jdlm.dlm.api.LockHandle;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.core.NodeId;
import org.jdlm.dlm.core.SyncStatus;
import org.jdlm.dlm.directory.ResourceName;
import org.jdlm.dlm.dump.LockspaceDump;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's owner-side half of one lockspace: the {@link LockspaceHandle} users call, the table
 * of locks this node holds (the process copies recovery rebuilds masters from), and the
 * lockspace's callback thread.
 *
 * <p>Callbacks (completions and blocking callbacks) and every future of the lockspace run on one
 * single-threaded executor, like libdlm's per-lockspace AST thread: events are queued in the
 * order the master produced them, so a lock's completion is delivered before a later blocking
 * callback for it (spec §3), and user code never runs on an actor thread.
 */
public final class LockspaceLocal implements LockspaceHandle {

  private static final Logger LOG = LoggerFactory.getLogger(LockspaceLocal.class);

  private final String name;
  private final LockspaceSettings settings;
  private final AtomicLong lockIds;
  private final Consumer<String> onClose;
  private final ExecutorService callbacks;
  private final ConcurrentHashMap<Long, LockHandleImpl> locks = new ConcurrentHashMap<>();
  private final CompletableFuture<LockspaceHandle> joined = new CompletableFuture<>();
  private volatile ActorRef<Lockspace.Command> member;
  private volatile ActorSystem<?> system;
  private volatile NodeId nodeId;
  private volatile List<NodeId> members = List.of();
  private volatile long generation;
  private volatile boolean closed;
  private volatile Duration askTimeout = Duration.ofSeconds(30);

  /** Created by {@code Dlm.joinLockspace}; {@code lockIds} is the node-wide lock id counter. */
  public LockspaceLocal(String name, LockspaceSettings settings, AtomicLong lockIds, Consumer<String> onClose) {
    this.name = name;
    this.settings = settings;
    this.lockIds = lockIds;
    this.onClose = onClose;
    this.callbacks = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "jdlm-ast-" + name);
      t.setDaemon(true);
      return t;
    });
  }

  // ============================================================================ LockspaceHandle

  @Override
  public String name() {
    return name;
  }

  @Override
  public NodeId nodeId() {
    return nodeId;
  }

  @Override
  public int lvbLength() {
    return settings.lvbLength();
  }

  /** The settings this lockspace was joined with. */
  public LockspaceSettings settings() {
    return settings;
  }

  @Override
  public LockHandle lock(byte[] resource, LockMode mode, Set<LockFlag> flags, byte[] lvb, BlockingListener listener) {
    checkOpen();
    LockHandleImpl lock = LockHandleImpl.validateNew(lockIds.incrementAndGet(), resource, mode, flags, lvb,
        listener, this);
    locks.put(lock.id(), lock);
    send(lock.resourceName(), lock.requestMessage(), lock);
    return lock;
  }

  @Override
  public CompletionStage<LockspaceDump> dump() {
    checkOpen();
    return AskPattern.ask(member, Lockspace.Dump::new, askTimeout, system.scheduler());
  }

  @Override
  public List<NodeId> members() {
    return members;
  }

  @Override
  public long generation() {
    return generation;
  }

  @Override
  public CompletionStage<Void> leave() {
    checkOpen();
    CompletionStage<Lockspace.LeaveResult> reply =
        AskPattern.ask(member, Lockspace.Leave::new, askTimeout, system.scheduler());
    return reply.thenApply(r -> {
      if (!r.left()) {
        throw new DlmException(SyncStatus.EBUSY, name, r.reason());
      }
      return null;
    });
  }

  /** The lock with this id, if this node holds it. */
  public LockHandle lockById(long id) {
    return locks.get(id);
  }

  // ============================================================================ used by the actors

  /** From {@link Lockspace} when it starts. */
  void attach(ActorRef<Lockspace.Command> ref, NodeId node, ActorSystem<?> actorSystem, Duration timeout) {
    this.member = ref;
    this.nodeId = node;
    this.system = actorSystem;
    this.askTimeout = timeout;
  }

  ActorRef<Lockspace.Command> self() {
    return member;
  }

  /** From {@link Lockspace} on every resume: completes the join the first time. */
  void running(long newGeneration, List<NodeId> view) {
    this.generation = newGeneration;
    this.members = List.copyOf(view);
    execute(() -> joined.complete(this));
  }

  /** From any actor of this lockspace: queue one master event for lock {@code lockId} on the callback thread. */
  void deliver(long lockId, LockEvent event) {
    execute(() -> {
      LockHandleImpl lock = locks.get(lockId);
      if (lock == null) {
        LOG.warn("lockspace {}: event {} for unknown lock {}", name, event, Long.toHexString(lockId));
        return;
      }
      lock.onEvent(event);
    });
  }

  /** The locks this node holds, sorted by id (dumps; recovery resends these). */
  List<LockspaceDump.OwnedLock> ownedLocks() {
    List<LockspaceDump.OwnedLock> out = new ArrayList<>();
    for (LockHandleImpl lock : locks.values()) {
      out.add(lock.snapshot());
    }
    out.sort(Comparator.comparingLong(LockspaceDump.OwnedLock::lockId));
    return out;
  }

  /** Number of locks this node holds. */
  int ownedLockCount() {
    return locks.size();
  }

  /** Stops the callback thread; later calls throw ENOENT. Idempotent. */
  public void close() {
    if (!closed) {
      closed = true;
      onClose.accept(name);
      callbacks.shutdown();
      if (!joined.isDone()) {
        joined.completeExceptionally(new DlmException(SyncStatus.ENOENT, name, "lockspace stopped before the join completed"));
      }
    }
  }

  /** The join future (completes on the callback thread). */
  public CompletionStage<LockspaceHandle> joined() {
    return joined;
  }

  // ============================================================================ used by LockHandleImpl

  void send(ResourceName resource, LockResource.Operation op, LockHandleImpl lock) {
    member.tell(new Lockspace.Route(resource, op));
  }

  /** From {@link Lockspace}: the lock's operations go to {@code master} (kept in the process copy). */
  void routed(long lockId, NodeId master) {
    LockHandleImpl lock = locks.get(lockId);
    if (lock != null) {
      lock.masterIs(master);
    }
  }

  void forget(long lockId) {
    locks.remove(lockId);
  }

  void checkOpen() {
    if (closed) {
      throw new DlmException(SyncStatus.ENOENT, name, "this node is not a member of lockspace " + name + " (left or stopped)");
    }
    if (member == null) {
      throw new DlmException(SyncStatus.ENOENT, name, "lockspace " + name + " is still being joined");
    }
  }

  void reportListenerFailure(LockHandle lock, RuntimeException e) {
    LOG.error("lockspace {}: blocking listener of {} threw", name, lock, e);
  }

  private void execute(Runnable task) {
    try {
      callbacks.execute(task);
    } catch (RejectedExecutionException e) {
      LOG.debug("lockspace {} closed; dropping callback", name);
    }
  }

  @Override
  public String toString() {
    return "Lockspace[" + name + " on " + nodeId + "]";
  }
}
