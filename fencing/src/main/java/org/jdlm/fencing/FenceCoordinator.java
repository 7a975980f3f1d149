package org.jdlm.fencing;

import org.jdlm.common.wire.WireMessage;
import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.Member;
import org.jdlm.fencing.core.FenceOperation;
import org.jdlm.kernel.MemoryManager;
import org.jdlm.kernel.core.GfpMask;
import org.jdlm.kernel.core.TaskFlag;

/**
 * The fence coordinator of one node. Every node runs one; only the <b>acting</b> coordinator runs
 * fences, the others stand by and forward to it (dlm_controld: the lowest-nodeid member that saw
 * the failure runs the agent, fs-cycles §4.1 step 5).
 *
 * <p>What was chosen, and why it is simple:
 * <ul>
 *   <li><b>Acting = the lowest-addressed coordinator in the current {@link Peers} list</b> (ordered
 *       by {@link Member#addressOrdering()}), skipping any node that is itself being fenced. The
 *       list comes from the receptionist, so a member that dies drops out of it once the cluster
 *       removes it.</li>
 *   <li><b>A standby keeps every request it forwarded</b> until the acting coordinator answers.
 *       When the list changes and the acting coordinator is another one (or this one), the standby
 *       re-sends (or starts the fence itself). Fencing is idempotent end to end — preempting twice,
 *       killing a pid that is gone, recording a fenced incarnation again — so a duplicate costs a
 *       little time, never a second generation.</li>
 *   <li>A fence already running here keeps running when the list changes; it is not handed over.</li>
 * </ul>
 *
 * <p>Each fence runs in a short-lived child {@link FenceTask}, which allocates memory from this
 * node's memory manager before any agent runs (fs-cycles §5.2).
 */
public final class FenceCoordinator extends AbstractBehavior<FenceCoordinator.Command> {

