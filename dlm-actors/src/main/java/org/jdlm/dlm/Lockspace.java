package org.jdlm.dlm;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.jdlm.common.wire.WireMessage;
import org.jdlm.dlm.core.Coordination;
import org.jdlm.dlm.core.DirectoryTable;
import org.jdlm.dlm.core.JoinProbe;
import org.jdlm.dlm.core.LockspaceStatus;
import org.jdlm.dlm.core.MemberProtocol;
import org.jdlm.dlm.core.MembershipView;
import org.jdlm.dlm.core.NodeId;
import org.jdlm.dlm.core.PhasePlan;
import org.jdlm.dlm.core.PhaseWork;
import org.jdlm.dlm.core.RecoveredLock;
import org.jdlm.dlm.core.ResourceState;
import org.jdlm.dlm.core.RecoveryPhase;
import org.jdlm.dlm.core.RecoveryRun;
import org.jdlm.dlm.core.RoutingTable;
import org.jdlm.dlm.core.StopBarrier;
import org.jdlm.dlm.directory.ResourceDirectory;
import org.jdlm.dlm.directory.ResourceName;
import org.jdlm.dlm.dump.LockspaceDump;

/**
 * One node's part of one lockspace: membership, the resource directory (semantics §5), routing of lock
 * operations between owners and masters, and the {@link LockResource} children this node masters.
 *
 * <h2>Life cycle</h2>
 * <pre>
 *            view change (probe answer, Hello, StopAck, Terminated, cluster event)
 *   running ----------------------------------------------------------> stopped (AWAIT_FENCING)
 *      ^                                                                   |  MEMBERS -> DIRECTORY ->
 *      +-------------- RunPhase(RESUME, generation) -----------------------+  REMASTER -> REBUILD_LOCKS -> FINALIZE
 * </pre>
 * The legal moves between these states are {@code PhaseWork}'s ({@code transitionTo} throws on any
 * other). A node starts {@code stopped}. While stopped, every lock message (local API calls and remote
 * traffic) is stashed in arrival order and replayed on resume, so nothing is lost or reordered.
 * The barrier is coordinated by the lowest member of the view: each member reports
 * {@link StopAck} with its view; when all agree the coordinator takes a generation from the
 * fencing authority and runs the phases with {@link RunPhase}, each ending in a {@link PhaseDone}
 * barrier (docs/recovery.md). Directory traffic carries the generation and is dropped when stale;
 * pending lookups are re-issued after resume.
 *
 * <h2>Decisions live in cores</h2>
 * This actor carries out what pure cores of {@code org.jdlm.dlm.core} decide: {@code MemberProtocol}
 * (the membership protocol's glue over the cores below; {@code carryOut} does its effects),
 * {@code JoinProbe} (whom
 * a joining member asks, when it is done), {@code MembershipView} (the view, watching, terminations
 * believed or verified, cluster events), {@code StopBarrier} (the coordinator's StopAcks and whom to
 * ask again), {@code Coordination} and {@code RecoveryRun} (the coordinator's generation request and
 * phases), {@code MemberRecovery} and {@code PhaseWork} (a member's answer to a phase order, its
 * phase state machine, what a phase waits for and holds), {@code PhasePlan} (what a phase sends to
 * whom), {@code DirectoryTable} and {@code RoutingTable} (directory records and where an operation
 * goes), {@code LockspaceStatus} (the state in words; whether it may leave). The seeded simulation in
 * the tests ({@code org.jdlm.dlm.sim}) drives the same cores; docs/architecture.md has the table.
 *
 * <h2>Message routing and ordering</h2>
 * Owner-to-master traffic always goes owner {@code Lockspace} → master {@code Lockspace} → child,
 * and master-to-owner traffic child → owner {@code Lockspace}: each hop is one sender/receiver
 * pair, so Pekko's pair ordering keeps the per-lock operation order and puts a grant before a later
 * blocking callback (semantics §3, TV-03). For a lock owned by this node the child hands events to
 * {@link LockspaceLocal} directly (the fast path: no network hop, one actor hop fewer).
 */
public final class Lockspace {

  /** Messages to a lockspace member. Every one may cross nodes, so all are {@link WireMessage}s. */
  public sealed interface Command extends WireMessage {}

  // ---- from the API on this node ---------------------------------------------------------------

  /** From {@code LockspaceHandle}/{@code LockHandle} on this node: carry {@code op} to the master of {@code name}. No reply; the outcome arrives as {@link LockEvent}s. */
  public record Route(ResourceName name, LockResource.Operation op) implements Command {}

  /** From {@code LockspaceHandle.dump()} (or a dump tool): reply a snapshot of this member's state. */
  public record Dump(ActorRef<LockspaceDump> replyTo) implements Command {}

  /** From {@link LockspaceLocal#flush()}: flush every resource this member masters; replies {@link Flushed}. */
  public record Flush(ActorRef<Flushed> replyTo) implements Command {}

  /** Reply to {@link Flush}: {@code complete} unless {@code jdlm.dlm-actors.flush-timeout} passed first. */
  public record Flushed(boolean complete) implements WireMessage {}

  /** From a resource master on a flush, behind its events to this owner: acked once the callbacks queued before it ran. Parked while stopped, like the events. */
  public record FlushMarker(ActorRef<FlushCollector.Command> collector) implements Command {}

  /** From {@code LockspaceHandle.clusterDump()}: collect every member's {@link Dump}; replies {@link ClusterDumpResult} within the dump timeout. */
  public record ClusterDump(ActorRef<ClusterDumpResult> replyTo) implements Command {}

  /** Reply to {@link ClusterDump}: the members' dumps (sorted by node) and the members that did not answer in time. */
  public record ClusterDumpResult(List<LockspaceDump> dumps, List<String> missing) implements WireMessage {}

  /** From {@code LockspaceHandle.leave()} via the guardian: leave if nothing is in use; reply {@link LeaveResult}. */
  public record Leave(ActorRef<LeaveResult> replyTo) implements Command {}

  /** Reply to {@link Leave}: {@code left} false with a reason when this member still holds or masters locks. */
  public record LeaveResult(boolean left, String reason) implements WireMessage {}

  // ---- owner <-> master ------------------------------------------------------------------------

  /** From an owner's Lockspace to the master's Lockspace: apply {@code op}; if this node no longer masters {@code name} it answers {@link NotMaster}. */
  public record AtMaster(ResourceName name, LockResource.Operation op) implements Command {}

  /** From a Lockspace that does not master {@code name} back to the owner: look up the master again and resend {@code op}. */
  public record NotMaster(ResourceName name, LockResource.Operation op) implements Command {}

  /** From a master's {@link LockResource} to the owner's Lockspace: one event for lock {@code lockId}, in master order. */
  public record Deliver(long lockId, LockEvent event) implements Command {}

  // ---- directory (semantics §5) ---------------------------------------------------------------------

  /** From a requester to the directory node of {@code name}: who masters it? Replies {@link LookupReply}; an unknown name records the requester as master. */
  public record Lookup(long generation, ResourceName name, ActorRef<Command> requester) implements Command {}

  /**
   * From the directory node to a requester: {@code master} masters {@code name} (the requester
   * itself when it asked first). {@code tokenFloor}: a new master continues its fencing-token
   * counter after it (docs/fencing-tokens.md).
   */
  public record LookupReply(long generation, ResourceName name, ActorRef<Command> master, long tokenFloor)
      implements Command {}

  /** From a master that tossed an unused resource to its directory node: forget the record if it still names this master; {@code lastTokenCounter} raises the directory's token floor. No reply. */
  public record Remove(long generation, ResourceName name, ActorRef<Command> master, long lastTokenCounter)
      implements Command {}

  /** From a child {@link LockResource}: it has been unused for the toss delay after {@code processed} operations (its last token counter is {@code lastTokenCounter}); the parent stops it when none is in flight. */
  public record ResourceIdle(ResourceName name, long processed, ActorRef<LockResource.Command> child,
      long lastTokenCounter) implements Command {}

  // ---- membership barrier ----------------------------------------------------------------------

  /**
   * From a member that stopped for {@code view} (at {@code generation}, the last it ran or was told),
   * to every member of that view, or to a member whose StopAck or run names another view: I am a
   * member; here is my view. Receivers learn the members they lack; a member with that very view at
   * that generation or older joins the sender's barrier (stops, or repeats its {@link StopAck}). No reply.
   */
  public record Hello(ActorRef<Command> from, List<ActorRef<Command>> view, long generation) implements Command {}

