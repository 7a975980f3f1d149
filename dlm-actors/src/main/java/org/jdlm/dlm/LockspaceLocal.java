package org.jdlm.dlm;

import org.jdlm.dlm.core.RecoveredLock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.jdlm.dlm.api.BlockingListener;
import org.jdlm.dlm.api.CompletionListener;
import org.jdlm.dlm.api.DlmException;
import org.jdlm.dlm.api.LockHandle;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.api.RecoveryState;
import org.jdlm.dlm.api.LockspaceSettings;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;
import org.jdlm.dlm.api.LockResult;
import org.jdlm.dlm.core.CastStatus;
import org.jdlm.dlm.core.Effect;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockId;
import org.jdlm.dlm.core.MasterOp;
import org.jdlm.dlm.core.OwnerLockState;
import org.jdlm.dlm.core.OwnerLockView;
import org.jdlm.dlm.core.OwnerLocks;
import org.jdlm.dlm.core.OwnerResult;
import org.jdlm.dlm.core.SbFlags;
import org.jdlm.dlm.core.ValueBlock;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.core.NodeId;
import org.jdlm.dlm.core.SyncStatus;
import org.jdlm.dlm.directory.ResourceDirectory;
import org.jdlm.dlm.directory.ResourceName;
import org.jdlm.dlm.api.CommMemory;
import org.jdlm.dlm.dump.LockspaceDump;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's owner-side half of one lockspace: the façade users call ({@link LockspaceHandle}),
 * over two named parts: the {@link OwnerTable} of locks this node holds (the process copies
 * recovery rebuilds masters from), guarded by its monitor, and the lockspace's
 * {@link CallbackThread} (bounded queue), on which callbacks and every future of the lockspace
 * run. Why the owner side is a monitor and not a mailbox: docs/architecture.md.
 */
public final class LockspaceLocal implements LockspaceHandle {

  private static final Logger LOG = LoggerFactory.getLogger(LockspaceLocal.class);

  private final String name;
  private final LockspaceSettings settings;
  private static final Set<OwnerLockState> IN_FLIGHT = java.util.EnumSet.of(OwnerLockState.REQUESTING,
      OwnerLockState.CONVERTING, OwnerLockState.UNLOCKING, OwnerLockState.CANCELLING);


  /** Lock calls come from one "process" per node (PERSISTENT/ORPHAN are per process, TV-61). */
  private static final long PROCESS = 0;

  private final DlmSettings dlmSettings;
  private final Consumer<String> onClose;
  private final CallbackThread callbacks;
  /** The core's process copies; its monitor serialises API threads and the callback thread. */
  private final OwnerTable owner = new OwnerTable();
  private final ConcurrentHashMap<Long, LockHandleImpl> handles = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, NodeId> masters = new ConcurrentHashMap<>();
  private final CompletableFuture<LockspaceHandle> joined = new CompletableFuture<>();
  private volatile ActorRef<Lockspace.Command> member;
  private volatile ActorSystem<?> system;
  private volatile NodeId nodeId;
  private volatile List<NodeId> members = List.of();
  private volatile long generation;
  private volatile boolean closed;
  private volatile Duration askTimeout = Duration.ofSeconds(30);
  /** Send buffers (docs/kernel.md, "The DLM's send buffers"); null = none installed, no accounting. */
  private volatile CommMemory.LockspaceComm comm;
  /** The directory of the running view, for predicting whether a request's first message leaves. */
  private volatile ResourceDirectory directory;

  /** Created by {@code Dlm.joinLockspace}; {@code onClose} is told the name when the member stops. */
  public LockspaceLocal(String name, LockspaceSettings settings, DlmSettings dlmSettings, Consumer<String> onClose) {
    this.name = name;
    this.settings = settings;
    this.dlmSettings = dlmSettings;
    this.onClose = onClose;
    this.callbacks = new CallbackThread(name, dlmSettings.callbackThreadQueueCapacity(),
        dlmSettings.callbackThreadFullWait());
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
    return lock(resource, mode, flags, lvb, listener, null);
  }