  /** Key under which every node's coordinator registers with the receptionist. */
  public static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "jdlm-fence-coordinator");

  /** Messages the coordinator accepts. */
  public sealed interface Command extends WireMessage {}

  /**
   * From recovery's coordinator (RecoveryRun.RequestFencing, one per failed node) or a standby
   * coordinator forwarding: fence this incarnation. Replies {@link Fenced} once the authority has
   * recorded it (at once if already known), {@link FenceAttemptFailed} for every failed step
   * meanwhile, or {@link FenceRefused} for bad input or when {@code max-operations} are in flight.
   * {@code detectedAtMillis} is when the failure was detected (the watchdog agent counts from it).
   */
  public record Fence(String node, long incarnation, String address, long detectedAtMillis, ActorRef<Reply> replyTo)
      implements Command {}

  /**
   * From an operator ({@code dlm fence ack}, like {@code dlm_tool fence_ack}): declare the
   * incarnation fenced by hand. Replies {@link Fenced} when recorded, to this requester and every
   * one still waiting, or {@link FenceRefused} for bad input.
   */
  public record FenceAck(String node, long incarnation, String operator, ActorRef<Reply> replyTo) implements Command {}

  /** From the node assembly's receptionist adapter (or a test): every coordinator of the cluster, any order. */
  public record Peers(List<ActorRef<Command>> coordinators) implements Command {
    public Peers {
      coordinators = List.copyOf(coordinators);
    }
  }

  /** From status and dumps on this node: the fences in flight. Replies {@link Status}. */
  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  private record TaskReport(FenceTask.Report report) implements Command {}

  private record PeerReply(Reply reply) implements Command {}

  private record Listing(Receptionist.Listing listing) implements Command {}

  /** Replies to {@link Fence} and {@link FenceAck}. */
  public sealed interface Reply extends WireMessage {}

  /** {@code node#incarnation} is fenced (by {@code agent}) and on record; recovery may proceed past it. */
  public record Fenced(String node, long incarnation, long generation, String agent) implements Reply {}

  /** Step {@code step} (an agent, "memory" or "authority") of attempt {@code attempt} failed; still trying. */
  public record FenceAttemptFailed(String node, long incarnation, int attempt, String step, String reason)
      implements Reply {}

  /** The request was not accepted; {@code reason} names the value and the bound. */
  public record FenceRefused(String node, long incarnation, String reason) implements Reply {}

  /** One fence known to this coordinator. {@code state} is the task's state, or "forwarded to …". */
  public record OperationStatus(String node, long incarnation, String state, int requesters) implements WireMessage {}

  /** This coordinator's view: whether it acts, and its fences in flight. */
  public record Status(boolean acting, List<OperationStatus> operations) implements WireMessage {}

  /** Bounds and task settings, from {@code jdlm.fencing}. */
  public record Settings(FenceOperation.Settings operation, FenceTask.Settings task, int maxOperations,
                         int rememberedConfirmations) {
    public Settings {
      if (maxOperations <= 0) {
        throw new IllegalArgumentException("jdlm.fencing.max-operations must be positive, got " + maxOperations);
      }
      if (rememberedConfirmations < 0) {
        throw new IllegalArgumentException(
            "jdlm.fencing.remembered-confirmations must be >= 0, got " + rememberedConfirmations);
      }
    }

    public static Settings fromConfig(Config config) {
      Config c = config.getConfig("jdlm.fencing");
      FenceOperation.Require require = parse(FenceOperation.Require.class, c.getString("require"), "jdlm.fencing.require");
      FenceOperation.Settings op = new FenceOperation.Settings(c.getStringList("agents"), require,
          c.getDuration("retry.min-backoff"), c.getDuration("retry.max-backoff"), c.getDuration("authority.record-retry"));
      Set<TaskFlag> flags = EnumSet.noneOf(TaskFlag.class);
      for (String f : c.getStringList("memory.task-flags")) {
        flags.add(parse(TaskFlag.class, f, "jdlm.fencing.memory.task-flags"));
      }
      FenceTask.Settings task = new FenceTask.Settings(c.getBytes("memory.working-bytes"),
          parse(GfpMask.class, c.getString("memory.mask"), "jdlm.fencing.memory.mask"), flags,
          c.getDuration("agent-timeout"), c.getDuration("authority.ask-timeout"));
      return new Settings(op, task, c.getInt("max-operations"), c.getInt("remembered-confirmations"));
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String value, String key) {
      for (E e : type.getEnumConstants()) {
        if (e.name().equalsIgnoreCase(value.strip())) {
          return e;
        }
      }
      throw new IllegalArgumentException(key + " = \"" + value + "\" is not one of " + EnumSet.allOf(type));
    }
  }

  /**
   * The coordinator of this node. {@code agents} must contain every name in the settings' agent
   * list (checked here, so a misconfiguration fails at start, not during a fence). Registers
   * itself with the receptionist and follows the listing to know its peers.
   */
  public static Behavior<Command> create(Settings settings, Map<String, FenceAgent> agents,
                                         ActorRef<MemoryManager.Command> memory,
                                         ActorRef<FencingAuthority.Command> authority) {
    return create(settings, agents, memory, authority, SERVICE_KEY);
  }

  /** As {@link #create(Settings, Map, ActorRef, ActorRef)}, finding peers under {@code peerKey} (tests isolate groups). */
  public static Behavior<Command> create(Settings settings, Map<String, FenceAgent> agents,
                                         ActorRef<MemoryManager.Command> memory,
                                         ActorRef<FencingAuthority.Command> authority, ServiceKey<Command> peerKey) {
    for (String name : settings.operation().agents()) {
      if (!agents.containsKey(name)) {
        throw new IllegalArgumentException("jdlm.fencing.agents names \"" + name + "\" but only "
            + new java.util.TreeSet<>(agents.keySet()) + " are available on this node");
      }
    }
    return Behaviors.setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(peerKey, ctx.getSelf()));
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(peerKey,
          ctx.messageAdapter(Receptionist.Listing.class, Listing::new)));
      return new FenceCoordinator(ctx, settings, agents, memory, authority, peerKey);
    });
  }

  private record Key(String node, long incarnation) {
    @Override
    public String toString() {
      return node + "#" + incarnation;
    }
  }

  /** One fence in flight: who waits for it, and where it runs (a local task or a peer). */
  private static final class Entry {
    final FenceOperation.Target target;
    final List<ActorRef<Reply>> requesters = new ArrayList<>();
    ActorRef<FenceTask.Command> task;
    FenceOperation.State taskState;
    ActorRef<Command> forwardedTo;
    Optional<String> pendingAck = Optional.empty();

    Entry(FenceOperation.Target target) {
      this.target = target;
    }
  }

  private final Settings settings;
  private final ServiceKey<Command> peerKey;
  private final Map<String, FenceAgent> agents;
  private final ActorRef<MemoryManager.Command> memory;
  private final ActorRef<FencingAuthority.Command> authority;
  private final ActorRef<FenceTask.Report> reports;
  private final ActorRef<Reply> peerReplies;
  private final Map<Key, Entry> inFlight = new LinkedHashMap<>();
  private final LinkedHashMap<Key, Fenced> confirmed;
  private List<ActorRef<Command>> peers = List.of();
  private long taskSequence;

  private FenceCoordinator(ActorContext<Command> ctx, Settings settings, Map<String, FenceAgent> agents,
                           ActorRef<MemoryManager.Command> memory, ActorRef<FencingAuthority.Command> authority,
                           ServiceKey<Command> peerKey) {
    super(ctx);
    this.peerKey = peerKey;
    this.settings = settings;
    this.agents = Map.copyOf(agents);
    this.memory = memory;
    this.authority = authority;
    this.reports = ctx.messageAdapter(FenceTask.Report.class, TaskReport::new);
    this.peerReplies = ctx.messageAdapter(Reply.class, PeerReply::new);
    int bound = settings.rememberedConfirmations();
    this.confirmed = new LinkedHashMap<>() {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Key, Fenced> eldest) {
        return size() > bound;
      }
    };
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Fence.class, this::onFence)
        .onMessage(FenceAck.class, this::onFenceAck)
        .onMessage(Peers.class, this::onPeers)
        .onMessage(Listing.class, this::onListing)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(TaskReport.class, this::onTaskReport)
        .onMessage(PeerReply.class, this::onPeerReply)
        .onSignal(Terminated.class, this::onTaskTerminated)
        .build();
  }

  private Behavior<Command> onFence(Fence f) {
    Optional<String> invalid = validate(f.node(), f.address());
    if (invalid.isPresent()) {
      f.replyTo().tell(new FenceRefused(f.node(), f.incarnation(), invalid.get()));
      return this;
    }
    Key key = new Key(f.node(), f.incarnation());
    Fenced done = confirmed.get(key);
    if (done != null) {
      f.replyTo().tell(done);
      return this;
    }
    Entry entry = inFlight.get(key);
    if (entry == null) {
      if (inFlight.size() >= settings.maxOperations()) {
        f.replyTo().tell(new FenceRefused(f.node(), f.incarnation(), inFlight.size()
            + " fences already in flight (jdlm.fencing.max-operations = " + settings.maxOperations() + ")"));
        return this;
      }
      entry = new Entry(new FenceOperation.Target(f.node(), f.incarnation(), f.address(), f.detectedAtMillis()));
      inFlight.put(key, entry);
      entry.requesters.add(f.replyTo());
      dispatch(key, entry);
    } else if (!entry.requesters.contains(f.replyTo())) {
      entry.requesters.add(f.replyTo());
    }
    return this;
  }

  private Behavior<Command> onFenceAck(FenceAck a) {
    Optional<String> invalid = validate(a.node(), "-");
    if (invalid.isEmpty() && (a.operator() == null || a.operator().isBlank())) {
      invalid = Optional.of("fence_ack needs the operator's name");
    }
    if (invalid.isPresent()) {
      a.replyTo().tell(new FenceRefused(a.node(), a.incarnation(), invalid.get()));
      return this;
    }
    Key key = new Key(a.node(), a.incarnation());
    Fenced done = confirmed.get(key);
    if (done != null) {
      a.replyTo().tell(done);
      return this;
    }
    Entry entry = inFlight.computeIfAbsent(key, k -> new Entry(new FenceOperation.Target(a.node(), a.incarnation(),
        "unknown (fence_ack)", System.currentTimeMillis())));
    if (!entry.requesters.contains(a.replyTo())) {
      entry.requesters.add(a.replyTo());
    }
    entry.pendingAck = Optional.of(a.operator());
    if (entry.task != null) {
      entry.task.tell(new FenceTask.ManualAck(a.operator()));
    } else if (entry.forwardedTo != null) {
      entry.forwardedTo.tell(new FenceAck(a.node(), a.incarnation(), a.operator(), peerReplies));
    } else {
      dispatch(key, entry);
    }
    return this;
  }

  private Optional<String> validate(String node, String address) {
    if (node == null || node.isBlank()) {
      return Optional.of("node name is blank");
    }
    if (address == null || address.isBlank()) {
      return Optional.of("address of " + node + " is blank");
    }
    return Optional.empty();
  }

  /** Runs the fence here if this coordinator acts, else forwards it to the one that does. */
  private void dispatch(Key key, Entry entry) {
    ActorRef<Command> acting = acting();
    if (acting.equals(getContext().getSelf())) {
      startTask(entry);
      return;
    }
    entry.forwardedTo = acting;
    getContext().getLog().info("fence of {} forwarded to the acting coordinator {}", key, acting.path());
    if (entry.pendingAck.isPresent()) {
      acting.tell(new FenceAck(key.node(), key.incarnation(), entry.pendingAck.get(), peerReplies));
    } else {
      FenceOperation.Target t = entry.target;
      acting.tell(new Fence(t.node(), t.incarnation(), t.address(), t.detectedAtMillis(), peerReplies));
    }
  }

  private void startTask(Entry entry) {
    long seq = ++taskSequence;
    entry.forwardedTo = null;
    entry.taskState = new FenceOperation.Requested();
    entry.task = getContext().spawn(FenceTask.create(new FenceOperation(entry.target, settings.operation()), seq, settings.task(),
        new FenceTask.Wiring(memory, authority, agents, reports), entry.pendingAck), "fence-" + seq);
    getContext().watch(entry.task);
  }

  /**
   * The lowest-addressed coordinator among the peers, skipping nodes being fenced; this one when
   * the list is empty or names nobody else eligible.
   */
  private ActorRef<Command> acting() {
    Set<String> beingFenced = new java.util.HashSet<>();
    for (Entry e : inFlight.values()) {
      beingFenced.add(e.target.address());
    }
    ActorRef<Command> best = getContext().getSelf();
    for (ActorRef<Command> peer : peers) {
      if (beingFenced.contains(peer.path().address().toString())) {
        continue;
      }
      if (lower(peer, best)) {
        best = peer;
      }
    }
    return best;
  }

  /**
   * Address order first (host, then port: the "lowest nodeid" of dlm_controld). Within one
   * address (only in single-JVM tests, where every coordinator shares the system) the path name
   * breaks the tie, so the choice stays deterministic.
   */
  private static boolean lower(ActorRef<Command> a, ActorRef<Command> b) {
    int byAddress = Member.addressOrdering().compare(a.path().address(), b.path().address());
    return byAddress != 0 ? byAddress < 0 : a.path().toString().compareTo(b.path().toString()) < 0;
  }

  private Behavior<Command> onListing(Listing l) {
    return onPeers(new Peers(List.copyOf(l.listing().getServiceInstances(peerKey))));
  }

  private Behavior<Command> onPeers(Peers p) {
    peers = p.coordinators();
    // Re-dispatch what a vanished or no-longer-acting peer was asked to do.
    ActorRef<Command> acting = acting();
    for (Map.Entry<Key, Entry> e : new ArrayList<>(inFlight.entrySet())) {
      Entry entry = e.getValue();
      if (entry.forwardedTo != null && !entry.forwardedTo.equals(acting)) {
        getContext().getLog().info("acting fence coordinator changed from {} to {}; re-sending fence of {}",
            entry.forwardedTo.path(), acting.path(), e.getKey());
        dispatch(e.getKey(), entry);
      }
    }
    return this;
  }

  private Behavior<Command> onTaskReport(TaskReport r) {
    if (r.report() instanceof FenceTask.Confirmed c) {
      complete(new Fenced(c.target().node(), c.target().incarnation(), c.generation(), c.agent()));
    } else if (r.report() instanceof FenceTask.Progress p) {
      Entry entry = inFlight.get(new Key(p.target().node(), p.target().incarnation()));
      if (entry != null) {
        entry.taskState = p.state();
      }
    } else if (r.report() instanceof FenceTask.StepFailed s) {
      Entry entry = inFlight.get(new Key(s.target().node(), s.target().incarnation()));
      if (entry != null) {
        Reply failed = new FenceAttemptFailed(s.target().node(), s.target().incarnation(), s.attempt(), s.step(), s.reason());
        entry.requesters.forEach(req -> req.tell(failed));
      }
    }
    return this;
  }

  private Behavior<Command> onPeerReply(PeerReply p) {
    if (p.reply() instanceof Fenced f) {
      complete(f);
    } else if (p.reply() instanceof FenceAttemptFailed f) {
      Entry entry = inFlight.get(new Key(f.node(), f.incarnation()));
      if (entry != null) {
        entry.requesters.forEach(req -> req.tell(f));
      }
    } else if (p.reply() instanceof FenceRefused r) {
      Entry entry = inFlight.remove(new Key(r.node(), r.incarnation()));
      if (entry != null) {
        entry.requesters.forEach(req -> req.tell(r));
      }
    }
    return this;
  }

  private void complete(Fenced fenced) {
    Key key = new Key(fenced.node(), fenced.incarnation());
    if (settings.rememberedConfirmations() > 0) {
      confirmed.put(key, fenced);
    }
    Entry entry = inFlight.remove(key);
    if (entry != null) {
      entry.requesters.forEach(req -> req.tell(fenced));
    }
  }

  private Behavior<Command> onTaskTerminated(Terminated t) {
    for (Map.Entry<Key, Entry> e : new ArrayList<>(inFlight.entrySet())) {
      if (Objects.equals(e.getValue().task, t.getRef())) {
        // The task stops by itself only after confirming (then the entry is gone already); any
        // other stop is a crash, a bug: start over rather than leave recovery waiting forever.
        getContext().getLog().error("fence task for {} stopped before confirming; starting it again", e.getKey());
        e.getValue().task = null;
        dispatch(e.getKey(), e.getValue());
      }
    }
    return this;
  }

  private Behavior<Command> onGetStatus(GetStatus g) {
    List<OperationStatus> ops = new ArrayList<>();
    Map<Key, Entry> snapshot = new HashMap<>(inFlight);
    snapshot.forEach((k, e) -> ops.add(new OperationStatus(k.node(), k.incarnation(),
        e.task != null ? describe(e.taskState)
            : e.forwardedTo != null ? "forwarded to " + e.forwardedTo.path().address() : "starting",
        e.requesters.size())));
    ops.sort(java.util.Comparator.comparing(OperationStatus::node).thenComparingLong(OperationStatus::incarnation));
    g.replyTo().tell(new Status(acting().equals(getContext().getSelf()), List.copyOf(ops)));
    return this;
  }

  private String describe(FenceOperation.State s) {
    if (s instanceof FenceOperation.AwaitingMemory a) {
      return "awaiting-memory attempt " + a.attempt() + " (" + settings.task().workingBytes() + " bytes, "
          + settings.task().mask() + ")";
    }
    if (s instanceof FenceOperation.Running r) {
      return "running " + r.agent() + " attempt " + r.attempt();
    }
    if (s instanceof FenceOperation.Retrying r) {
      return "retrying after attempt " + r.failedAttempt() + " in " + r.delay();
    }
    if (s instanceof FenceOperation.Recording r) {
      return "recording " + r.agent();
    }
    return s.toString();
  }
}