  /**
   * From every member to the coordinator (lowest member) after stopping for {@code view}: its
   * generation, the member incarnations it last ran with ({@code lastView}) and the members it saw
   * fail ({@code failed}: unreachable or downed, so they need fencing). The coordinator starts a
   * recovery run once all agree on the view; one that knows members {@code view} lacks answers
   * {@link Hello}.
   */
  public record StopAck(List<ActorRef<Command>> view, long generation, ActorRef<Command> from,
      List<ActorRef<Command>> lastView, List<FailedMember> failed) implements Command {}

  /** In {@link StopAck}: incarnation {@code incarnation} of {@code node} (cluster {@code address}) was seen unreachable or downed; fencing must name exactly it. */
  public record FailedMember(String node, String address, long incarnation) implements WireMessage {}

  /**
   * From the coordinator to every member: run {@code phase} of recovery {@code generation} for
   * {@code view}; {@code departed} members left ({@code fenced} among them failed and were fenced).
   * Members answer {@link PhaseDone} (semantics §6.3; docs/recovery.md).
   */
  public record RunPhase(long generation, RecoveryPhase phase, List<ActorRef<Command>> view, List<String> departed,
      List<String> fenced) implements Command {}

  /** From a member to the coordinator: {@code phase} of recovery {@code generation} is done here. */
  public record PhaseDone(long generation, RecoveryPhase phase, ActorRef<Command> from) implements Command {}

  /** From a master to every member during the DIRECTORY phase: these names (possibly none) are mastered by {@code from}. Replies {@link Registered}. */
  public record Register(long generation, List<ResourceName> names, ActorRef<Command> from) implements Command {}

  /** Reply to {@link Register}: the records are in place. */
  public record Registered(long generation, ActorRef<Command> from) implements Command {}

  /**
   * REMASTER phase, from a survivor holding locks on {@code names} whose master departed, to the
   * names' new directory node, in batches of at most {@code recovery-batch-size} names: who masters
   * them now? For each name the first survivor to ask becomes the master (semantics §6.3 step 10).
   * Replies {@link RecoverLookupReply}.
   */
  public record RecoverLookup(long generation, List<ResourceName> names, ActorRef<Command> requester)
      implements Command {
    @Override
    public String toString() {
      return "RecoverLookup[generation=" + generation + ", " + names.size() + " names, requester=" + requester + "]";
    }
  }

  /** Reply to {@link RecoverLookup} from directory node {@code from}: every name of the batch once, grouped by the member that masters it from now on. */
  public record RecoverLookupReply(long generation, List<Mastered> masters, ActorRef<Command> from)
      implements Command {
    @Override
    public String toString() {
      return "RecoverLookupReply[generation=" + generation + ", " + masters.size() + " masters, from=" + from + "]";
    }
  }

  /** Part of {@link RecoverLookupReply}: {@code master} masters {@code names}. */
  public record Mastered(ActorRef<Command> master, List<ResourceName> names) {}

  /**
   * REBUILD_LOCKS phase, from a survivor to a new master, in batches of at most
   * {@code recovery-batch-size} locks: its own copies of its locks on resources now mastered there,
   * each resource's grant queue first, then convert, then wait (step 11); a resource's locks may
   * continue in the next batch. Replies {@link RecoverLocksAck}.
   */
  public record RecoverLocks(long generation, List<RecoveredResource> resources, ActorRef<Command> from)
      implements Command {
    @Override
    public String toString() {
      return "RecoverLocks[generation=" + generation + ", " + resources.size() + " resources, from=" + from + "]";
    }
  }

  /** Part of {@link RecoverLocks}: locks resent for {@code name}, in queue order. */
  public record RecoveredResource(ResourceName name, List<RecoveredLock> locks) {}

  /**
   * Reply to {@link RecoverLocks} from new master {@code from}: the batch's locks are queued to its
   * resources, ahead of anything those resources get in later phases.
   */
  public record RecoverLocksAck(long generation, ActorRef<Command> from) implements Command {}

  /** From a child {@link LockResource}: the dead members' locks are purged (REMASTER phase). */
  public record ResourcePurged(long generation, ResourceName name) implements Command {}

  /** Adapted cluster reachability and membership events (stop at once on unreachable, semantics §6.1). */
  private record MemberEvent(Address address, long incarnation, MembershipView.Change change) implements Command {}

  /** The fencing authority's answer to {@code fetch}: the run's {@code change} at its generation, or {@code error}. */
  private record GenerationReady(Coordination.Fetch<ActorRef<Command>> fetch, RecoveryRun.Change change, String error)
      implements Command {}

  /** Fencing of {@code node} for run {@code generation} finished ({@code error} null) or failed. */
  private record FenceResult(long generation, String node, String error) implements Command {}

  /** Timer: ask for fencing of {@code node} again after a failure. */
  private record FenceRetry(long generation, String node) implements Command {}

  /** Reply to {@link DlmGuardian.Probe}: the member of this lockspace on node {@code address}, if any (empty list = none). */
  public record ProbeReply(String address, List<ActorRef<Command>> member) implements Command {}

  /** Timer while joining: probe again the Up nodes that have not answered. */
  private enum ReprobeTick implements Command { INSTANCE }

  /** Timer while a reported termination is being verified: ask the guardians again. */
  private enum VerifyTick implements Command { INSTANCE }

  /** Coordinator's timer while its barrier lacks StopAcks: ask those members again. */
  private enum BarrierTick implements Command { INSTANCE }

  /** Adapted receptionist listing of this lockspace's service key. */
  private record ListingChanged(Receptionist.Listing listing) implements Command {}

  private static final java.time.Duration PROBE_INTERVAL = java.time.Duration.ofSeconds(1);

  /** The service key under which every member of lockspace {@code name} registers. */
  public static ServiceKey<Command> serviceKey(String name) {
    return ServiceKey.create(Command.class, "jdlm-lockspace-" + name);
  }