  @Override
  public LockHandle lock(byte[] resource, LockMode mode, Set<LockFlag> flags, byte[] lvb, BlockingListener listener,
      CompletionListener completion) {
    checkOpen();
    if (resource == null || resource.length == 0 || resource.length > ResourceName.MAX_LENGTH) {
      throw new DlmException(SyncStatus.EINVAL, resource == null ? null : resource.length + " bytes",
          "a resource name is 1 to " + ResourceName.MAX_LENGTH + " bytes (semantics §2.8)");
    }
    ResourceName name = ResourceName.of(resource);
    Set<LockFlag> f = flags == null ? Set.of() : flags;
    CommMemory.Buffer buffer = comm == null ? null : bufferFor(name, -1);
    try {
      synchronized (owner) {
        OwnerResult result = owner.lock(coreName(name), mode, f, lvb, listener != null, PROCESS);
        OwnerResult.Accepted accepted = accepted(result, "lock " + name.display() + " " + mode + " " + f);
        LockHandleImpl handle = handles.computeIfAbsent(accepted.lock().local(),
            k -> new LockHandleImpl(accepted.lock(), name, this, listener, completion));
        handle.requestedBy(org.jdlm.dlm.api.LockRequester.current(), System.nanoTime());
        send(accepted.send());
        return handle;
      }
    } finally {
      if (buffer != null) {
        buffer.close(); // the message is with the member actor: handed to the transport
      }
    }
  }

  CompletionStage<LockResult> convert(LockHandleImpl lock, LockMode mode, Set<LockFlag> flags, byte[] lvb) {
    checkOpen();
    Set<LockFlag> f = flags == null ? Set.of() : flags;
    CommMemory.Buffer buffer = comm == null ? null : bufferFor(lock.resourceName(), lock.lockId().local());
    try {
      synchronized (owner) {
        OwnerResult.Accepted accepted = accepted(owner.convert(lock.lockId(), mode, f, lvb),
            "convert " + lock.lockId() + " to " + mode + " " + f);
        CompletableFuture<LockResult> future = lock.started("CONVERT");
        lock.requestedBy(org.jdlm.dlm.api.LockRequester.current(), System.nanoTime());
        send(accepted.send());
        return future;
      }
    } finally {
      if (buffer != null) {
        buffer.close();
      }
    }
  }

  CompletionStage<LockResult> unlock(LockHandleImpl lock, Set<LockFlag> flags, byte[] lvb) {
    checkOpen();
    Set<LockFlag> f = flags == null ? Set.of() : flags;
    boolean cancel = f.contains(LockFlag.CANCEL);
    CommMemory.Buffer buffer = comm == null ? null : bufferFor(lock.resourceName(), lock.lockId().local());
    try {
      synchronized (owner) {
        OwnerResult.Accepted accepted = accepted(owner.unlock(lock.lockId(), f, lvb),
            (cancel ? "cancel " : "unlock ") + lock.lockId() + " " + f);
        return startedOrDone(lock, accepted, cancel ? "CANCEL" : "UNLOCK");
      }
    } finally {
      if (buffer != null) {
        buffer.close();
      }
    }
  }

  CompletionStage<LockResult> cancel(LockHandleImpl lock) {
    checkOpen();
    CommMemory.Buffer buffer = comm == null ? null : bufferFor(lock.resourceName(), lock.lockId().local());
    try {
      synchronized (owner) {
        OwnerResult.Accepted accepted = accepted(owner.cancel(lock.lockId()), "cancel " + lock.lockId());
        return startedOrDone(lock, accepted, "CANCEL");
      }
    } finally {
      if (buffer != null) {
        buffer.close();
      }
    }
  }

  /**
   * Caller context, before the monitor: the send buffer of an operation whose first message will
   * leave this member, or null. Taken here because it may reclaim and wait in a kernel task, which
   * must never happen under the monitor; the message is still told under the monitor, so per-lock
   * order is the table's order as before. The prediction: an operation on a lock goes to the master
   * its earlier operations were routed to; a request, or an operation whose master is not known
   * yet, goes first to the name's directory node (a lookup) unless that is this member. A
   * misprediction costs one buffer taken and freed, or one message unaccounted; an operation the
   * core answers without a message (a cancel of a granted lock) frees its buffer unused.
   */
  private CommMemory.Buffer bufferFor(ResourceName resource, long lockId) {
    CommMemory.LockspaceComm c = comm;
    NodeId first = lockId < 0 ? null : masters.get(lockId);
    if (first == null) {
      ResourceDirectory dir = directory;
      if (dir == null) {
        return null; // not running yet: the operation is parked and sent later by the member actor
      }
      first = dir.directoryNode(resource.bytes());
    }
    return first.equals(nodeId) ? null : c.takeInCaller();
  }

