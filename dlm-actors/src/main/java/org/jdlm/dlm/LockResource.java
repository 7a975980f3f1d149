package org.jdlm.dlm;

import org.jdlm.dlm.core.RecoveredLock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.jdlm.common.wire.WireMessage;
import org.jdlm.dlm.core.Effect;
import org.jdlm.dlm.core.FencingToken;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockId;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.core.LockView;
import org.jdlm.dlm.core.NodeId;
import org.jdlm.dlm.core.ResourceState;
import org.jdlm.dlm.core.ValueBlock;
import org.jdlm.dlm.directory.ResourceName;
import org.jdlm.dlm.dump.LockspaceDump;

/**
 * One lock resource on its master: the grant, convert and wait queues of one name (semantics §2).
 * Every decision is made by the core's {@link ResourceState}; this actor feeds it operations and
 * carries out the returned {@link Effect}s in order, which gives the per-lock callback order of
 * semantics §3.
 *
 * <p>A child of the master's {@link Lockspace}, which forwards every operation (from local API
 * calls and from remote owners' Lockspaces). Events for a lock owned by this node go straight to
 * {@link LockspaceLocal}; events for a remote owner go to that owner's Lockspace, always from this
 * actor, so one sender/receiver pair carries a lock's whole event stream.
 *
 * <p>Toss (semantics §5): when no lock references the resource for {@code jdlm.dlm-actors.toss-delay}, it
 * reports {@link Lockspace.ResourceIdle}; the parent stops it if no operation is in flight.
 */
public final class LockResource {

  /** Messages to a resource master. */
  public sealed interface Command extends WireMessage {}

  /** An operation on one lock, from its owner node. No direct reply: outcomes are {@link LockEvent}s to {@code owner}. */
  public sealed interface Operation extends Command {
    /** The owner node's Lockspace member (where the lock's events go). */
    ActorRef<Lockspace.Command> owner();

    /** The owner-local lock id. */
    long lockId();
  }

  /** From an owner: a new lock (semantics §2.3). Events: Completed, or Queued then Completed later; Blocking for granted locks. */
  public record Request(ActorRef<Lockspace.Command> owner, long lockId, LockMode mode, Set<LockFlag> flags,
      byte[] lvb, boolean blockingCallback) implements Operation {}

  /** From an owner: convert a granted lock (semantics §2.4). Events as for {@link Request}. */
  public record Convert(ActorRef<Lockspace.Command> owner, long lockId, LockMode mode, Set<LockFlag> flags,
      byte[] lvb) implements Operation {}

  /** From an owner: unlock (semantics §2.6). Event: Completed(EUNLOCK). */
  public record Unlock(ActorRef<Lockspace.Command> owner, long lockId, Set<LockFlag> flags, byte[] lvb)
      implements Operation {}

  /** From an owner: cancel a queued request or conversion (semantics §2.6). Event: Completed(ECANCEL) or CancelIgnored. */
  public record Cancel(ActorRef<Lockspace.Command> owner, long lockId, Set<LockFlag> flags) implements Operation {}

  /** From an owner: adopt a dead node's orphan in {@code mode} as its new lock {@code lockId} (docs/recovery.md "Orphans"). Event: Completed(OK, EAGAIN or ENOENT); Blocking later as for any granted lock. */
  public record Adopt(ActorRef<Lockspace.Command> owner, long lockId, LockMode mode, Set<LockFlag> flags,
      boolean blockingCallback) implements Operation {}

  /** From the parent after a membership change: new fencing tokens carry {@code generation}. No reply. */
  public record NewGeneration(long generation) implements Command {}

  /** From the parent {@link Lockspace} in the REMASTER phase: purge the master copies owned by {@code departed} (node ids). Replies {@link Lockspace.ResourcePurged}. */
  public record Purge(long generation, List<String> departed) implements Command {}

  /**
   * From the parent in the REBUILD_LOCKS phase of recovery {@code generation}: add the locks
   * {@code owner} resent (semantics §6.3 step 11). No reply: the parent answers the owner's whole batch
   * ({@link Lockspace.RecoverLocksAck}), and its later phase work reaches this actor after these locks.
   */
  public record AddRecovered(long generation, List<RecoveredLock> locks, ActorRef<Lockspace.Command> owner)
      implements Command {}

