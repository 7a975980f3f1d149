package org.jdlm.dlm;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.jdlm.common.wire.WireMessage;
import org.jdlm.dlm.core.NodeId;
import org.jdlm.dlm.directory.ResourceDirectory;
import org.jdlm.dlm.directory.ResourceName;
import org.jdlm.dlm.dump.LockspaceDump;

/**
 * One node's part of one lockspace: membership, the resource directory (spec §5), routing of lock
 * operations between owners and masters, and the {@link LockResource} children this node masters.
 *
 * <h2>Life cycle</h2>
 * <pre>
 *            view change (listing, Hello, Terminated)
 *   running ----------------------------------------> stopped(phase)
 *      ^                                                 |  STOPPED -> REBUILDING -> REBUILT
 *      +------------------- Resume(generation) ----------+
 * </pre>
 * A node starts {@code stopped}. While stopped, every lock message (local API calls and remote
 * traffic) is stashed in arrival order and replayed on resume, so nothing is lost or reordered.
 * The barrier is coordinated by the lowest member of the view: each member reports
 * {@link StopAck} with its view; when all agree the coordinator sends {@link Rebuild} with a new
 * generation; each master re-registers the names it masters with their new directory nodes
 * ({@link Register}); the coordinator then sends {@link Resume}. Directory traffic carries the
 * generation and is dropped when stale; pending lookups are re-issued after resume.
 *
 * <h2>Message routing and ordering</h2>
 * Owner-to-master traffic always goes owner {@code Lockspace} → master {@code Lockspace} → child,
 * and master-to-owner traffic child → owner {@code Lockspace}: each hop is one sender/receiver
 * pair, so Pekko's pair ordering keeps the per-lock operation order and puts a grant before a later
 * blocking callback (spec §3, TV-03). For a lock owned by this node the child hands events to
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

  // ---- directory (spec §5) ---------------------------------------------------------------------

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

  /** From a member that changed its view, to every member of that view: I am a member; here is my view. No reply. */
  public record Hello(ActorRef<Command> from, List<ActorRef<Command>> view) implements Command {}

  /** From every member to the coordinator (lowest member) after stopping for {@code view}. The coordinator answers with {@link Rebuild} once all agree. */
  public record StopAck(List<ActorRef<Command>> view, long generation, ActorRef<Command> from) implements Command {}

  /** From the coordinator to every member: adopt {@code view} as generation {@code generation} and re-register mastered names. Members answer {@link Rebuilt}. */
  public record Rebuild(long generation, List<ActorRef<Command>> view) implements Command {}

  /** From a master to every member during rebuild: these names (possibly none) are mastered by {@code from}. Replies {@link Registered}. */
  public record Register(long generation, List<ResourceName> names, ActorRef<Command> from) implements Command {}

  /** Reply to {@link Register}: the records are in place. */
  public record Registered(long generation, ActorRef<Command> from) implements Command {}

  /** From a member to the coordinator: my directory part for {@code generation} is rebuilt. */
  public record Rebuilt(long generation, ActorRef<Command> from) implements Command {}

  /** From the coordinator to every member: everyone rebuilt generation {@code generation}; resume locking. */
  public record Resume(long generation) implements Command {}

  /** Reply to {@link DlmGuardian.Probe}: the member of this lockspace on node {@code address}, if any (empty list = none). */
  public record ProbeReply(String address, List<ActorRef<Command>> member) implements Command {}

  /** Timer while joining: probe again the Up nodes that have not answered. */
  private enum ReprobeTick implements Command { INSTANCE }

  /** Adapted receptionist listing of this lockspace's service key. */
  private record ListingChanged(Receptionist.Listing listing) implements Command {}

  /** Barrier phases while stopped; see the class diagram. */
  enum Phase {
    /** Waiting for the coordinator's {@link Rebuild}. */
    STOPPED,
    /** Rebuild received; waiting for {@link Registered} from every other member. */
    REBUILDING,
    /** Told the coordinator; waiting for {@link Resume}. */
    REBUILT;

    Phase transitionTo(Phase next) {
      boolean legal = switch (this) {
        case STOPPED -> next == REBUILDING || next == STOPPED;
        case REBUILDING -> next == REBUILT || next == STOPPED;
        case REBUILT -> next == STOPPED;
      };
      if (!legal) {
        throw new IllegalStateException("illegal barrier transition " + this + " -> " + next);
      }
      return next;
    }
  }

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

  private static final class ResourceEntry {
    final ActorRef<LockResource.Command> ref;
    long forwarded;

    ResourceEntry(ActorRef<LockResource.Command> ref) {
      this.ref = ref;
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

  // membership
  private Set<ActorRef<Command>> listed = new HashSet<>();
  private final Set<ActorRef<Command>> learned = new HashSet<>();
  private final Set<ActorRef<Command>> departed = new HashSet<>();
  private Set<ActorRef<Command>> view = Set.of();
  private ResourceDirectory directory;
  private long generation;
  private Phase phase = Phase.STOPPED;
  private boolean everRunning;
  // coordinator bookkeeping
  private final Map<ActorRef<Command>, StopAck> stopAcks = new HashMap<>();
  private long coordinatingGeneration = -1;
  private final Set<ActorRef<Command>> rebuiltFrom = new HashSet<>();
  // rebuild bookkeeping
  private int registeredAcksMissing;
  private final List<Register> earlyRegisters = new ArrayList<>();

  // directory and mastering
  private final Map<ResourceName, ActorRef<Command>> dirRecords = new HashMap<>();
  private final Map<ResourceName, ActorRef<Command>> masterCache = new HashMap<>();
  private final Map<ResourceName, ArrayDeque<LockResource.Operation>> pendingLookups = new HashMap<>();
  private final Map<ResourceName, ResourceEntry> children = new HashMap<>();
  /**
   * Highest token counter of the resources tossed in this generation whose directory node is this
   * member. One number instead of one per name keeps it bounded; a new master continues after it,
   * so a resource's tokens never go back when its master changes within a generation. A new
   * generation raises every token above all older ones, so it resets.
   */
  private long tossedTokenFloor;
  private long childCounter;
  // joining: cluster nodes (addresses) whose guardian has not yet said whether it runs this lockspace
  private Set<String> probesOutstanding;
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
  }

  private Behavior<Command> start() {
    ActorRef<Receptionist.Listing> adapter =
        ctx.messageAdapter(Receptionist.Listing.class, ListingChanged::new);
    ctx.getSystem().receptionist().tell(Receptionist.register(key, self));
    ctx.getSystem().receptionist().tell(Receptionist.subscribe(key, adapter));
    local.attach(self, selfNode, ctx.getSystem(), settings.joinTimeout());
    // Joining: ask every Up node's guardian whether it runs this lockspace before the first
    // barrier. The receptionist alone is eventually consistent, so two nodes joining at once could
    // each run alone for a moment and both master the same name. With the probe, of two
    // concurrent joiners at least one sees the other before its first barrier (guardians record
    // a member before answering later probes), so no member ever runs with a partial view of
    // members it could have known.
    probesOutstanding = new HashSet<>();
    for (org.apache.pekko.cluster.Member m : Cluster.get(ctx.getSystem()).state().getMembers()) {
      if (m.status() == MemberStatus.up() && !m.address().equals(selfAddress)) {
        probesOutstanding.add(m.address().toString());
      }
    }
    sendProbes();
    enterStopped(Set.of(self));
    return stopped();
  }

  private void sendProbes() {
    if (probesOutstanding.isEmpty()) {
      probesOutstanding = null;
      return;
    }
    ActorRefResolver resolver = ActorRefResolver.get(ctx.getSystem());
    for (String address : probesOutstanding) {
      ActorRef<DlmGuardian.Command> guardian =
          resolver.resolveActorRef(address + "/system/" + DlmGuardian.NAME);
      if (probedGuardians.put(guardian, address) == null) {
        // A node that never started the DLM has no guardian: the watch then reports Terminated,
        // which answers "no member there" instead of leaving the join waiting forever.
        ctx.watch(guardian);
      }
      guardian.tell(new DlmGuardian.Probe(local.name(), self));
    }
    timers.startSingleTimer(ReprobeTick.INSTANCE, PROBE_INTERVAL);
  }

  private Behavior<Command> onProbeReply(ProbeReply m) {
    if (probesOutstanding == null) {
      return current();
    }
    m.member().forEach(this::learn);
    probesOutstanding.remove(m.address());
    unwatchGuardian(m.address());
    return afterProbe();
  }

  private Behavior<Command> onReprobe() {
    if (probesOutstanding == null) {
      return current();
    }
    // Nodes that left the cluster (or are no longer Up) will never answer; stop waiting for them.
    Set<String> up = new HashSet<>();
    for (org.apache.pekko.cluster.Member m : Cluster.get(ctx.getSystem()).state().getMembers()) {
      if (m.status() == MemberStatus.up()) {
        up.add(m.address().toString());
      }
    }
    probesOutstanding.retainAll(up);
    if (probesOutstanding.isEmpty()) {
      return afterProbe();
    }
    sendProbes();
    return current();
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

  private Behavior<Command> afterProbe() {
    if (!probesOutstanding.isEmpty()) {
      return current();
    }
    probesOutstanding = null;
    timers.cancel(ReprobeTick.INSTANCE);
    probedGuardians.keySet().forEach(ctx::unwatch);
    probedGuardians.clear();
    Behavior<Command> next = viewMaybeChanged();
    if (phase == Phase.STOPPED) {
      coordinator().tell(new StopAck(sortedRefs(view), generation, self)); // withheld while probing
    }
    return next;
  }

  // ============================================================================ behaviours

  private Behavior<Command> running() {
    return Behaviors.receive(Command.class)
        .onMessage(Route.class, m -> { route(m.name(), m.op()); return Behaviors.same(); })
        .onMessage(AtMaster.class, m -> { route(m.name(), m.op()); return Behaviors.same(); })
        .onMessage(NotMaster.class, this::onNotMaster)
        .onMessage(Deliver.class, m -> { local.deliver(m.lockId(), m.event()); return Behaviors.same(); })
        .onMessage(Lookup.class, this::onLookup)
        .onMessage(LookupReply.class, this::onLookupReply)
        .onMessage(Remove.class, this::onRemove)
        .onMessage(ResourceIdle.class, this::onResourceIdle)
        .onMessage(Dump.class, this::onDump)
        .onMessage(ClusterDump.class, this::onClusterDump)
        .onMessage(Leave.class, this::onLeave)
        .onMessage(ProbeReply.class, this::onProbeReply)
        .onMessage(ReprobeTick.class, m -> onReprobe())
        .onMessage(ListingChanged.class, this::onListing)
        .onMessage(Hello.class, this::onHello)
        .onMessage(StopAck.class, this::onStopAck)
        .onMessage(Rebuild.class, this::onRebuild)
        .onMessage(Register.class, this::onRegister)
        .onMessage(Registered.class, this::onRegistered)
        .onMessage(Rebuilt.class, this::onRebuilt)
        .onMessage(Resume.class, this::onResume)
        .onSignal(Terminated.class, this::onTerminated)
        .onSignal(PostStop.class, s -> { local.close(); return Behaviors.same(); })
        .build();
  }

  /** Stopped for a membership change: lock traffic is stashed until {@link Resume}. */
  private Behavior<Command> stopped() {
    return Behaviors.receive(Command.class)
        .onMessage(Dump.class, this::onDump)
        .onMessage(ClusterDump.class, this::onClusterDump)
        .onMessage(ProbeReply.class, this::onProbeReply)
        .onMessage(ReprobeTick.class, m -> onReprobe())
        .onMessage(ListingChanged.class, this::onListing)
        .onMessage(Hello.class, this::onHello)
        .onMessage(StopAck.class, this::onStopAck)
        .onMessage(Rebuild.class, this::onRebuild)
        .onMessage(Register.class, this::onRegister)
        .onMessage(Registered.class, this::onRegistered)
        .onMessage(Rebuilt.class, this::onRebuilt)
        .onMessage(Resume.class, this::onResume)
        .onMessage(Command.class, this::park)
        .onSignal(Terminated.class, this::onTerminated)
        .onSignal(PostStop.class, s -> { local.close(); return Behaviors.same(); })
        .build();
  }

  private Behavior<Command> park(Command message) {
    // spec §6.2 / brief §3: calls are parked, not failed; inbound traffic is held in order.
    stash.stash(message);
    return Behaviors.same();
  }

  private Behavior<Command> current() {
    return phase == null ? running() : stopped();
  }

  // ============================================================================ routing

  private void route(ResourceName name, LockResource.Operation op) {
    ResourceEntry child = children.get(name);
    if (child != null) {
      forward(child, op);
      return;
    }
    ArrayDeque<LockResource.Operation> parked = pendingLookups.get(name);
    if (parked != null) {
      // spec §5: one outstanding lookup per resource; later requests wait on the lookup list.
      parked.add(op);
      return;
    }
    if (!op.owner().equals(self)) {
      op.owner().tell(new NotMaster(name, op));
      return;
    }
    ActorRef<Command> master = masterCache.get(name);
    if (master != null) {
      local.routed(op.lockId(), nodeOf(master));
      master.tell(new AtMaster(name, op));
      return;
    }
    NodeId dirNode = directory.directoryNode(name.bytes());
    if (dirNode.equals(selfNode)) {
      ActorRef<Command> recorded = dirRecords.get(name);
      if (recorded == null || recorded.equals(self)) {
        // spec §5: the dir node asking first becomes master without any message.
        dirRecords.put(name, self);
        forward(becomeMaster(name, tossedTokenFloor), op);
      } else {
        masterCache.put(name, recorded);
        local.routed(op.lockId(), nodeOf(recorded));
        recorded.tell(new AtMaster(name, op));
      }
      return;
    }
    ArrayDeque<LockResource.Operation> queue = new ArrayDeque<>();
    queue.add(op);
    pendingLookups.put(name, queue);
    memberRef(dirNode).tell(new Lookup(generation, name, self));
  }

  private void forward(ResourceEntry child, LockResource.Operation op) {
    if (op.owner().equals(self)) {
      local.routed(op.lockId(), selfNode);
    }
    child.forwarded++;
    child.ref.tell(op);
  }

  private ResourceEntry becomeMaster(ResourceName name, long tokenFloor) {
    ActorRef<LockResource.Command> ref = ctx.spawn(
        LockResource.create(name, self, selfNode, local, settings, generation, tokenFloor),
        "r" + (++childCounter));
    ctx.watch(ref);
    ResourceEntry entry = new ResourceEntry(ref);
    children.put(name, entry);
    masterCache.put(name, self);
    return entry;
  }

  private Behavior<Command> onNotMaster(NotMaster m) {
    masterCache.remove(m.name());
    route(m.name(), m.op());
    return Behaviors.same();
  }

  private Behavior<Command> onLookup(Lookup m) {
    if (m.generation() != generation) {
      ctx.getLog().debug("dropping lookup of {} from generation {} (now {})", m.name(), m.generation(), generation);
      return Behaviors.same();
    }
    ActorRef<Command> master = dirRecords.computeIfAbsent(m.name(), n -> m.requester());
    m.requester().tell(new LookupReply(generation, m.name(), master, tossedTokenFloor));
    return Behaviors.same();
  }

  private Behavior<Command> onLookupReply(LookupReply m) {
    if (m.generation() != generation) {
      // Stale: the lookup was re-issued after the last rebuild.
      return Behaviors.same();
    }
    ArrayDeque<LockResource.Operation> parked = pendingLookups.remove(m.name());
    if (parked == null) {
      return Behaviors.same();
    }
    masterCache.put(m.name(), m.master());
    if (m.master().equals(self) && !children.containsKey(m.name())) {
      becomeMaster(m.name(), m.tokenFloor());
    }
    for (LockResource.Operation op : parked) {
      route(m.name(), op);
    }
    return Behaviors.same();
  }

  private Behavior<Command> onRemove(Remove m) {
    if (m.generation() == generation && m.master().equals(dirRecords.get(m.name()))) {
      dirRecords.remove(m.name());
      tossedTokenFloor = Math.max(tossedTokenFloor, m.lastTokenCounter());
    }
    return Behaviors.same();
  }

  private Behavior<Command> onResourceIdle(ResourceIdle m) {
    ResourceEntry entry = children.get(m.name());
    if (entry == null || !entry.ref.equals(m.child()) || entry.forwarded != m.processed()) {
      return Behaviors.same(); // an operation is in flight to the child: it is not unused after all
    }
    // spec §5: mastery is dropped only when unused for the toss delay; tell the dir node.
    ctx.unwatch(entry.ref);
    ctx.stop(entry.ref);
    children.remove(m.name());
    masterCache.remove(m.name());
    NodeId dirNode = directory.directoryNode(m.name().bytes());
    if (dirNode.equals(selfNode)) {
      dirRecords.remove(m.name(), self);
      tossedTokenFloor = Math.max(tossedTokenFloor, m.lastTokenCounter());
    } else {
      memberRef(dirNode).tell(new Remove(generation, m.name(), self, m.lastTokenCounter()));
    }
    return Behaviors.same();
  }

  private Behavior<Command> onDump(Dump m) {
    List<ActorRef<LockResource.Command>> refs = new ArrayList<>();
    Map<ResourceName, NodeId> dirNodes = new TreeMap<>();
    for (Map.Entry<ResourceName, ResourceEntry> e : children.entrySet()) {
      refs.add(e.getValue().ref);
      dirNodes.put(e.getKey(), directory == null ? selfNode : directory.directoryNode(e.getKey().bytes()));
    }
    ctx.spawnAnonymous(DumpCollector.create(
        new DumpCollector.Header(local.name(), selfNode, phase == null ? "running" : "stopped(" + phase + ")",
            generation, sortedNodes(view), dirNodes, local.ownedLocks()),
        refs, settings.dumpTimeout(), m.replyTo()));
    return Behaviors.same();
  }

  private Behavior<Command> onClusterDump(ClusterDump m) {
    Map<String, ActorRef<Command>> members = new TreeMap<>();
    for (ActorRef<Command> member : view) {
      members.put(nodeOf(member).name(), member);
    }
    ctx.spawnAnonymous(DumpCollector.cluster(members, settings.dumpTimeout(), m.replyTo()));
    return Behaviors.same();
  }

  private Behavior<Command> onLeave(Leave m) {
    if (!local.ownedLocks().isEmpty()) {
      m.replyTo().tell(new LeaveResult(false,
          "this node still holds " + local.ownedLocks().size() + " lock(s) in lockspace " + local.name()));
      return Behaviors.same();
    }
    if (!children.isEmpty()) {
      // Resources this node masters may hold other nodes' locks; moving them is recovery's job.
      m.replyTo().tell(new LeaveResult(false, "this node still masters " + children.size()
          + " resource(s) in lockspace " + local.name() + "; wait for the toss delay after the last unlock"));
      return Behaviors.same();
    }
    ctx.getSystem().receptionist().tell(Receptionist.deregister(key, self));
    m.replyTo().tell(new LeaveResult(true, ""));
    local.close();
    return Behaviors.stopped();
  }

  // ============================================================================ membership barrier

  private Behavior<Command> onListing(ListingChanged m) {
    listed = new HashSet<>(m.listing().getServiceInstances(key));
    learned.removeAll(listed);
    return viewMaybeChanged();
  }

  private Behavior<Command> onHello(Hello m) {
    learn(m.from());
    m.view().forEach(this::learn);
    return viewMaybeChanged();
  }

  private void learn(ActorRef<Command> ref) {
    if (!departed.contains(ref) && !listed.contains(ref) && learned.add(ref)) {
      ctx.watch(ref);
    }
  }

  private Behavior<Command> onTerminated(Terminated t) {
    String guardianAddress = probedGuardians.remove(t.getRef());
    if (guardianAddress != null) {
      if (probesOutstanding != null && probesOutstanding.remove(guardianAddress)) {
        return afterProbe();
      }
      return current();
    }
    @SuppressWarnings("unchecked")
    ActorRef<Command> ref = (ActorRef<Command>) (ActorRef<?>) t.getRef();
    for (Map.Entry<ResourceName, ResourceEntry> e : new ArrayList<>(children.entrySet())) {
      if (e.getValue().ref.equals(t.getRef())) {
        // An invariant failure in a resource is a bug; its locks are lost until recovery exists.
        ctx.getLog().error("resource {} of lockspace {} stopped unexpectedly", e.getKey(), local.name());
        children.remove(e.getKey());
        masterCache.remove(e.getKey());
        return Behaviors.same();
      }
    }
    departed.add(ref);
    learned.remove(ref);
    listed.remove(ref);
    return viewMaybeChanged();
  }

  private Behavior<Command> viewMaybeChanged() {
    Set<ActorRef<Command>> next = new HashSet<>(listed);
    next.addAll(learned);
    next.add(self);
    if (next.equals(view)) {
      return current();
    }
    enterStopped(next);
    return stopped();
  }

  private void enterStopped(Set<ActorRef<Command>> nextView) {
    view = nextView;
    phase = phase == null ? Phase.STOPPED : phase.transitionTo(Phase.STOPPED);
    List<ActorRef<Command>> viewList = sortedRefs(view);
    for (ActorRef<Command> member : view) {
      if (!member.equals(self)) {
        ctx.watch(member); // a departed member must leave the view even if someone's Hello still names it
        member.tell(new Hello(self, viewList));
      }
    }
    if (probesOutstanding == null) {
      coordinator().tell(new StopAck(viewList, generation, self));
    }
  }

  private Behavior<Command> onStopAck(StopAck m) {
    if (!view.contains(m.from())) {
      learn(m.from());
      Behavior<Command> next = viewMaybeChanged();
      stopAcks.put(m.from(), m);
      checkAllStopped();
      return next;
    }
    if (phase == null && Set.copyOf(m.view()).equals(view)) {
      // A member re-stopped for the view we run with (it saw a transient change): run the barrier again.
      stopAcks.put(m.from(), m);
      enterStopped(view);
      checkAllStopped();
      return stopped();
    }
    stopAcks.put(m.from(), m);
    checkAllStopped();
    return current();
  }

  private void checkAllStopped() {
    if (!coordinator().equals(self) || phase == null) {
      return;
    }
    long maxGeneration = generation;
    for (ActorRef<Command> member : view) {
      StopAck ack = stopAcks.get(member);
      if (ack == null || !Set.copyOf(ack.view()).equals(view)) {
        return;
      }
      maxGeneration = Math.max(maxGeneration, ack.generation());
    }
    stopAcks.clear();
    rebuiltFrom.clear();
    coordinatingGeneration = maxGeneration + 1;
    List<ActorRef<Command>> viewList = sortedRefs(view);
    for (ActorRef<Command> member : view) {
      member.tell(new Rebuild(coordinatingGeneration, viewList));
    }
  }

  private Behavior<Command> onRebuild(Rebuild m) {
    if (phase != Phase.STOPPED || !Set.copyOf(m.view()).equals(view)) {
      return current(); // a newer view change overtook this round; the coordinator will start another
    }
    phase = phase.transitionTo(Phase.REBUILDING);
    generation = m.generation();
    directory = new ResourceDirectory(sortedNodes(view));
    dirRecords.clear();
    tossedTokenFloor = 0; // tokens of the new generation are above every older one
    masterCache.values().removeIf(ref -> !view.contains(ref));
    // Each master re-registers what it masters with the names' new directory nodes.
    Map<NodeId, List<ResourceName>> byDirNode = new HashMap<>();
    for (ActorRef<Command> member : view) {
      byDirNode.put(nodeOf(member), new ArrayList<>());
    }
    for (ResourceName name : children.keySet()) {
      byDirNode.get(directory.directoryNode(name.bytes())).add(name);
    }
    registeredAcksMissing = 0;
    for (ActorRef<Command> member : view) {
      List<ResourceName> names = byDirNode.get(nodeOf(member));
      if (member.equals(self)) {
        names.forEach(n -> dirRecords.put(n, self));
      } else {
        registeredAcksMissing++;
        member.tell(new Register(generation, List.copyOf(names), self));
      }
    }
    List<Register> early = new ArrayList<>(earlyRegisters);
    earlyRegisters.clear();
    early.forEach(this::onRegister);
    maybeRebuilt();
    return current();
  }

  private Behavior<Command> onRegister(Register m) {
    boolean rebuiltThisGeneration = phase == Phase.REBUILDING || phase == Phase.REBUILT;
    if (m.generation() > generation || (m.generation() == generation && !rebuiltThisGeneration && phase != null)) {
      earlyRegisters.add(m); // its Rebuild has not reached us yet
      return current();
    }
    if (m.generation() < generation) {
      return current();
    }
    for (ResourceName name : m.names()) {
      dirRecords.put(name, m.from());
    }
    m.from().tell(new Registered(generation, self));
    return current();
  }

  private Behavior<Command> onRegistered(Registered m) {
    if (m.generation() == generation && phase == Phase.REBUILDING) {
      registeredAcksMissing--;
      maybeRebuilt();
    }
    return current();
  }

  private void maybeRebuilt() {
    if (phase == Phase.REBUILDING && registeredAcksMissing == 0) {
      phase = phase.transitionTo(Phase.REBUILT);
      coordinator().tell(new Rebuilt(generation, self));
    }
  }

  private Behavior<Command> onRebuilt(Rebuilt m) {
    if (m.generation() != coordinatingGeneration || !coordinator().equals(self)) {
      return current();
    }
    rebuiltFrom.add(m.from());
    if (rebuiltFrom.containsAll(view)) {
      for (ActorRef<Command> member : view) {
        member.tell(new Resume(coordinatingGeneration));
      }
      rebuiltFrom.clear();
    }
    return current();
  }

  private Behavior<Command> onResume(Resume m) {
    if (phase != Phase.REBUILT || m.generation() != generation) {
      return current();
    }
    phase = null;
    ctx.getLog().info("lockspace {} running at generation {} with members {}", local.name(), generation,
        sortedNodes(view));
    // Lookups answered in an older generation were dropped; ask the new directory nodes.
    List<Map.Entry<ResourceName, ArrayDeque<LockResource.Operation>>> waiting =
        new ArrayList<>(pendingLookups.entrySet());
    pendingLookups.clear();
    for (Map.Entry<ResourceName, ArrayDeque<LockResource.Operation>> e : waiting) {
      for (LockResource.Operation op : e.getValue()) {
        route(e.getKey(), op);
      }
    }
    for (ResourceEntry child : children.values()) {
      // docs/fencing-tokens.md: tokens issued from now on carry the new generation.
      child.ref.tell(new LockResource.NewGeneration(generation));
    }
    local.running(generation, sortedNodes(view));
    everRunning = true;
    return stash.unstashAll(running());
  }

  // ============================================================================ helpers

  private ActorRef<Command> coordinator() {
    return view.stream().min(Comparator.comparing(r -> nodeOf(r).name())).orElseThrow();
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
    for (ActorRef<Command> member : view) {
      if (nodeOf(member).equals(node)) {
        return member;
      }
    }
    throw new IllegalStateException("directory node " + node + " is not in the view " + view);
  }

  private List<NodeId> sortedNodes(Set<ActorRef<Command>> refs) {
    return refs.stream().map(this::nodeOf).sorted(Comparator.comparing(NodeId::name)).toList();
  }

  private List<ActorRef<Command>> sortedRefs(Set<ActorRef<Command>> refs) {
    return refs.stream().sorted(Comparator.comparing(r -> nodeOf(r).name())).toList();
  }
}