  /** Installed by {@code Dlm.joinLockspace} before the member starts. */
  public void useComm(CommMemory.LockspaceComm lockspaceComm) {
    this.comm = lockspaceComm;
  }

  /** The lockspace's send buffers, or null when none are accounted (master actors read it per reply). */
  CommMemory.LockspaceComm comm() {
    return comm;
  }

  /** Send-buffer counters, or null when no {@code CommMemory} is installed (tests, dumps). */
  public CommMemory.CommStats commStats() {
    CommMemory.LockspaceComm c = comm;
    return c == null ? null : c.stats();
  }

  /** Called under the monitor. A cancel of a granted lock is answered at once: 0 and no AST (semantics §2.6). */
  private CompletionStage<LockResult> startedOrDone(LockHandleImpl lock, OwnerResult.Accepted accepted, String kind) {
    Optional<OwnerLockView> view = owner.view(lock.lockId());
    if ("CANCEL".equals(kind) && accepted.send().isEmpty()
        && view.map(v -> v.state() == OwnerLockState.GRANTED).orElse(false)) {
      return CompletableFuture.completedFuture(new LockResult(CastStatus.OK, view.get().granted(), null,
          SbFlags.NONE, view.get().token()));
    }
    CompletableFuture<LockResult> future = lock.started(kind);
    send(accepted.send());
    return future;
  }

  private static OwnerResult.Accepted accepted(OwnerResult result, String call) {
    if (result instanceof OwnerResult.Rejected r) {
      throw new DlmException(r.status(), call, r.reason());
    }
    return (OwnerResult.Accepted) result;
  }

  /** Sends the core's operations to the master, in order (called under the monitor). */
  private void send(List<MasterOp> ops) {
    ActorRef<Lockspace.Command> self = member;
    for (MasterOp op : ops) {
      ResourceName name = ResourceName.of(op.resource().getBytes(StandardCharsets.ISO_8859_1));
      LockResource.Operation wire;
      if (op instanceof MasterOp.Request r) {
        wire = new LockResource.Request(self, r.lock().local(), r.mode(), r.flags(), bytes(r.lvb()),
            r.blockingCallback());
      } else if (op instanceof MasterOp.Convert c) {
        wire = new LockResource.Convert(self, c.lock().local(), c.mode(), c.flags(), bytes(c.lvb()));
      } else if (op instanceof MasterOp.Unlock u) {
        wire = new LockResource.Unlock(self, u.lock().local(), u.flags(), bytes(u.lvb()));
      } else if (op instanceof MasterOp.Adopt a) {
        wire = new LockResource.Adopt(self, a.lock().local(), a.mode(), a.flags(), a.blockingCallback());
      } else {
        MasterOp.Cancel c = (MasterOp.Cancel) op;
        wire = new LockResource.Cancel(self, c.lock().local(), c.flags());
      }
      self.tell(new Lockspace.Route(name, wire));
    }
  }

  private static byte[] bytes(ValueBlock lvb) {
    return lvb == null ? null : lvb.toByteArray();
  }

  /**
   * The core names resources by {@code String}; names are bytes. ISO-8859-1 maps every byte to
   * one char and back, so no name is changed or merged.
   */
  static String coreName(ResourceName name) {
    return new String(name.bytes(), StandardCharsets.ISO_8859_1);
  }

  // ============================================================================ wait-for graph

  /** What this member's masters last published about their queued requests (by resource). */
  private final ConcurrentHashMap<ResourceName, org.jdlm.dlm.core.DlmWaits.ResourceWaits> waits =
      new ConcurrentHashMap<>();

  /** From a master {@link LockResource} on its timer: its queued requests now, or null when none are left. */
  void publishWaits(ResourceName resource, org.jdlm.dlm.core.DlmWaits.ResourceWaits view) {
    if (view == null) {
      waits.remove(resource);
    } else {
      waits.put(resource, view);
    }
  }