  /** From the parent in the FINALIZE phase of recovery {@code generation}: fix PR/CW conversions and recover the value block (step 12). No reply: the parent's later work reaches this actor after it. */
  public record Finalize(long generation, boolean newMaster) implements Command {}

  /** From the parent in the RESUME phase: tokens carry {@code generation} from now on; grant what recovery made grantable (step 18). No reply. */
  public record GrantAfterRecovery(long generation) implements Command {}

  /** From the parent for a flush: send a {@link Lockspace.FlushMarker} to every owner this resource delivers to, behind its events; tell {@code collector} how many. */
  public record Flush(ActorRef<FlushCollector.Command> collector) implements Command {}

  /** From a dump collector: reply this resource's queues and value block. */
  public record DumpResource(ActorRef<LockspaceDump.ResourceDump> replyTo) implements Command {}

  /**
   * From the victim's owner, routed like a cancel: deny its queued request for {@code mode} with
   * EDEADLK (a wait-for-graph deadlock victim, issue 11 ★). Event: Completed(EDEADLK), or nothing
   * when the lock is no longer queued for that mode ({@code ResourceState.denyDeadlocked}).
   */
  public record DenyDeadlock(ActorRef<Lockspace.Command> owner, long lockId, LockMode mode) implements Operation {}

  /** Timer: publish this resource's queued requests and their blockers for the detector. */
  private enum PublishWaits implements Command { INSTANCE }

  /** Timer: check whether the resource has been unused for the toss delay. */
  private enum TossCheck implements Command { INSTANCE }

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final ResourceName name;
  private final ActorRef<Lockspace.Command> parent;
  private final NodeId selfNode;
  private final LockspaceLocal local;
  private final Duration tossDelay;
  private final ResourceState state;
  private final Duration publishInterval;
  private boolean publishing;
  private final Map<NodeId, ActorRef<Lockspace.Command>> ownerRefs = new HashMap<>();
  private long processed;
  private long unusedSinceNanos;
  private boolean tossTimerRunning;

  /**
   * @param generation the lockspace generation now; tokens issued here carry it (docs/fencing-tokens.md)
   * @param tokenFloor the directory's token floor: counters continue after it (docs/fencing-tokens.md)
   */
  static Behavior<Command> create(ResourceName name, ActorRef<Lockspace.Command> parent, NodeId selfNode,
      LockspaceLocal local, DlmSettings settings, long generation, long tokenFloor) {
    return wake(name, parent, selfNode, local, settings, newState(name, local, generation, tokenFloor), Map.of());
  }

  /**
   * The state of a resource this node starts to master (the one place a master's state is made).
   *
   * @param generation the lockspace generation now; tokens issued here carry it (docs/fencing-tokens.md)
   * @param tokenFloor the directory's token floor: counters continue after it (docs/fencing-tokens.md)
   */
  static ResourceState newState(ResourceName name, LockspaceLocal local, long generation, long tokenFloor) {
    ResourceState state = new ResourceState(LockspaceLocal.coreName(name), local.lvbLength(), generation);
    state.continueTokensAfter(tokenFloor);
    return state;
  }