  /** Creates the member actor; {@code local} is this node's owner-side half of the lockspace. */
  public static Behavior<Command> create(LockspaceLocal local, DlmSettings settings) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> Behaviors.withStash(settings.stashCapacity(),
        stash -> new Lockspace(ctx, timers, stash, local, settings).start())));
  }

  /**
   * A resource this node masters: its actor, or — for a resource a recovery made this node master
   * of and nothing has used since — its state alone ({@code dormant}), so remastering N resources
   * spawns no actors (docs/recovery.md "Dormant resources"). Exactly one of the two is set.
   */
  private static final class ResourceEntry {
    final ResourceName name;
    ActorRef<LockResource.Command> ref;
    ResourceState dormant;
    long forwarded;

    ResourceEntry(ResourceName name, ActorRef<LockResource.Command> ref, ResourceState dormant) {
      this.name = name;
      this.ref = ref;
      this.dormant = dormant;
    }
  }

  private final ActorContext<Command> ctx;
  private final StashBuffer<Command> stash;
  private final LockspaceLocal local;
  private final DlmSettings settings;
  private final ActorRef<Command> self;
  private final NodeId selfNode;
  private final Address selfAddress;
  private final ServiceKey<Command> key;

  /** Members, incarnations, Up addresses, failures and terminations under verification (docs/recovery.md §1). */
  private final MembershipView<ActorRef<Command>, Address> membership;
  /** Coordinator only: the StopAcks of the barrier (docs/recovery.md §2). */
  private final StopBarrier<ActorRef<Command>> barrier = new StopBarrier<>();
  private ResourceDirectory directory;
  /** The membership protocol over the cores above: Hello, StopAck, cluster events, terminations, the barrier. */
  private final MemberProtocol<ActorRef<Command>, Address> protocol;
  /**
   * This member's phase ({@code null} while running; {@code AWAIT_FENCING}: stopped, waiting for the
   * coordinator's run, which also covers the run's own wait for fencing that only the coordinator
   * tracks), what the phase waits for, and recovery messages held until their phase.
   */
  private final PhaseWork<ActorRef<Command>, Command> phases;
  private boolean everRunning;
  private List<NodeId> runningView = List.of();
  private long stoppedAtNanos;
  // coordinator bookkeeping
  /** Coordinator only: the generation request, the run, what it departs and fences (docs/recovery.md §3). */
  private final Coordination<ActorRef<Command>> coordination = new Coordination<>(java.time.Clock.systemUTC());
  private long runDetectionMillis;
  // member bookkeeping of the current run
  private Set<NodeId> runDeparted = Set.of();
  private final Map<ResourceName, ActorRef<Command>> remastered = new HashMap<>();
  private final Set<ResourceName> newMasters = new HashSet<>();
  // visible state
  /** Recoveries completed, the last one's timings, the nodes fenced: what dumps and status show. */
  private final LockspaceStatus status = new LockspaceStatus();

  // directory and mastering
  /** The directory records of the names this member is the directory node of, and their token floor. */
  private final DirectoryTable<ResourceName, ActorRef<Command>> dirTable = new DirectoryTable<>();
  /** Known masters and the operations parked behind each outstanding lookup. */
  private final RoutingTable<ResourceName, ActorRef<Command>, LockResource.Operation> routing = new RoutingTable<>();
  private final Map<ResourceName, ResourceEntry> children = new HashMap<>();
  private long childCounter;
  /** Joining: the cluster nodes (addresses) whose guardian has not yet said whether it runs this lockspace. */
  private JoinProbe<String> probe;
  private final Map<ActorRef<?>, String> probedGuardians = new HashMap<>();
  private final TimerScheduler<Command> timers;

  private Lockspace(ActorContext<Command> ctx, TimerScheduler<Command> timers, StashBuffer<Command> stash,
      LockspaceLocal local, DlmSettings settings) {
    this.ctx = ctx;
    this.timers = timers;
    this.stash = stash;
    this.local = local;
    this.settings = settings;
    this.self = ctx.getSelf();
    this.selfAddress = Cluster.get(ctx.getSystem()).selfMember().address();
    this.selfNode = nodeIdOf(selfAddress);
    this.key = serviceKey(local.name());
    this.phases = new PhaseWork<>(settings.recoveryBatchesInFlight());
    this.membership = new MembershipView<>(self, selfAddress, r -> r.path().address(), Address::hasGlobalScope,
        a -> nodeIdOf(a).name(), memberOrder());
    this.protocol = new MemberProtocol<>(self, membership, barrier, coordination, phases, this::member,
        this::describe);
  }

  private long generation() {
    return protocol.generation();
  }

  private Set<ActorRef<Command>> view() {
    return membership.view();
  }

  private Behavior<Command> start() {
    ActorRef<Receptionist.Listing> adapter =
        ctx.messageAdapter(Receptionist.Listing.class, ListingChanged::new);
    ctx.getSystem().receptionist().tell(Receptionist.register(key, self));
    ctx.getSystem().receptionist().tell(Receptionist.subscribe(key, adapter));
    local.attach(self, selfNode, ctx.getSystem(), settings.joinTimeout());
    // semantics §6.1 / brief §3: a member that becomes unreachable stops the lockspace at once, long
    // before the Split Brain Resolver downs and removes it; remember who failed (fencing needed)
    // and every member's incarnation (what fencing must name).
    ActorRef<ClusterEvent.ReachabilityEvent> reach = ctx.messageAdapter(ClusterEvent.ReachabilityEvent.class,
        e -> new MemberEvent(e.member().address(), e.member().uniqueAddress().longUid(),
            e instanceof ClusterEvent.UnreachableMember ? MembershipView.Change.UNREACHABLE
                : MembershipView.Change.REACHABLE));
    ActorRef<ClusterEvent.MemberEvent> members = ctx.messageAdapter(ClusterEvent.MemberEvent.class,
        e -> new MemberEvent(e.member().address(), e.member().uniqueAddress().longUid(),
            e instanceof ClusterEvent.MemberDowned ? MembershipView.Change.DOWNED
                : e instanceof ClusterEvent.MemberUp || e instanceof ClusterEvent.MemberWeaklyUp ? MembershipView.Change.UP
                : e instanceof ClusterEvent.MemberRemoved ? MembershipView.Change.REMOVED : MembershipView.Change.OTHER_STATUS));
    Cluster cluster = Cluster.get(ctx.getSystem());
    cluster.subscriptions().tell(new Subscribe<>(reach, ClusterEvent.ReachabilityEvent.class));
    cluster.subscriptions().tell(new Subscribe<>(members, ClusterEvent.MemberEvent.class));
    // Joining: ask every Up node's guardian whether it runs this lockspace before the first
    // barrier (JoinProbe: why, and when to give up on a node).
    probe = JoinProbe.start(upAddresses(), selfAddress.toString());
    sendProbes();
    return carryOut(protocol.start(probe.probing()));
  }

  /** The addresses of the nodes the cluster shows Up now. */
  private Set<String> upAddresses() {
    Set<String> up = new HashSet<>();
    for (org.apache.pekko.cluster.Member m : Cluster.get(ctx.getSystem()).state().getMembers()) {
      if (m.status() == MemberStatus.up()) {
        up.add(m.address().toString());
      }
    }
    return up;
  }

  /** The DLM guardian of the node at {@code address} ({@code pekko://system@host:port}); answers {@link DlmGuardian.Probe}. */
  private ActorRef<DlmGuardian.Command> guardianAt(String address) {
    return ActorRefResolver.get(ctx.getSystem()).resolveActorRef(address + "/system/" + DlmGuardian.NAME);
  }

  private void sendProbes() {
    if (!probe.probing()) {
      return;
    }
    for (String address : probe.outstanding()) {
      ActorRef<DlmGuardian.Command> guardian = guardianAt(address);
      if (probedGuardians.put(guardian, address) == null) {
        ctx.watch(guardian); // JoinProbe rule 2: a node without the DLM answers through the watch
      }
      guardian.tell(new DlmGuardian.Probe(local.name(), self));
    }
    timers.startSingleTimer(ReprobeTick.INSTANCE, PROBE_INTERVAL);
  }

  private Behavior<Command> onProbeReply(ProbeReply m) {
    boolean probing = probe.probing();
    Behavior<Command> next = carryOut(protocol.guardianAnswered(AddressFromURIString.parse(m.address()), m.member()));
    if (!probing) {
      return next;
    }
    boolean last = probe.settled(m.address());
    unwatchGuardian(m.address());
    return last ? probeFinished() : current();
  }

  private Behavior<Command> onReprobe() {
    return switch (probe.tick(upAddresses())) {
      case NOT_PROBING -> current();
      case FINISHED -> probeFinished();
      case ASK_AGAIN -> {
        sendProbes();
        yield current();
      }
    };
  }

  private void unwatchGuardian(String address) {
    probedGuardians.entrySet().removeIf(e -> {
      if (e.getValue().equals(address)) {
        ctx.unwatch(e.getKey());
        return true;
      }
      return false;
    });
  }

  /** JoinProbe rule 4: the probe is over; take in the view and send the StopAck withheld meanwhile. */
  private Behavior<Command> probeFinished() {
    timers.cancel(ReprobeTick.INSTANCE);
    probedGuardians.keySet().forEach(ctx::unwatch);
    probedGuardians.clear();
    return carryOut(protocol.probeFinished());
  }

  // ============================================================================ behaviours

  private Behavior<Command> running() {
    return Behaviors.receive(Command.class)
        .onMessage(Route.class, m -> { route(m.name(), m.op()); return Behaviors.same(); })
        .onMessage(AtMaster.class, this::onAtMaster)
        .onMessage(NotMaster.class, this::onNotMaster)
        .onMessage(Deliver.class, m -> { local.deliver(m.lockId(), m.event()); return Behaviors.same(); })
        .onMessage(Lookup.class, this::onLookup)
        .onMessage(LookupReply.class, this::onLookupReply)
        .onMessage(Remove.class, this::onRemove)
        .onMessage(ResourceIdle.class, this::onResourceIdle)
        .onMessage(Dump.class, this::onDump)
        .onMessage(Flush.class, this::onFlush)
        .onMessage(FlushMarker.class, this::onFlushMarker)
        .onMessage(ClusterDump.class, this::onClusterDump)
        .onMessage(Leave.class, this::onLeave)
        .onMessage(ProbeReply.class, this::onProbeReply)
        .onMessage(ReprobeTick.class, m -> onReprobe())
        .onMessage(VerifyTick.class, m -> onVerifyTick())
        .onMessage(BarrierTick.class, m -> onBarrierTick())
        .onMessage(ListingChanged.class, this::onListing)
        .onMessage(Hello.class, this::onHello)
        .onMessage(StopAck.class, this::onStopAck)
        .onMessage(MemberEvent.class, this::onMemberEvent)
        .onMessage(RunPhase.class, this::onRunPhase)
        .onMessage(PhaseDone.class, this::onPhaseDone)
        .onMessage(Register.class, this::onRegister)
        .onMessage(Registered.class, this::onRegistered)
        .onMessage(GenerationReady.class, this::onGenerationReady)
        .onMessage(FenceResult.class, this::onFenceResult)
        .onMessage(FenceRetry.class, this::onFenceRetry)
        .onMessage(RecoverLookup.class, this::dropStaleRecovery)
        .onMessage(RecoverLookupReply.class, this::dropStaleRecovery)
        .onMessage(RecoverLocks.class, this::dropStaleRecovery)
        .onMessage(RecoverLocksAck.class, this::dropStaleRecovery)
        .onMessage(ResourcePurged.class, this::dropStaleRecovery)
        .onSignal(Terminated.class, this::onTerminated)
        .onSignal(PostStop.class, s -> { local.close(); return Behaviors.same(); })
        .build();
  }

  /** Recovery traffic that reaches a running member belongs to a finished or aborted run (style rule 10). */
  private Behavior<Command> dropStaleRecovery(Command m) {
    ctx.getLog().info("lockspace {}: dropped stale recovery message {}", local.name(), m);
    return Behaviors.same();
  }

  /** Stopped for a membership change: lock traffic is stashed until the RESUME phase. */
  private Behavior<Command> stopped() {
    return Behaviors.receive(Command.class)
        .onMessage(Dump.class, this::onDump)
        .onMessage(Flush.class, this::onFlush)
        .onMessage(ClusterDump.class, this::onClusterDump)
        .onMessage(ProbeReply.class, this::onProbeReply)
        .onMessage(ReprobeTick.class, m -> onReprobe())
        .onMessage(VerifyTick.class, m -> onVerifyTick())
        .onMessage(BarrierTick.class, m -> onBarrierTick())
        .onMessage(ListingChanged.class, this::onListing)
        .onMessage(Hello.class, this::onHello)
        .onMessage(StopAck.class, this::onStopAck)
        .onMessage(MemberEvent.class, this::onMemberEvent)
        .onMessage(RunPhase.class, this::onRunPhase)
        .onMessage(PhaseDone.class, this::onPhaseDone)
        .onMessage(Register.class, this::onRegister)
        .onMessage(Registered.class, this::onRegistered)
        .onMessage(GenerationReady.class, this::onGenerationReady)
        .onMessage(FenceResult.class, this::onFenceResult)
        .onMessage(FenceRetry.class, this::onFenceRetry)
        .onMessage(RecoverLookup.class, this::onRecoverLookup)
        .onMessage(RecoverLookupReply.class, this::onRecoverLookupReply)
        .onMessage(RecoverLocks.class, this::onRecoverLocks)
        .onMessage(RecoverLocksAck.class, this::onRecoverLocksAck)
        .onMessage(ResourcePurged.class, this::onResourcePurged)
        .onMessage(Command.class, this::park)
        .onSignal(Terminated.class, this::onTerminated)
        .onSignal(PostStop.class, s -> { local.close(); return Behaviors.same(); })
        .build();
  }

  private Behavior<Command> park(Command message) {
    // semantics §6.2 / brief §3: calls are parked, not failed; inbound traffic is held in order.
    stash.stash(message);
    return Behaviors.same();
  }

  private Behavior<Command> current() {
    return phases.running() ? running() : stopped();
  }

  // ============================================================================ routing

  private void route(ResourceName name, LockResource.Operation op) {
    ResourceEntry child = children.get(name);
    RoutingTable.Route<ActorRef<Command>> to = routing.route(name, op, op.owner(), self, child != null,
        () -> directory.directoryNode(name.bytes()).equals(selfNode), dirTable);
    if (to instanceof RoutingTable.ToResource) {
      forward(child, op);
    } else if (to instanceof RoutingTable.ToMaster<ActorRef<Command>> m) {
      local.routed(op.lockId(), nodeOf(m.master()));
      m.master().tell(new AtMaster(name, op));
    } else if (to instanceof RoutingTable.BecomeMaster<ActorRef<Command>> b) {
      forward(becomeMaster(name, b.tokenFloor()), op);
    } else if (to instanceof RoutingTable.AskDirectory) {
      memberRef(directory.directoryNode(name.bytes())).tell(new Lookup(generation(), name, self));
    } else if (to instanceof RoutingTable.BackToOwner) {
      op.owner().tell(new NotMaster(name, op));
    } // Parked: it goes where the outstanding lookup's answer says
  }

  private void forward(ResourceEntry child, LockResource.Operation op) {
    if (op.owner().equals(self)) {
      local.routed(op.lockId(), selfNode);
    }
    child.forwarded++;
    awake(child).tell(op);
  }

  /**
   * A recovery made this node the master of {@code name}: keep its state without an actor until
   * something uses it ({@link #awake}). Its tokens start over in the new generation.
   */
  private ResourceEntry becomeDormantMaster(ResourceName name) {
    ResourceEntry entry = new ResourceEntry(name, null, LockResource.newState(name, local, generation(), 0));
    children.put(name, entry);
    routing.mastered(name, self);
    return entry;
  }

  /** The resource's actor, spawned now from its dormant state if it has none yet. */
  private ActorRef<LockResource.Command> awake(ResourceEntry entry) {
    if (entry.ref == null) {
      // Its locks may belong to any member of the view (departed owners were purged); the actor
      // learns later owners from their operations as usual.
      Map<NodeId, ActorRef<Command>> owners = new HashMap<>();
      for (ActorRef<Command> member : view()) {
        if (!member.equals(self)) {
          owners.put(nodeOf(member), member);
        }
      }
      entry.ref = ctx.spawn(LockResource.wake(entry.name, self, selfNode, local, settings, entry.dormant, owners),
          "r" + (++childCounter));
      ctx.watch(entry.ref);
      entry.dormant = null;
    }
    return entry.ref;
  }

  private ResourceEntry becomeMaster(ResourceName name, long tokenFloor) {
    ActorRef<LockResource.Command> ref = ctx.spawn(
        LockResource.create(name, self, selfNode, local, settings, generation(), tokenFloor),
        "r" + (++childCounter));
    ctx.watch(ref);
    ResourceEntry entry = new ResourceEntry(name, ref, null);
    children.put(name, entry);
    routing.mastered(name, self);
    return entry;
  }

  private Behavior<Command> onAtMaster(AtMaster m) {
    if (fromDeparted(m.op().owner())) {
      // semantics §6.2 (dlm_purge_requestqueue): traffic from a member that left is not replayed.
      ctx.getLog().warn("lockspace {}: dropped {} on {} from departed member {}", local.name(),
          m.op().getClass().getSimpleName(), m.name(), nodeOf(m.op().owner()));
      return Behaviors.same();
    }
    route(m.name(), m.op());
    return Behaviors.same();
  }

  private Behavior<Command> onNotMaster(NotMaster m) {
    routing.forget(m.name());
    route(m.name(), m.op());
    return Behaviors.same();
  }

  private Behavior<Command> onLookup(Lookup m) {
    if (m.generation() != generation()) {
      ctx.getLog().debug("dropping lookup of {} from generation {} (now {})", m.name(), m.generation(), generation());
      return Behaviors.same();
    }
    ActorRef<Command> master = dirTable.masterOf(m.name(), m.requester());
    m.requester().tell(new LookupReply(generation(), m.name(), master, dirTable.tokenFloor()));
    return Behaviors.same();
  }

  private Behavior<Command> onLookupReply(LookupReply m) {
    if (m.generation() != generation()) {
      // Stale: the lookup was re-issued after the last rebuild.
      return Behaviors.same();
    }
    List<LockResource.Operation> parked = routing.answered(m.name());
    if (parked == null) {
      return Behaviors.same();
    }
    routing.mastered(m.name(), m.master());
    if (m.master().equals(self) && !children.containsKey(m.name())) {
      becomeMaster(m.name(), m.tokenFloor());
    }
    for (LockResource.Operation op : parked) {
      route(m.name(), op);
    }
    return Behaviors.same();
  }

  private Behavior<Command> onRemove(Remove m) {
    if (m.generation() == generation()) {
      dirTable.removed(m.name(), m.master(), m.lastTokenCounter());
    }
    return Behaviors.same();
  }

  private Behavior<Command> onResourceIdle(ResourceIdle m) {
    ResourceEntry entry = children.get(m.name());
    if (entry == null || !m.child().equals(entry.ref) || entry.forwarded != m.processed()) {
      return Behaviors.same(); // an operation is in flight to the child: it is not unused after all
    }
    // semantics §5: mastery is dropped only when unused for the toss delay; tell the dir node.
    ctx.unwatch(entry.ref);
    ctx.stop(entry.ref);
    children.remove(m.name());
    routing.forget(m.name());
    NodeId dirNode = directory.directoryNode(m.name().bytes());
    if (dirNode.equals(selfNode)) {
      dirTable.tossedHere(m.name(), self, m.lastTokenCounter());
    } else {
      memberRef(dirNode).tell(new Remove(generation(), m.name(), self, m.lastTokenCounter()));
    }
    return Behaviors.same();
  }

  private Behavior<Command> onFlush(Flush m) {
    // A dormant resource has sent nothing since it became this node's: nothing of it to flush.
    List<ActorRef<LockResource.Command>> awake = new ArrayList<>();
    for (ResourceEntry child : children.values()) {
      if (child.ref != null) {
        awake.add(child.ref);
      }
    }
    ActorRef<FlushCollector.Command> collector = ctx.spawnAnonymous(
        FlushCollector.create(awake.size(), settings.flushTimeout(), m.replyTo()));
    for (ActorRef<LockResource.Command> child : awake) {
      child.tell(new LockResource.Flush(collector));
    }
    return Behaviors.same();
  }

  private Behavior<Command> onFlushMarker(FlushMarker m) {
    local.afterQueuedCallbacks(() -> m.collector().tell(new FlushCollector.Ack(selfNode.name())));
    return Behaviors.same();
  }

  private Behavior<Command> onDump(Dump m) {
    List<ActorRef<LockResource.Command>> refs = new ArrayList<>();
    Map<ResourceName, NodeId> dirNodes = new TreeMap<>();
    for (Map.Entry<ResourceName, ResourceEntry> e : children.entrySet()) {
      refs.add(awake(e.getValue())); // a dump shows every resource; dormant ones get their actor now
      dirNodes.put(e.getKey(), directory == null ? selfNode : directory.directoryNode(e.getKey().bytes()));
    }
    ctx.spawnAnonymous(DumpCollector.create(
        new DumpCollector.Header(local.name(), selfNode, stateText(),
            generation(), sortedNodes(view()), dirNodes, local.ownedLocks()),
        refs, settings.dumpTimeout(), m.replyTo()));
    return Behaviors.same();
  }

  private Behavior<Command> onClusterDump(ClusterDump m) {
    Map<String, ActorRef<Command>> members = new TreeMap<>();
    for (ActorRef<Command> member : view()) {
      members.put(nodeOf(member).name(), member);
    }
    ctx.spawnAnonymous(DumpCollector.cluster(members, settings.dumpTimeout(), m.replyTo()));
    return Behaviors.same();
  }

  private Behavior<Command> onLeave(Leave m) {
    String refusal = LockspaceStatus.leaveRefusal(local.name(), local.ownedLocks().size(), children.size());
    if (refusal != null) {
      m.replyTo().tell(new LeaveResult(false, refusal));
      return Behaviors.same();
    }
    ctx.getSystem().receptionist().tell(Receptionist.deregister(key, self));
    local.close(); // before the reply: once leave() completes, every call must already be refused
    m.replyTo().tell(new LeaveResult(true, ""));
    return Behaviors.stopped();
  }

  // ============================================================================ membership barrier

  /** The receptionist's last listing, for the debug log only (the view is {@link #membership}'s). */
  private Set<ActorRef<Command>> listed = Set.of();

  private Behavior<Command> onListing(ListingChanged m) {
    Set<ActorRef<Command>> nowListed = new HashSet<>(m.listing().getServiceInstances(key));
    if (!nowListed.equals(listed)) {
      ctx.getLog().debug("lockspace {}: receptionist lists {} (all {})", local.name(), describe(nowListed),
          describe(new HashSet<>(m.listing().getAllServiceInstances(key))));
    }
    listed = nowListed;
    return carryOut(protocol.listed(nowListed));
  }

  private Behavior<Command> onHello(Hello m) {
    return carryOut(protocol.hello(m.from(), m.view(), m.generation()));
  }

  private Behavior<Command> onStopAck(StopAck m) {
    return carryOut(protocol.stopAck(m.from(), new StopBarrier.Ack<>(Set.copyOf(m.view()), m.generation(),
        m.lastView(), m.failed().stream()
            .map(f -> new MembershipView.Failure(f.node(), f.address(), f.incarnation())).toList())));
  }

  private Behavior<Command> onTerminated(Terminated t) {
    String guardianAddress = probedGuardians.remove(t.getRef());
    if (guardianAddress != null) {
      return probe.settled(guardianAddress) ? probeFinished() : current();
    }
    @SuppressWarnings("unchecked")
    ActorRef<Command> ref = (ActorRef<Command>) (ActorRef<?>) t.getRef();
    for (Map.Entry<ResourceName, ResourceEntry> e : new ArrayList<>(children.entrySet())) {
      if (t.getRef().equals(e.getValue().ref)) {
        // An invariant failure in a resource is a bug; its locks are lost until recovery exists.
        ctx.getLog().error("resource {} of lockspace {} stopped unexpectedly", e.getKey(), local.name());
        children.remove(e.getKey());
        routing.forget(e.getKey());
        return Behaviors.same();
      }
    }
    return carryOut(protocol.terminated(ref, System.nanoTime()));
  }

  /**
   * The death watch reported {@code ref} terminated while its node is a cluster member. That is
   * either true (the member left its lockspace, or it belongs to an earlier incarnation of a node
   * restarted at the same address) or an artefact of Pekko's watcher, which reports every watchee
   * at an address terminated when it processes an earlier incarnation's removal there, or at once
   * when asked to watch before it has seen the new incarnation Up; the cluster publishes those
   * events to it and to this actor independently, so no order can be relied on (issue #4: a
   * restarted member was dropped for good, the views never converged, its join timed out). A
   * terminated member never comes back, so rather than guess, ask the node's guardian, which
   * records its members before anyone can probe them: {@link #onProbeReply} departs the member
   * if the guardian no longer lists it and watches it again if it does. If the node leaves the
   * cluster meanwhile, its removal departs the member ({@link #onMemberEvent}).
   */
  private void verifyTermination(ActorRef<Command> ref, boolean first) {
    if (first) {
      ctx.getLog().info("lockspace {}: member {} reported terminated while its node is a member; asking its node",
          local.name(), describe(Set.of(ref)));
    }
    guardianAt(ref.path().address().toString()).tell(new DlmGuardian.Probe(local.name(), self));
    if (!timers.isTimerActive(VerifyTick.INSTANCE)) {
      timers.startSingleTimer(VerifyTick.INSTANCE, PROBE_INTERVAL);
    }
  }

  /**
   * Asks again about members still being verified (a probe or its answer can be lost while an
   * association to a restarted node is re-established). A node that never answers within the join
   * timeout (its new incarnation does not run the DLM) cannot be running the member: it departs.
   */
  private Behavior<Command> onVerifyTick() {
    return carryOut(protocol.verifyTick(System.nanoTime(), settings.joinTimeout().toNanos()));
  }

  private List<String> describe(Set<ActorRef<Command>> refs) {
    return refs.stream().map(this::describe).sorted().toList();
  }

  private String describe(ActorRef<Command> ref) {
    return nodeOf(ref).name() + "#" + ref.path().uid();
  }

  private StopAck stopAck() {
    return new StopAck(sortedRefs(view()), protocol.generation(), self, sortedRefs(membership.ranWith()),
        failedMembers());
  }

  /** What this member saw fail, by node: the incarnation that failed, from the failure event itself. */
  private List<FailedMember> failedMembers() {
    return membership.failures().values().stream()
        .map(f -> new FailedMember(f.node(), f.address(), f.incarnation())).toList();
  }

  /** Reachability and membership: stop at once when a member of the view becomes unreachable. */
  private Behavior<Command> onMemberEvent(MemberEvent m) {
    return carryOut(protocol.clusterEvent(m.address(), m.incarnation(), m.change(),
        m.change() == MembershipView.Change.DOWNED && otherIncarnationAt(m.address(), m.incarnation()),
        nodeIdOf(m.address()).toString()));
  }

  /**
   * Whether the cluster's membership already shows an incarnation other than {@code incarnation} at
   * {@code address}: then a downed one's removal (Terminated) settles the view as before, instead of
   * departing the members there at once ({@link MembershipView} rule 6).
   */
  private boolean otherIncarnationAt(Address address, long incarnation) {
    for (org.apache.pekko.cluster.Member member : Cluster.get(ctx.getSystem()).state().getMembers()) {
      if (member.address().equals(address) && member.uniqueAddress().longUid() != incarnation) {
        return true;
      }
    }
    return false;
  }

  /**
   * Carries out what the membership protocol decided ({@link MemberProtocol}), in order, and
   * returns the behaviour for the state it left this member in.
   */
  private Behavior<Command> carryOut(List<MemberProtocol.Effect<ActorRef<Command>>> effects) {
    for (MemberProtocol.Effect<ActorRef<Command>> effect : effects) {
      if (effect instanceof MemberProtocol.Watch<ActorRef<Command>> w) {
        ctx.watch(w.member());
      } else if (effect instanceof MemberProtocol.SendHello<ActorRef<Command>> h) {
        h.to().tell(new Hello(self, h.view(), h.generation()));
      } else if (effect instanceof MemberProtocol.SendStopAck<ActorRef<Command>> s) {
        s.to().tell(stopAck());
      } else if (effect instanceof MemberProtocol.SendRunPhase<ActorRef<Command>> r) {
        r.to().tell(new RunPhase(r.generation(), r.phase(), sortedRefs(view()), List.copyOf(coordination.departed()),
            List.copyOf(coordination.fencedNodes())));
      } else if (effect instanceof MemberProtocol.FirstStop<ActorRef<Command>> f) {
        // semantics §6.2: from now on API calls are parked, inbound lock traffic is held and callbacks
        // are held back, on every resource of the lockspace, until the RESUME phase.
        stoppedAtNanos = System.nanoTime();
        local.suspendCallbacks();
        ctx.getLog().info("lockspace {} stopped at generation {} for a membership change", local.name(),
            f.generation());
      } else if (effect instanceof MemberProtocol.RunWorkForgotten) {
        remastered.clear();
        // newMasters is kept until RESUME: a child created as a new master by an aborted run is still
        // one when the restarted run finalizes it (its value block must be rebuilt, semantics §4).
      } else if (effect instanceof MemberProtocol.Run<ActorRef<Command>> r) {
        performRun(r.effects());
      } else if (effect instanceof MemberProtocol.FetchGeneration<ActorRef<Command>> f) {
        fetchGeneration(f.fetch());
      } else if (effect instanceof MemberProtocol.BarrierTimer<ActorRef<Command>> t) {
        if (t.restart() || !timers.isTimerActive(BarrierTick.INSTANCE)) {
          timers.startSingleTimer(BarrierTick.INSTANCE, settings.barrierRetry());
        }
      } else if (effect instanceof MemberProtocol.RetryGeneration<ActorRef<Command>> r) {
        ctx.getLog().error("lockspace {}: no generation from the fencing authority ({}); retrying", local.name(),
            r.error());
        timers.startSingleTimer(new FenceRetry(-1, ""), java.time.Duration.ofSeconds(1));
      } else if (effect instanceof MemberProtocol.RunStarted<ActorRef<Command>> r) {
        runDetectionMillis = stoppedAtNanos == 0 ? 0 : (System.nanoTime() - stoppedAtNanos) / 1_000_000;
        ctx.getLog().info("lockspace {}: recovery {} starts (members {}, failed {}, left {}, joined {})",
            local.name(), r.change().generation(), r.change().members(), r.change().failed(),
            r.change().leftCleanly(), r.change().joined());
      } else if (effect instanceof MemberProtocol.Verify<ActorRef<Command>> v) {
        verifyTermination(v.member(), v.first());
      } else if (effect instanceof MemberProtocol.VerifyTimer) {
        timers.startSingleTimer(VerifyTick.INSTANCE, PROBE_INTERVAL);
      } else if (effect instanceof MemberProtocol.PublishState) {
        publishState();
      } else if (effect instanceof MemberProtocol.Log<ActorRef<Command>> l) {
        switch (l.level()) {
          case DEBUG -> ctx.getLog().debug("lockspace {}: {}", local.name(), l.message());
          case INFO -> ctx.getLog().info("lockspace {}: {}", local.name(), l.message());
          default -> ctx.getLog().warn("lockspace {}: {}", local.name(), l.message());
        }
      } else {
        throw new IllegalStateException("no shell for " + effect);
      }
    }
    return current();
  }

  /** Asks the fencing authority for the generation of {@code fetch}; the answer comes back as {@link GenerationReady}. */
  private void fetchGeneration(Coordination.Fetch<ActorRef<Command>> fetch) {
    ctx.pipeToSelf(fencing().advanceGeneration(fetch.atLeast(), "lockspace " + local.name() + ": " + fetch.reason()),
        (g, e) -> e != null ? new GenerationReady(fetch, null, String.valueOf(e.getMessage()))
            : new GenerationReady(fetch, fetch.change().withGeneration(Math.max(g, fetch.atLeast())), null));
  }

  /**
   * Coordinator, still at the barrier: the members whose StopAck for this view it lacks are sent a
   * {@link Hello} with the view again; one waiting at the same barrier answers with its StopAck, one
   * that is not yet learns the view. A StopAck is sent once per stop and Pekko delivers at most once
   * (a message to a member restarted at the same address can be dropped while the association to
   * the new incarnation is set up), so without this the barrier could wait for good.
   */
  private Behavior<Command> onBarrierTick() {
    return carryOut(protocol.barrierTick());
  }

  /** A member incarnation as the recovery core sees it: its node and the uid of its lockspace actor. */
  private RecoveryRun.Member member(ActorRef<Command> ref) {
    return new RecoveryRun.Member(nodeOf(ref).name(), ref.path().uid());
  }

  private org.jdlm.dlm.api.FencingPort fencing() {
    return Dlm.get(ctx.getSystem()).fencing();
  }

  private Behavior<Command> onGenerationReady(GenerationReady m) {
    return carryOut(protocol.generationReady(m.fetch(), m.change(), m.error()));
  }

  /** Coordinator: carries out the run's effects. */
  private void performRun(List<RecoveryRun.Effect> effects) {
    for (RecoveryRun.Effect effect : effects) {
      if (effect instanceof RecoveryRun.RequestFencing f) {
        for (String node : f.nodes()) {
          requestFence(f.generation(), node);
        }
      } else if (effect instanceof RecoveryRun.StartPhase p) {
        ctx.getLog().info("lockspace {}: recovery {} phase {}", local.name(), p.generation(), p.phase());
        List<ActorRef<Command>> viewList = sortedRefs(view());
        for (ActorRef<Command> member : view()) {
          member.tell(new RunPhase(p.generation(), p.phase(), viewList, List.copyOf(coordination.departed()),
              List.copyOf(coordination.fencedNodes())));
        }
      } else if (effect instanceof RecoveryRun.Finished f) {
        String timings = status.coordinatedRunFinished(f.generation(), runDetectionMillis, f.phaseMillis(),
            coordination.departed(), coordination.fencedNodes());
        ctx.getLog().info("lockspace {}: recovery {} finished: {}", local.name(), f.generation(), timings);
        publishState();
      } else if (effect instanceof RecoveryRun.Aborted a) {
        ctx.getLog().warn("lockspace {}: recovery {} aborted: {}", local.name(), a.generation(), a.reason());
      } else if (effect instanceof RecoveryRun.DroppedStale d) {
        ctx.getLog().info("lockspace {}: dropped stale recovery report from {} (generation {}, {}): {}",
            local.name(), d.from(), d.generation(), d.phase(), d.reason());
      }
    }
  }

  private void requestFence(long runGeneration, String node) {
    MembershipView.Failure failed = coordination.failure(node);
    long incarnation = failed == null ? 0 : failed.incarnation();
    String addressText = failed == null ? node : failed.address();
    ctx.getLog().warn("lockspace {}: recovery {} waits for fencing of {} (incarnation {})", local.name(),
        runGeneration, node, incarnation);
    ctx.pipeToSelf(fencing().fence(node, addressText, incarnation),
        (g, e) -> new FenceResult(runGeneration, node, e == null ? null : String.valueOf(e.getMessage())));
  }

  private Behavior<Command> onFenceResult(FenceResult m) {
    if (!coordination.fencing(m.generation())) {
      return current();
    }
    if (m.error() != null) {
      // Recovery stays blocked until fencing succeeds (semantics §6.1): retry, loudly.
      ctx.getLog().error("lockspace {}: fencing of {} failed ({}); recovery {} stays stopped, retrying",
          local.name(), m.node(), m.error(), m.generation());
      timers.startSingleTimer(new FenceRetry(m.generation(), m.node()), java.time.Duration.ofSeconds(1));
      return current();
    }
    ctx.getLog().info("lockspace {}: {} fenced", local.name(), m.node());
    status.fenced(List.of(m.node()));
    publishState();
    performRun(coordination.fenced(m.generation(), m.node()));
    return current();
  }

  private Behavior<Command> onFenceRetry(FenceRetry m) {
    if (m.generation() < 0) {
      return carryOut(protocol.retryGeneration()); // the generation request failed: ask again
    }
    if (coordination.fencing(m.generation())) {
      requestFence(m.generation(), m.node());
    }
    return current();
  }

  private Behavior<Command> onPhaseDone(PhaseDone m) {
    if (coordinator().equals(self)) {
      performRun(coordination.phaseDone(nodeOf(m.from()).name(), m.generation(), m.phase()));
    }
    return current();
  }

  // ---- member side of a run ----------------------------------------------------------------------

  private Behavior<Command> onRunPhase(RunPhase m) {
    MemberProtocol.Step<ActorRef<Command>> step = protocol.runPhase(m.generation(), m.phase(), m.view());
    switch (step.action()) {
      case START_MEMBERS -> startMembersPhase(m);
      case START_PHASE -> {
        switch (m.phase()) {
          case DIRECTORY -> startDirectoryPhase();
          case REMASTER -> startRemasterPhase();
          case REBUILD_LOCKS -> startRebuildLocksPhase();
          case FINALIZE -> startFinalizePhase();
          case RESUME -> {
            return resume();
          }
          default -> throw new IllegalStateException("no member work for phase " + m.phase());
        }
      }
      default -> { } // CONVERGE, IGNORE: the protocol's effects below
    }
    return carryOut(step.effects());
  }

  private String phaseText() {
    return phases.running() ? "running" : String.valueOf(phases.phase());
  }

  /** Reports the current phase done once nothing is awaited (PhaseWork rule 2: every phase ends in this barrier). */
  private void maybePhaseDone() {
    if (phases.reportDone()) {
      publishState();
      coordinator().tell(new PhaseDone(phases.runGeneration(), phases.phase(), self));
    }
  }

  private void publishState() {
    local.publish(recoveryState());
  }

  /** MEMBERS (semantics §6.3 steps 4-6): adopt the view and generation; recompute directory nodes. */
  private void startMembersPhase(RunPhase m) {
    if (phases.phase() != RecoveryPhase.AWAIT_FENCING) {
      remastered.clear(); // an aborted run's partial work is redone by this one
    }
    phases.startRun(m.generation());
    protocol.adoptGeneration(m.generation());
    Set<NodeId> gone = new HashSet<>();
    m.departed().forEach(n -> gone.add(new NodeId(n)));
    runDeparted = Set.copyOf(gone);
    status.fenced(m.fenced());
    directory = new ResourceDirectory(sortedNodes(view()));
    dirTable.newGeneration(); // tokens of the new generation are above every older one
    routing.keepMastersIn(view()::contains);
    maybePhaseDone();
  }

  /** DIRECTORY (step 7): every master re-registers the names it masters with their new directory nodes. */
  private void startDirectoryPhase() {
    phases.enter(RecoveryPhase.DIRECTORY);
    PhasePlan.registrations(view(), children.keySet(), this::nodeOf, n -> directory.directoryNode(n.bytes()))
        .forEach((member, names) -> {
          if (member.equals(self)) {
            names.forEach(n -> dirTable.register(n, self));
          } else {
            phases.expect(1); // PhasePlan rule 1: an empty registration is an answer too
            member.tell(new Register(generation(), List.copyOf(names), self));
          }
        });
    phases.drainRegisters().forEach(r -> onRegister((Register) r));
    maybePhaseDone();
  }

  private Behavior<Command> onRegister(Register m) {
    switch (phases.onRegister(m.generation(), generation())) {
      case HOLD -> phases.holdRegister(m); // its RunPhase has not reached this member yet
      case APPLY -> {
        for (ResourceName name : m.names()) {
          dirTable.register(name, m.from());
        }
        m.from().tell(new Registered(generation(), self));
      }
      default -> { }
    }
    return current();
  }

  private Behavior<Command> onRegistered(Registered m) {
    acknowledged(m.generation(), RecoveryPhase.DIRECTORY, null);
    return current();
  }

  /** One answer the current phase waited for: the next batch for {@code peer} goes out; the phase may be done. */
  private void acknowledged(long answerGeneration, RecoveryPhase of, ActorRef<Command> peer) {
    Command next = phases.answered(answerGeneration, of, peer);
    if (next != null) {
      peer.tell(next);
    }
    maybePhaseDone();
  }

  /**
   * REMASTER (steps 8-10): purge the departed members' master copies on every resource this node
   * masters; for every resource on which this node holds locks whose master departed, fake or mark
   * the operations in flight to it, and ask the new directory nodes who masters it now, in batches
   * (docs/recovery.md, "Batches").
   */
  private void startRemasterPhase() {
    phases.enter(RecoveryPhase.REMASTER);
    List<String> gone = runDeparted.stream().map(NodeId::name).toList();
    for (ResourceEntry child : children.values()) {
      phases.expect(1);
      child.forwarded++;
      awake(child).tell(new LockResource.Purge(phases.runGeneration(), gone));
    }
    Set<String> lost = local.resourcesMasteredBy(runDeparted);
    local.masterLost(lost);
    List<ResourceName> names = new ArrayList<>(lost.size());
    for (String core : lost) {
      names.add(ResourceName.of(core.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
    }
    PhasePlan.Lookups<NodeId, ResourceName> plan = PhasePlan.lookups(names, n -> directory.directoryNode(n.bytes()),
        selfNode, settings.recoveryBatchSize());
    // Remote lookups first: the directory nodes answer while this member adopts its own names.
    plan.remote().forEach((node, batches) -> sendBatches(memberRef(node),
        batches.stream().<Command>map(batch -> new RecoverLookup(phases.runGeneration(), batch, self)).toList()));
    for (ResourceName name : plan.own()) {
      adoptMaster(name, dirTable.masterOf(name, self));
    }
    drainHeld();
    maybePhaseDone();
  }

  /** PhaseWork rule 4: this phase's batches for {@code peer}, a few in flight at a time. */
  private void sendBatches(ActorRef<Command> peer, List<Command> batches) {
    phases.queue(peer, batches).forEach(peer::tell);
  }

  /** Recovery traffic ahead of this member's phase is held, stale traffic dropped (PhaseWork rule 6). */
  private boolean holdOrDrop(PhaseWork.Arrival arrival, Command m) {
    if (arrival == PhaseWork.Arrival.HOLD) {
      phases.hold(m);
    } else if (arrival == PhaseWork.Arrival.DROP) {
      ctx.getLog().info("lockspace {}: dropped stale {} (this member is at {} of {})", local.name(), m, phaseText(),
          phases.runGeneration());
    }
    return arrival != PhaseWork.Arrival.APPLY;
  }

  // The recovery handlers below answer Behaviors.same(): recovery traffic never moves a member
  // between running and stopped (only RunPhase does), and current() would build a new behaviour
  // for every one of thousands of messages.
  private Behavior<Command> onRecoverLookup(RecoverLookup m) {
    if (holdOrDrop(phases.onRecoverLookup(m.generation()), m)) {
      return Behaviors.same();
    }
    Map<ActorRef<Command>, List<ResourceName>> byMaster = new HashMap<>();
    for (ResourceName name : m.names()) {
      byMaster.computeIfAbsent(dirTable.masterOf(name, m.requester()), r -> new ArrayList<>()).add(name);
    }
    List<Mastered> masters = new ArrayList<>(byMaster.size());
    byMaster.forEach((master, names) -> masters.add(new Mastered(master, names)));
    m.requester().tell(new RecoverLookupReply(phases.runGeneration(), masters, self));
    return Behaviors.same();
  }

  private Behavior<Command> onRecoverLookupReply(RecoverLookupReply m) {
    if (holdOrDrop(phases.onRecoverLookupReply(m.generation()), m)) {
      return Behaviors.same();
    }
    for (Mastered mastered : m.masters()) {
      for (ResourceName name : mastered.names()) {
        adoptMaster(name, mastered.master());
      }
    }
    acknowledged(m.generation(), RecoveryPhase.REMASTER, m.from());
    return Behaviors.same();
  }

  private void adoptMaster(ResourceName name, ActorRef<Command> master) {
    remastered.put(name, master);
    routing.mastered(name, master);
    if (master.equals(self) && !children.containsKey(name)) {
      becomeDormantMaster(name);
      newMasters.add(name);
    }
  }

  private Behavior<Command> onResourcePurged(ResourcePurged m) {
    acknowledged(m.generation(), RecoveryPhase.REMASTER, null);
    return Behaviors.same();
  }

  /**
   * REBUILD_LOCKS (step 11): resend this node's own copies of its locks to each new master, in
   * batches. Locks whose new master is this node go to the resource at once: nothing to wait for.
   */
  private void startRebuildLocksPhase() {
    phases.enter(RecoveryPhase.REBUILD_LOCKS);
    PhasePlan.Resends<ActorRef<Command>, ResourceName, RecoveredLock, RecoveredResource> plan = PhasePlan.resends(
        remastered, (name, master) -> local.locksToResend(LockspaceLocal.coreName(name), nodeOf(master)), self,
        settings.recoveryBatchSize(), RecoveredResource::new);
    plan.own().forEach((name, locks) -> addRecovered(name, locks, self));
    plan.remote().forEach((master, batches) -> sendBatches(master,
        batches.stream().<Command>map(batch -> new RecoverLocks(phases.runGeneration(), batch, self)).toList()));
    drainHeld();
    maybePhaseDone();
  }

  private void addRecovered(ResourceName name, List<RecoveredLock> locks, ActorRef<Command> from) {
    ResourceEntry child = children.get(name);
    if (child == null) {
      child = becomeDormantMaster(name); // a survivor's resend reached us before our own lookup result
      newMasters.add(name);
    }
    if (child.dormant != null) {
      LockResource.addRecovered(child.dormant, locks, phases.runGeneration(), ctx.getLog());
      return;
    }
    child.forwarded++;
    child.ref.tell(new LockResource.AddRecovered(phases.runGeneration(), locks, from));
  }

  private Behavior<Command> onRecoverLocks(RecoverLocks m) {
    if (holdOrDrop(phases.onRecoverLocks(m.generation()), m)) {
      return Behaviors.same();
    }
    for (RecoveredResource resource : m.resources()) {
      addRecovered(resource.name(), resource.locks(), m.from());
    }
    // One answer per batch, at once: this member is the only sender of work to its resources, so
    // the locks are in place before the FINALIZE work it sends them after the barrier (pair order).
    m.from().tell(new RecoverLocksAck(phases.runGeneration(), self));
    return Behaviors.same();
  }

  private Behavior<Command> onRecoverLocksAck(RecoverLocksAck m) {
    acknowledged(m.generation(), RecoveryPhase.REBUILD_LOCKS, m.from());
    return Behaviors.same();
  }

  /** PhaseWork rule 6: the lookups and lock batches that arrived before this phase, in arrival order. */
  private void drainHeld() {
    for (Command c : phases.drainHeld()) {
      if (c instanceof RecoverLookup l) {
        onRecoverLookup(l);
      } else if (c instanceof RecoverLocks l) {
        onRecoverLocks(l);
      }
    }
  }

  /**
   * FINALIZE (step 12): conversion fix-ups and value-block recovery on every mastered resource. The
   * phase is done once every resource has its Finalize queued, without a reply from each: this
   * member is the only sender of work to its resources, so each one finalizes after the locks
   * resent to it and before anything RESUME or a replayed request brings it (pair order).
   */
  private void startFinalizePhase() {
    phases.enter(RecoveryPhase.FINALIZE);
    for (Map.Entry<ResourceName, ResourceEntry> e : children.entrySet()) {
      ResourceEntry child = e.getValue();
      boolean newMaster = newMasters.contains(e.getKey());
      if (child.dormant != null) {
        LockResource.finish(child.dormant, newMaster);
        continue;
      }
      child.forwarded++;
      child.ref.tell(new LockResource.Finalize(phases.runGeneration(), newMaster));
    }
    maybePhaseDone();
  }

  /**
   * RESUME (steps 15-18): every resource raises its token generation and grants what recovery made
   * grantable (conversions regardless of order); held messages are replayed in arrival order, then
   * requests that were in flight to a dead master are resent; callbacks flow again.
   */
  private Behavior<Command> resume() {
    boolean recovery = everRunning;
    // The failures this run handled are settled: a restarted incarnation at the same address starts
    // with a clean record (a later clean leave is not a failure, a later failure names itself).
    Set<String> departedNodes = new HashSet<>();
    runDeparted.forEach(n -> departedNodes.add(n.name()));
    membership.running(generation(), departedNodes);
    long runGeneration = phases.runGeneration();
    phases.resume();
    for (ResourceEntry child : children.values()) {
      // docs/fencing-tokens.md: tokens issued from now on carry the new generation.
      if (child.dormant != null) {
        child.dormant.raiseTokenGeneration(generation());
        if (!child.dormant.needsRecoveryGrant() && !child.dormant.isUnused()) {
          continue; // nothing to grant and nothing to toss: stays dormant until used
        }
      }
      child.forwarded++;
      awake(child).tell(new LockResource.GrantAfterRecovery(generation()));
    }
    // Lookups answered in an older generation were dropped; ask the new directory nodes.
    for (Map.Entry<ResourceName, List<LockResource.Operation>> e : routing.drainParked().entrySet()) {
      for (LockResource.Operation op : e.getValue()) {
        route(e.getKey(), op);
      }
    }
    List<String> resend = new ArrayList<>(remastered.size());
    for (ResourceName name : remastered.keySet()) {
      resend.add(LockspaceLocal.coreName(name));
    }
    local.resendAfterRecovery(resend); // queued behind the stash (steps 16-17)
    runningView = sortedNodes(view());
    long tookMillis = stoppedAtNanos == 0 ? 0 : (System.nanoTime() - stoppedAtNanos) / 1_000_000;
    status.resumed(generation(), recovery, tookMillis, runDeparted);
    ctx.getLog().info("lockspace {} running at generation {} with members {}{}", local.name(), generation(),
        runningView, recovery ? " (recovered in " + tookMillis + " ms)" : "");
    stoppedAtNanos = 0;
    remastered.clear();
    newMasters.clear();
    local.running(generation(), runningView);
    publishState();
    local.resumeCallbacks();
    everRunning = true;
    coordinator().tell(new PhaseDone(runGeneration, RecoveryPhase.RESUME, self));
    return stash.unstashAll(running());
  }

  /** Whether a held message comes from a member that departed (semantics §6.2: purged before replay). */
  private boolean fromDeparted(ActorRef<Command> owner) {
    return membership.outsideView(owner);
  }

  /**
   * For the API: state, recoveries completed, generation, the members fenced so far (LockspaceStatus)
   * and, on the coordinator while it waits for fencing, the nodes it waits for (the detector's
   * waits-fencing edge).
   */
  org.jdlm.dlm.api.RecoveryState recoveryState() {
    Set<String> awaiting = coordination.awaitingFence();
    return new org.jdlm.dlm.api.RecoveryState(stateText(), status.recoveriesCompleted(), generation(),
        status.fencedNodes(), status.lastRunMillis(), awaiting == null ? Set.of() : awaiting);
  }

  private String stateText() {
    return status.stateText(phases.phase(), coordination.awaitingFence());
  }

  // ============================================================================ helpers

  private ActorRef<Command> coordinator() {
    return membership.coordinator();
  }

  /** By node, then by incarnation: a view holding two incarnations of one node still orders alike everywhere. */
  private Comparator<ActorRef<Command>> memberOrder() {
    return Comparator.comparing((ActorRef<Command> r) -> nodeOf(r).name()).thenComparingInt(r -> r.path().uid());
  }

  private NodeId nodeOf(ActorRef<?> ref) {
    Address address = ref.path().address();
    return address.hasGlobalScope() ? nodeIdOf(address) : selfNode;
  }

  /** A member's node id: {@code host:port} of its cluster address (stable, readable in dumps). */
  public static NodeId nodeIdOf(Address address) {
    return new NodeId(address.getHost().orElse("local") + ":" + address.getPort().map(String::valueOf).orElse("0"));
  }

  private ActorRef<Command> memberRef(NodeId node) {
    for (ActorRef<Command> member : view()) {
      if (nodeOf(member).equals(node)) {
        return member;
      }
    }
    throw new IllegalStateException("directory node " + node + " is not in the view " + view());
  }

  private List<NodeId> sortedNodes(Set<ActorRef<Command>> refs) {
    return refs.stream().map(this::nodeOf).sorted(Comparator.comparing(NodeId::name)).toList();
  }

  private List<ActorRef<Command>> sortedRefs(Set<ActorRef<Command>> refs) {
    return refs.stream().sorted(memberOrder()).toList();
  }
}