  /**
   * Feeds this lockspace's part of the wait-for graph (docs/detector.md §4): the owner half (this
   * member's queued requests with their requesters, and what waiting requesters hold) from the
   * owner table under its monitor, which is never held across anything slow; the master half from
   * the views the masters published. Nothing here asks an actor. {@code member} names this
   * member's tasks; {@code scope} names the members owning locks.
   */
  public void feedWaits(org.jdlm.kernel.core.waits.FactSink sink, String member,
      java.util.function.Function<NodeId, String> scope, java.util.function.LongUnaryOperator toDetectorNanos) {
    List<org.jdlm.dlm.core.DlmWaits.Request> requests = new ArrayList<>();
    List<org.jdlm.dlm.core.DlmWaits.Holding> holdings = new ArrayList<>();
    List<OwnerLockView> views;
    synchronized (owner) {
      views = owner.views();
    }
    for (OwnerLockView v : views) {
      LockHandleImpl h = handles.get(v.lock().local());
      org.jdlm.dlm.api.LockRequester.Identity who = h == null ? null : h.requester();
      if (who == null) {
        continue; // adopted or recovered without a call on this member: no known task
      }
      String resource = ResourceName.of(v.resource().getBytes(StandardCharsets.ISO_8859_1)).display();
      if ((v.state() == OwnerLockState.WAITING || v.state() == OwnerLockState.CONVERT_QUEUED) && v.requested() != null) {
        requests.add(new org.jdlm.dlm.core.DlmWaits.Request(v.lock(), name, resource, v.requested(),
            v.state() == OwnerLockState.CONVERT_QUEUED, who.task(), who.priority(), h.requestedAtNanos(),
            v.flags().contains(LockFlag.NODLCKWT)));
      }
      if (v.granted() != null) {
        holdings.add(new org.jdlm.dlm.core.DlmWaits.Holding(v.lock(), name, resource, v.granted(), who.task(),
            who.kernelTask()));
      }
    }
    org.jdlm.dlm.core.DlmWaits.feedOwner(sink, member, requests, holdings, scope, toDetectorNanos);
    for (org.jdlm.dlm.core.DlmWaits.ResourceWaits w : waits.values()) {
      org.jdlm.dlm.core.DlmWaits.feedMaster(sink, name, w, scope);
    }
  }

  /**
   * Denies this member's queued request {@code lockId} for {@code mode} with EDEADLK, as a deadlock
   * victim (issue 11 ★): if the process copy is still queued for that mode
   * ({@link org.jdlm.dlm.core.DeadlockBreak#atOwner}), a {@link LockResource.DenyDeadlock} goes to
   * its master on the lock's own path (after any earlier operation on it), and the master checks
   * again; the EDEADLK arrives as the lock's completion. Returns what was decided.
   */
  public org.jdlm.dlm.core.DeadlockBreak.Decision denyDeadlocked(long lockId, LockMode mode) {
    if (closed || member == null || nodeId == null) {
      return new org.jdlm.dlm.core.DeadlockBreak.Decision.Ignore("the lockspace is not running here");
    }
    synchronized (owner) {
      LockId id = new LockId(nodeId, lockId);
      Optional<OwnerLockView> view = owner.view(id);
      org.jdlm.dlm.core.DeadlockBreak.Decision d = org.jdlm.dlm.core.DeadlockBreak.atOwner(view, mode);
      if (d instanceof org.jdlm.dlm.core.DeadlockBreak.Decision.Deny) {
        ResourceName resource = ResourceName.of(view.get().resource().getBytes(StandardCharsets.ISO_8859_1));
        member.tell(new Lockspace.Route(resource, new LockResource.DenyDeadlock(member, lockId, mode)));
      }
      return d;
    }
  }

  @Override
  public CompletionStage<LockspaceDump> dump() {
    checkOpen();
    return AskPattern.ask(member, Lockspace.Dump::new, askTimeout, system.scheduler());
  }

  @Override
  public CompletionStage<ClusterDump> clusterDump() {
    checkOpen();
    CompletionStage<Lockspace.ClusterDumpResult> reply = AskPattern.ask(member, Lockspace.ClusterDump::new,
        askTimeout.plus(dlmSettings.dumpTimeout()).plus(dlmSettings.dumpTimeout()), system.scheduler());
    return reply.thenApply(r -> new ClusterDump(r.dumps(), r.missing()));
  }