  /**
   * An actor for a resource whose state the parent already holds: a resource remastered here by a
   * recovery stays dormant (no actor) until it is used (docs/recovery.md "Dormant resources").
   *
   * @param owners the members that may own its locks (where their events go)
   */
  static Behavior<Command> wake(ResourceName name, ActorRef<Lockspace.Command> parent, NodeId selfNode,
      LockspaceLocal local, DlmSettings settings, ResourceState state, Map<NodeId, ActorRef<Lockspace.Command>> owners) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new LockResource(ctx, timers, name, parent, selfNode, local, settings, state, owners).behavior()));
  }

  private LockResource(ActorContext<Command> ctx, TimerScheduler<Command> timers, ResourceName name,
      ActorRef<Lockspace.Command> parent, NodeId selfNode, LockspaceLocal local, DlmSettings settings,
      ResourceState state, Map<NodeId, ActorRef<Lockspace.Command>> owners) {
    this.ctx = ctx;
    this.timers = timers;
    this.name = name;
    this.parent = parent;
    this.selfNode = selfNode;
    this.local = local;
    this.tossDelay = settings.tossDelay();
    this.publishInterval = settings.waitsPublishInterval();
    this.state = state;
    this.ownerRefs.putAll(owners);
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(Request.class, this::onRequest)
        .onMessage(Convert.class, this::onConvert)
        .onMessage(Unlock.class, this::onUnlock)
        .onMessage(Cancel.class, this::onCancel)
        .onMessage(DenyDeadlock.class, this::onDenyDeadlock)
        .onMessage(PublishWaits.class, m -> onPublishWaits())
        .onMessage(Adopt.class, this::onAdopt)
        .onMessage(NewGeneration.class, this::onNewGeneration)
        .onMessage(Purge.class, this::onPurge)
        .onMessage(AddRecovered.class, this::onAddRecovered)
        .onMessage(Finalize.class, this::onFinalize)
        .onMessage(GrantAfterRecovery.class, this::onGrantAfterRecovery)
        .onMessage(Flush.class, this::onFlush)
        .onMessage(DumpResource.class, this::onDump)
        .onMessage(TossCheck.class, m -> onTossCheck())
        .onSignal(org.apache.pekko.actor.typed.PostStop.class, s -> {
          local.publishWaits(name, null); // a stopped master describes nothing any more
          return Behaviors.same();
        })
        .build();
  }

  private Behavior<Command> onRequest(Request m) {
    NodeId owner = ownerOf(m);
    perform(state.request(new LockId(owner, m.lockId()), m.mode(), m.flags(), lvb(m.lvb()), m.blockingCallback()));
    return afterOperation();
  }

  private Behavior<Command> onConvert(Convert m) {
    perform(state.convert(new LockId(ownerOf(m), m.lockId()), m.mode(), m.flags(), lvb(m.lvb())));
    return afterOperation();
  }

  private Behavior<Command> onUnlock(Unlock m) {
    perform(state.unlock(new LockId(ownerOf(m), m.lockId()), m.flags(), lvb(m.lvb())));
    return afterOperation();
  }

  private Behavior<Command> onCancel(Cancel m) {
    perform(state.cancel(new LockId(ownerOf(m), m.lockId()), m.flags()));
    return afterOperation();
  }

  private Behavior<Command> onDenyDeadlock(DenyDeadlock m) {
    List<Effect> effects = state.denyDeadlocked(new LockId(ownerOf(m), m.lockId()), m.mode());
    if (effects.isEmpty()) {
      ctx.getLog().debug("resource {}: deadlock victim {} of {} is no longer queued for {}; left alone", name,
          m.lockId(), m.owner(), m.mode());
    }
    perform(effects);
    state.checkInvariants();
    return afterOperation();
  }

  /**
   * Publishes the queued requests with their blockers for the wait-for-graph detector
   * ({@link LockspaceLocal#publishWaits}), on a timer while any request is queued: the detector
   * reads the last published view and never asks this actor, and a busy queue costs one snapshot
   * per interval instead of one per operation.
   */
  private Behavior<Command> onPublishWaits() {
    List<LockView> converting = state.queue(ResourceState.Queue.CONVERTING);
    List<LockView> waiting = state.queue(ResourceState.Queue.WAITING);
    if (converting.isEmpty() && waiting.isEmpty()) {
      local.publishWaits(name, null);
      publishing = false;
      return Behaviors.same();
    }
    local.publishWaits(name, org.jdlm.dlm.core.DlmWaits.of(name.display(), state.queue(ResourceState.Queue.GRANTED),
        converting, waiting));
    timers.startSingleTimer(PublishWaits.INSTANCE, publishInterval);
    return Behaviors.same();
  }

  private Behavior<Command> onAdopt(Adopt m) {
    perform(state.adoptOrphan(new LockId(ownerOf(m), m.lockId()), m.mode(), m.flags(), m.blockingCallback()));
    return afterOperation();
  }

  private Behavior<Command> onNewGeneration(NewGeneration m) {
    state.raiseTokenGeneration(m.generation());
    return Behaviors.same();
  }

  private Behavior<Command> onPurge(Purge m) {
    processed++;
    Set<NodeId> gone = new java.util.HashSet<>();
    m.departed().forEach(n -> gone.add(new NodeId(n)));
    perform(state.purgeNodes(gone, m.generation())); // Purged/Orphaned: no callback goes anywhere (step 9)
    ownerRefs.keySet().removeAll(gone);
    state.checkInvariants();
    parent.tell(new Lockspace.ResourcePurged(m.generation(), name));
    return Behaviors.same();
  }

  private Behavior<Command> onAddRecovered(AddRecovered m) {
    processed++;
    Address address = m.owner().path().address();
    NodeId owner = address.hasGlobalScope() ? Lockspace.nodeIdOf(address) : selfNode;
    if (!owner.equals(selfNode)) {
      ownerRefs.put(owner, m.owner());
    }
    addRecovered(state, m.locks(), m.generation(), ctx.getLog());
    return Behaviors.same();
  }

  /** Step 11 on a resource's state, awake or dormant: add the resent locks (a duplicate keeps the first copy). */
  static void addRecovered(ResourceState state, List<RecoveredLock> locks, long generation, org.slf4j.Logger log) {
    for (RecoveredLock lock : locks) {
      if (!state.addRecoveredLock(lock)) {
        log.warn("resource {}: recovered lock {} was already known in recovery {}; kept the first copy",
            state.name(), lock.lock(), generation);
      }
    }
    state.checkInvariants();
  }

  private Behavior<Command> onFinalize(Finalize m) {
    processed++;
    finish(state, m.newMaster());
    return Behaviors.same();
  }

  /** Step 12 on a resource's state, awake or dormant. */
  static void finish(ResourceState state, boolean newMaster) {
    state.finishRecovery(newMaster);
    state.checkInvariants();
  }

  private Behavior<Command> onGrantAfterRecovery(GrantAfterRecovery m) {
    processed++;
    state.raiseTokenGeneration(m.generation());
    perform(state.grantAfterRecovery());
    state.checkInvariants();
    return afterOperation();
  }

  private Behavior<Command> onFlush(Flush m) {
    // Events to this node's own locks went straight to its LockspaceLocal (the flush drains that
    // callback thread itself); remote owners get a marker on the same path as their events.
    for (ActorRef<Lockspace.Command> owner : ownerRefs.values()) {
      owner.tell(new Lockspace.FlushMarker(m.collector()));
    }
    m.collector().tell(new FlushCollector.Fanout(ownerRefs.size()));
    return Behaviors.same();
  }

  private NodeId ownerOf(Operation op) {
    processed++;
    Address address = op.owner().path().address();
    NodeId owner = address.hasGlobalScope() ? Lockspace.nodeIdOf(address) : selfNode;
    if (!owner.equals(selfNode)) {
      ownerRefs.put(owner, op.owner());
    }
    return owner;
  }

  private ValueBlock lvb(byte[] bytes) {
    return bytes == null ? null : ValueBlock.of(bytes, state.lvblen());
  }

  /** Carries out the core's effects in list order (semantics §3: that is each lock's callback order). */
  private void perform(List<Effect> effects) {
    for (int i = 0, n = effects.size(); i < n; i++) {
      Effect effect = effects.get(i);
      if (effect instanceof Effect.Completion c) {
        deliver(c.lock(), new LockEvent.Completed(c.status(), c.grantedMode(), c.sbflags().bits(),
            c.lvb() == null ? null : c.lvb().toByteArray(), c.token(), c.lvbSeq()));
      } else if (effect instanceof Effect.Blocking b) {
        deliver(b.lock(), new LockEvent.Blocking(b.mode()));
      } else if (effect instanceof Effect.Queued q) {
        deliver(q.lock(), new LockEvent.Queued(q.conversion(), q.grantedMode(), q.sbflags().bits()));
      } else if (effect instanceof Effect.CancelIgnored c) {
        deliver(c.lock(), new LockEvent.CancelIgnored());
      } else if (effect instanceof Effect.Rejected r) {
        deliver(r.lock(), new LockEvent.Rejected(r.status(), r.reason()));
      } else if (effect instanceof Effect.Orphaned o) {
        ctx.getLog().info("resource {}: PERSISTENT lock {} of departed {} kept as orphan {}", name, o.lock(),
            o.lock().owner(), o.orphan());
      } else if (effect instanceof Effect.DeadlockWarning d) {
        // fs/dlm only logs a deadlock it does not break (semantics §2.5 step 1).
        ctx.getLog().warn("conversion deadlock on {} involving {}:\n{}", name, d.lock(), d.resourceDump());
      }
      // Destroyed and Purged need no message: the owner learns from the Completion.
    }
  }

  private void deliver(LockId lock, LockEvent event) {
    if (lock.owner().equals(selfNode)) {
      local.deliver(lock.local(), event);
    } else {
      ActorRef<Lockspace.Command> owner = ownerRefs.get(lock.owner());
      if (owner == null) {
        throw new IllegalStateException("no route to owner " + lock.owner() + " of " + lock + " on " + name);
      }
      Lockspace.Deliver message = new Lockspace.Deliver(lock.local(), event);
      org.jdlm.dlm.api.CommMemory.LockspaceComm comm = local.comm();
      if (comm == null) {
        owner.tell(message);
      } else {
        // A master never blocks: without a buffer the reply waits, in order, for memory (docs/kernel.md).
        comm.sendFromActor(lock.owner(), () -> owner.tell(message));
      }
    }
  }

  private Behavior<Command> afterOperation() {
    if (!publishing && state.needsWaitsPublished()) {
      publishing = true;
      timers.startSingleTimer(PublishWaits.INSTANCE, publishInterval);
    }
    if (state.isUnused() && !tossTimerRunning) {
      // One timer per idle period instead of start/cancel on every operation (hot path).
      unusedSinceNanos = System.nanoTime();
      tossTimerRunning = true;
      timers.startSingleTimer(TossCheck.INSTANCE, tossDelay);
    } else if (state.isUnused()) {
      unusedSinceNanos = System.nanoTime();
    }
    return Behaviors.same();
  }

  private Behavior<Command> onTossCheck() {
    tossTimerRunning = false;
    if (!state.isUnused()) {
      return Behaviors.same(); // re-armed when it becomes unused again
    }
    long idle = System.nanoTime() - unusedSinceNanos;
    if (idle >= tossDelay.toNanos()) {
      FencingToken last = state.lastToken();
      parent.tell(new Lockspace.ResourceIdle(name, processed, ctx.getSelf(), last == null ? 0 : last.counter()));
      // If the parent finds an operation in flight, that operation re-arms the timer.
    } else {
      tossTimerRunning = true;
      timers.startSingleTimer(TossCheck.INSTANCE, Duration.ofNanos(tossDelay.toNanos() - idle));
    }
    return Behaviors.same();
  }

  private Behavior<Command> onDump(DumpResource m) {
    HexFormat hex = HexFormat.of();
    m.replyTo().tell(new LockspaceDump.ResourceDump(name.display(), selfNode.name(), "",
        queued(ResourceState.Queue.GRANTED), queued(ResourceState.Queue.CONVERTING),
        queued(ResourceState.Queue.WAITING), hex.formatHex(state.lvb().toByteArray()), state.lvbSeq(),
        state.valNotValid()));
    return Behaviors.same();
  }

  private List<LockspaceDump.QueuedLock> queued(ResourceState.Queue queue) {
    List<LockspaceDump.QueuedLock> out = new ArrayList<>();
    for (LockView v : state.queue(queue)) {
      out.add(new LockspaceDump.QueuedLock(v.lock().local(), v.lock().owner().name(),
          v.granted() == null ? "IV" : v.granted().name(), v.requested() == null ? "IV" : v.requested().name(),
          v.flags().stream().map(Enum::name).sorted().toList()));
    }
    return out;
  }
}