  @Override
  public boolean isQuiet() {
    if (!callbacks.idle()) {
      return false;
    }
    synchronized (owner) {
      for (OwnerLockView v : owner.views()) {
        if (IN_FLIGHT.contains(v.state())) {
          return false;
        }
      }
    }
    return callbacks.idle();
  }

  @Override
  public CompletionStage<Boolean> flush() {
    checkOpen();
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    AskPattern.<Lockspace.Command, Lockspace.Flushed>ask(member, Lockspace.Flush::new,
            dlmSettings.flushTimeout().plus(askTimeout), system.scheduler())
        .whenComplete((f, e) -> {
          if (e != null) {
            done.complete(false);
          } else {
            // Events to this node's own locks were queued by its masters directly: drain them too.
            afterQueuedCallbacks(() -> done.complete(f.complete()));
          }
        });
    return done;
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
    return handles.get(id);
  }

  // ============================================================================ used by the actors

  /** From {@link Lockspace} when it starts. */
  void attach(ActorRef<Lockspace.Command> ref, NodeId node, ActorSystem<?> actorSystem, Duration timeout) {
    synchronized (owner) {
      owner.init(node, settings.lvbLength(), dlmSettings.maxLocksPerNode(), dlmSettings.callbackQueueCapacity());
    }
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
    this.directory = view.isEmpty() ? null : new ResourceDirectory(view);
    execute(() -> joined.complete(this));
  }

  /** Runs {@code task} on the callback thread after every callback and event queued so far. */
  void afterQueuedCallbacks(Runnable task) {
    execute(task);
  }

  /** From any actor of this lockspace: queue one master event for lock {@code lockId} on the callback thread. */
  void deliver(long lockId, LockEvent event) {
    execute(() -> apply(lockId, event));
  }

  /** Callback thread: the core applies the event, then its de-duplicated callbacks are delivered in order. */
  private void apply(long lockId, LockEvent event) {
    if (nodeId == null) {
      LOG.warn("lockspace {}: event {} before the member started; dropped", name, event);
      return;
    }
    LockId id = new LockId(nodeId, lockId);
    LockHandleImpl handle = handles.get(lockId);
    List<OwnerLocks.Delivery> deliveries;
    Settlement settlement;
    synchronized (owner) {
      send(owner.onEffect(toEffect(id, event)));
      deliveries = owner.drainCallbacks();
      settlement = handle == null ? null : settlement(handle);
    }
    deliver(deliveries);
    if (handle == null) {
      return;
    }
    if (event instanceof LockEvent.Rejected r) {
      handle.failLatest(new DlmException(r.status(), id.toString(), r.reason()));
    }
    settle(handle, settlement);
  }

  /** Callback thread: hands each delivery to its lock's handle, in the core's order. */
  private void deliver(List<OwnerLocks.Delivery> deliveries) {
    for (OwnerLocks.Delivery d : deliveries) {
      LockHandleImpl target = handles.get(d.lock().local());
      if (target != null) {
        target.deliver(d.callback());
      }
    }
  }

  /**
   * What {@link #settle} does for a lock, decided under the monitor right after the drain.
   *
   * @param held the lock is destroyed but the core still holds callbacks for it
   * @param cancelling the lock's snapshot when a cancel is pending, else null
   */
  private record Settlement(OwnerLockState state, boolean held, OwnerLockView cancelling) {}

  /**
   * Called under the monitor; cancels are added under it too, so the check cannot miss one. Null
   * when there is nothing to settle (the lock lives and no cancel is pending): the common case of
   * every grant and BAST allocates nothing.
   */
  private Settlement settlement(LockHandleImpl handle) {
    LockId id = handle.lockId();
    OwnerLockState state = owner.state(id).orElse(OwnerLockState.DESTROYED);
    boolean cancelPending = handle.hasPendingCancel();
    if (state != OwnerLockState.DESTROYED && !cancelPending) {
      return null;
    }
    // The core forgets a destroyed lock when it drains the lock's last callbacks: one it still
    // remembers has callbacks held back by recovery (suspendCallbacks).
    boolean held = state == OwnerLockState.DESTROYED && owner.view(id).isPresent();
    // A full snapshot (an allocation with the flags set) only when settle() can use it.
    OwnerLockView cancelling = cancelPending ? owner.view(id).orElse(null) : null;
    return new Settlement(state, held, cancelling);
  }

  /**
   * Callback thread, after the deliveries: a cancel left pending on a granted or destroyed lock
   * ends, and the handle of a destroyed lock is forgotten, but only once the core has handed over
   * its last callbacks. While recovery holds callbacks back, an event that destroys a lock (a
   * NOQUEUE request refused, an unlock) leaves its completion held in the core: the handle stays
   * until {@link #deliverDrained} delivers it, or the caller's future would never complete.
   */
  private void settle(LockHandleImpl handle, Settlement s) {
    if (s == null || s.held()) {
      return;
    }
    if (s.cancelling() != null || s.state() == OwnerLockState.DESTROYED) {
      handle.settle(s.state(), s.cancelling() == null ? null : s.cancelling().granted(),
          s.cancelling() == null ? null : s.cancelling().token());
    }
    if (s.state() == OwnerLockState.DESTROYED) {
      handles.remove(handle.lockId().local());
      masters.remove(handle.lockId().local());
    }
  }

  private Effect toEffect(LockId id, LockEvent event) {
    if (event instanceof LockEvent.Completed c) {
      return new Effect.Completion(id, c.status(), c.grantedMode(), SbFlags.of(c.sbflags()),
          c.lvb() == null ? null : ValueBlock.of(c.lvb(), settings.lvbLength()), c.token(), c.lvbSeq());
    } else if (event instanceof LockEvent.Blocking b) {
      return new Effect.Blocking(id, b.mode());
    } else if (event instanceof LockEvent.Queued q) {
      return new Effect.Queued(id, q.conversion(), q.grantedMode(), SbFlags.of(q.sbflags()));
    } else if (event instanceof LockEvent.CancelIgnored) {
      return new Effect.CancelIgnored(id);
    }
    LockEvent.Rejected r = (LockEvent.Rejected) event;
    return new Effect.Rejected(id, r.status(), r.reason());
  }

  /** The locks this node holds, sorted by id (dumps; recovery resends these). */
  List<LockspaceDump.OwnedLock> ownedLocks() {
    List<OwnerLockView> views;
    synchronized (owner) {
      views = owner.views();
    }
    List<LockspaceDump.OwnedLock> out = new ArrayList<>();
    HexFormat hex = HexFormat.of();
    for (OwnerLockView v : views) {
      if (v.state() == OwnerLockState.DESTROYED) {
        continue;
      }
      NodeId master = masters.get(v.lock().local());
      out.add(new LockspaceDump.OwnedLock(v.lock().local(),
          ResourceName.of(v.resource().getBytes(StandardCharsets.ISO_8859_1)).display(),
          master == null ? "?" : master.name(), v.state().name(), v.granted() == null ? "IV" : v.granted().name(),
          v.requested() == null ? "IV" : v.requested().name(), v.flags().stream().map(Enum::name).sorted().toList(),
          v.lvb() == null ? "" : hex.formatHex(v.lvb().toByteArray()), v.token() == null ? "-" : v.token().toString()));
    }
    out.sort(Comparator.comparingLong(LockspaceDump.OwnedLock::lockId));
    return out;
  }

  /** The process copy of one lock, if the core still knows it. */
  Optional<OwnerLockView> view(LockId id) {
    synchronized (owner) {
      return owner.view(id);
    }
  }

  /** Number of live locks this node holds. */
  int ownedLockCount() {
    synchronized (owner) {
      return owner.liveLockCount();
    }
  }

  /** Stops the callback thread; later calls throw ENOENT. Idempotent. */
  public void close() {
    if (!closed) {
      closed = true;
      onClose.accept(name);
      callbacks.shutdown();
      CommMemory.LockspaceComm c = comm;
      if (c != null) {
        c.close();
      }
      if (!joined.isDone()) {
        joined.completeExceptionally(new DlmException(SyncStatus.ENOENT, name, "lockspace stopped before the join completed"));
      }
    }
  }

  /** The join future (completes on the callback thread). */
  public CompletionStage<LockspaceHandle> joined() {
    return joined;
  }

  private volatile RecoveryState recoveryState = new RecoveryState("stopped", 0, 0, Set.of());

  /** Completed while locking is enabled; replaced by a fresh one when the lockspace stops. Guarded by itself. */
  private final Object runningLock = new Object();
  private CompletableFuture<Void> running = new CompletableFuture<>();

  /** From {@link Lockspace} at every recovery transition. */
  void publish(RecoveryState state) {
    recoveryState = state;
    CompletableFuture<Void> toComplete = null;
    synchronized (runningLock) {
      if (state.running()) {
        toComplete = running;
      } else if (running.isDone()) {
        running = new CompletableFuture<>();
      }
    }
    if (toComplete != null) {
      toComplete.complete(null); // outside the lock: waiters' continuations may run here
    }
  }

  @Override
  public CompletionStage<Void> whenRunning() {
    synchronized (runningLock) {
      return running.minimalCompletionStage();
    }
  }

  @Override
  public RecoveryState recoveryState() {
    return recoveryState;
  }

  // ============================================================================ recovery (owner side)

  /** Recovery step 1 ({@code dlm_callback_suspend}): no callback is delivered until resume. */
  void suspendCallbacks() {
    synchronized (owner) {
      owner.locks().suspendCallbacks();
    }
  }

  /** Step 15 ({@code dlm_callback_resume}): held callbacks go out, in per-lock order, on the callback thread. */
  void resumeCallbacks() {
    synchronized (owner) {
      owner.locks().resumeCallbacks();
    }
    execute(this::deliverDrained);
  }

  private void deliverDrained() {
    List<OwnerLocks.Delivery> deliveries;
    synchronized (owner) {
      deliveries = owner.drainCallbacks();
    }
    deliver(deliveries);
    // Locks destroyed while callbacks were held kept their handles until now (settle()).
    Set<Long> delivered = new java.util.LinkedHashSet<>();
    deliveries.forEach(d -> delivered.add(d.lock().local()));
    for (long lockId : delivered) {
      LockHandleImpl handle = handles.get(lockId);
      if (handle != null) {
        Settlement settlement;
        synchronized (owner) {
          settlement = settlement(handle);
        }
        settle(handle, settlement);
      }
    }
  }

  /** Names (core spelling) of resources on which this node has locks mastered by one of {@code dead}. */
  Set<String> resourcesMasteredBy(Set<NodeId> dead) {
    Set<String> out = new java.util.TreeSet<>();
    synchronized (owner) {
      for (OwnerLockView v : owner.views()) {
        NodeId master = masters.get(v.lock().local());
        if (master != null && dead.contains(master) && v.state() != OwnerLockState.DESTROYED) {
          out.add(v.resource());
        }
      }
    }
    return out;
  }

  /** Step 8 for each of {@code resources}: fakes replies for unlocks/cancels in flight, marks the rest for resend. */
  void masterLost(Collection<String> resources) {
    synchronized (owner) {
      for (String resource : resources) {
        owner.locks().masterLost(resource);
      }
    }
  }

  /** Step 11: this node's copies of the locks on {@code resource}, for the new master; re-routed there. */
  List<RecoveredLock> locksToResend(String resource, NodeId newMaster) {
    synchronized (owner) {
      List<RecoveredLock> locks = owner.locks().locksToResend(resource);
      for (RecoveredLock l : locks) {
        masters.put(l.lock().local(), newMaster);
      }
      return locks;
    }
  }

  /** Step 17 for each of {@code resources}: requests and conversions that were in flight to the dead master go to the new one. */
  void resendAfterRecovery(Collection<String> resources) {
    if (resources.isEmpty()) {
      return; // a join or a blip moved no master
    }
    synchronized (owner) {
      for (String resource : resources) {
        send(owner.locks().resendAfterRecovery(resource));
      }
    }
    execute(this::deliverDrained); // a cancel or unlock asked meanwhile may have completed at once
  }

  // ============================================================================ used by LockHandleImpl

  /** From {@link Lockspace}: the lock's operations go to {@code master} (kept with the process copy). */
  void routed(long lockId, NodeId master) {
    masters.put(lockId, master);
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
    callbacks.execute(task);
  }

  @Override
  public String toString() {
    return "Lockspace[" + name + " on " + nodeId + "]";
  }
}
