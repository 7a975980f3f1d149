package org.jdlm.member;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.jdlm.fencing.FenceAgents;
import org.jdlm.fencing.FenceCoordinator;
import org.jdlm.fencing.FencingAuthority;
import org.jdlm.fencing.PowerAgent;
import org.jdlm.fencing.SharedDisk;
import org.jdlm.fencing.core.FencingLedger;
import org.jdlm.fencing.core.SharedDiskState;
import org.jdlm.fencing.store.StoreConfig;
import org.jdlm.fencing.store.StoreException;
import org.jdlm.fencing.store.StoreProbe;
import org.jdlm.fencing.store.StoreReadiness;
import org.jdlm.fs.journal.JournalRecoveries;
import org.jdlm.kernel.MemoryManager;
import org.jdlm.recovery.FenceRequest;
import org.jdlm.recovery.NodeRecovery;
import org.jdlm.recovery.NodeName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a member runs on top of membership when it has the shared store: the store's smoke probe,
 * the kernel's memory manager, the fencing authority and shared-disk singletons, this
 * incarnation's registration on the disk and its admission by the authority, and the fence
 * coordinator with the standard agents (semantics §6.1; docs/fencing.md). {@link MemberNode} knows
 * nothing of them: {@code dlm node} calls {@link #plan} (every setting read and checked before any
 * port is opened), starts the member with {@link Plan#config()}, then calls {@link Plan#install}.
 *
 * <p>Control paths: {@code GET /fencing/status} (read-only) and the operator action
 * {@code POST /fencing/fence?node=NAME}, which needs the operator secret ({@link OperatorSecret};
 * 403 without it); with {@code --lab} also the store probe's {@code /store/append?text=T} and
 * {@code /store/read} ({@link #installStoreProbe}). Formats in docs/cluster.md. A member without a
 * store answers them with 503 and says why.
 */
public final class NodeServices {
  private static final Logger log = LoggerFactory.getLogger(NodeServices.class);

  /** Agents {@link FenceAgents#standard} builds; {@code jdlm.fencing.agents} may name only these. */
  private static final Set<String> STANDARD_AGENTS = Set.of("power", "storage", "watchdog");

  /**
   * Why a member stops itself before it was ever admitted; {@link MemberNode#termination} maps
   * both to {@link MemberNode#EXIT_NOT_ADMITTED}.
   */
  public enum NotAdmitted implements CoordinatedShutdown.Reason {
    /** The fencing authority refused this incarnation: it was fenced and may never rejoin. */
    FENCED,
    /** The authority did not answer within {@code admission-timeout} (the store is unreachable?). */
    NO_ANSWER
  }

  private NodeServices() {}

  /**
   * Reads and checks every setting the services need. Without {@code --store} and
   * {@code jdlm.store.url} the plan is "no store": no persistence, no fencing.
   *
   * @param base the member's configuration ({@link NodeConfig#build})
   * @throws CliError naming the setting, its value and the reason
   */
  public static Plan plan(NodeSettings settings, Config base) {
    try {
      OperatorSecret secret = OperatorSecret.fromConfig(base);
      if (base.getString("jdlm.store.url").isBlank()) {
        return new Plan(settings, base, Optional.empty(), null, secret);
      }
      // The password from jdlm.store.password-file or JDLM_STORE_PASSWORD, never from argv.
      Config config = StoreConfig.withStore(StoreCredentials.resolve(base, System::getenv));
      StoreConfig.Settings store = StoreConfig.Settings.fromConfig(config);
      FenceCoordinator.Settings fencing = FenceCoordinator.Settings.fromConfig(config);
      for (String agent : fencing.operation().agents()) {
        if (!STANDARD_AGENTS.contains(agent)) {
          throw new IllegalArgumentException("jdlm.fencing.agents names \"" + agent + "\"; a member has "
              + new java.util.TreeSet<>(STANDARD_AGENTS));
        }
      }
      // Read now so that a typo fails `dlm node` at once, not the first fence minutes later.
      PowerAgent.Settings.fromConfig(config);
      MemoryManager.settings(config);
      FencingAuthority.Settings.fromConfig(config);
      SharedDisk.Settings.fromConfig(config);
      Timeouts.fromConfig(config);
      config.getDuration("jdlm.cli.node.services.store-check-timeout");
      config.getInt("jdlm.store.probe.max-events");
      return new Plan(settings, config, Optional.of(store), fencing, secret);
    } catch (IllegalArgumentException | ConfigException e) {
      throw new CliError("node: " + e.getMessage());
    }
  }

  /** Bounds of the services' waits, from {@code jdlm.cli.node.services}. */
  record Timeouts(Duration ask, Duration admission, Duration fence, int maxTextLength) {
    static Timeouts fromConfig(Config config) {
      Config c = config.getConfig("jdlm.cli.node.services");
      Timeouts t = new Timeouts(c.getDuration("ask-timeout"), c.getDuration("admission-timeout"),
          c.getDuration("fence-timeout"), c.getInt("max-text-length"));
      if (t.ask.toMillis() < 1 || t.admission.compareTo(t.ask) < 0 || t.fence.toMillis() < 1 || t.maxTextLength < 1) {
        throw new IllegalArgumentException("jdlm.cli.node.services: ask-timeout (" + t.ask + ") and fence-timeout ("
            + t.fence + ") must be positive, admission-timeout (" + t.admission + ") at least ask-timeout, and"
            + " max-text-length (" + t.maxTextLength + ") at least 1");
      }
      return t;
    }
  }

  /**
   * The checked settings of one member's services.
   *
   * @param config the member's configuration, with the store's Pekko Persistence settings when it has a store
   * @param store the store, or empty for a member without persistence
   * @param secret what an operator action must present ({@code jdlm.member.operator-secret(-file)})
   */
  public record Plan(NodeSettings settings, Config config, Optional<StoreConfig.Settings> store,
                     FenceCoordinator.Settings fencing, OperatorSecret secret) {

    /**
     * Checks that the store can be used: reachable, the login accepted, every table there. Call it
     * before {@link MemberNode#start}, so that a member pointed at an unprepared or unreachable
     * database stops at once with one line instead of joining and failing its persistent actors
     * later. Nothing without a store.
     *
     * @throws StoreNotReady naming the store URL and the reason (never the password); logged too
     */
    public void verifyStore() {
      if (store.isEmpty()) {
        return;
      }
      Duration timeout = config.getDuration("jdlm.cli.node.services.store-check-timeout");
      try {
        StoreReadiness.verify(store.get(), timeout);
      } catch (StoreException e) {
        log.error("jdlm member {} cannot use its store: {}", settings.name(), e.getMessage());
        throw new StoreNotReady("node: " + e.getMessage(), e);
      }
    }

    /**
     * Starts the services on the running member and registers their control paths. Call once,
     * right after {@link MemberNode#start}; admission and registration happen once the member is Up.
     *
     * @return the running services, for the lab's endpoints that use the shared disk; empty without a store
     */
    public Optional<Running> install(MemberNode member) {
      if (store.isEmpty()) {
        log.info("jdlm member {} runs without a shared store: no persistence and no fencing"
            + " (give `dlm node --store URL` or -Djdlm.store.url)", settings.name());
        String why = "this member runs without a shared store (no --store, no jdlm.store.url)";
        member.control().register("/fencing/status", request -> ControlEndpoint.Response.error(503, why));
        member.control().register("/fencing/fence", operatorAction(secret, request -> ControlEndpoint.Response.error(503, why)));
        return Optional.empty();
      }
      log.info("jdlm member {} uses the {} store {}", settings.name(), store.get().kind().name().toLowerCase(),
          store.get().url());
      Running running = new Running(member, this, Timeouts.fromConfig(config));
      running.start();
      return Optional.of(running);
    }
  }

  /** The services of one running member. */
  public static final class Running {
    private final ActorSystem<Void> system;
    private final ControlEndpoint control;
    private final Plan plan;
    private final Timeouts timeouts;
    private final String name;
    /** This member's admission as the endpoint reports it: pending, admitted, refused-fenced, no-answer. */
    private final AtomicReference<String> admission = new AtomicReference<>("pending");
    private final AtomicReference<String> registration = new AtomicReference<>("pending");
    private ActorRef<FencingAuthority.Command> authority;
    private ActorRef<SharedDisk.Command> disk;
    private ActorRef<FenceCoordinator.Command> coordinator;

    Running(MemberNode member, Plan plan, Timeouts timeouts) {
      this.system = member.system();
      this.control = member.control();
      this.plan = plan;
      this.timeouts = timeouts;
      this.name = plan.settings().name();
    }

    void start() {
      startFencing();
      control.register("/fencing/status", request -> fencingStatus());
      control.register("/fencing/fence", operatorAction(plan.secret(), request -> fence(request.query().get("node"))));
      // The singletons live on the oldest Up member: ask only once this member is Up itself.
      org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system)).registerOnMemberUp(this::admitAndRegister);
    }

    // ------------------------------------------------------------ the store probe

    /** Starts the store probe and registers {@code /store/*}; see {@link NodeServices#installStoreProbe}. */
    private void startProbe() {
      // Persistence id StoreProbe|<node name>: a restarted member (new incarnation) reads what the
      // previous one wrote, which is the point of the smoke check.
      ActorRef<StoreProbe.Command> probe = system.systemActorOf(
          StoreProbe.create(name, plan.config().getInt("jdlm.store.probe.max-events")), "store-probe", Props.empty());
      control.register("/store/append", request -> {
        String text = request.query().get("text");
        if (text == null || text.isEmpty()) {
          return ControlEndpoint.Response.error(400, "/store/append needs ?text=TEXT");
        }
        if (text.length() > timeouts.maxTextLength() || text.contains("\n") || text.contains("\r")) {
          return ControlEndpoint.Response.error(400, "/store/append: text of " + text.length()
              + " characters must be one line of at most " + timeouts.maxTextLength()
              + " (jdlm.cli.node.services.max-text-length)");
        }
        return probeReply(ask(probe, r -> new StoreProbe.Append(text, r), "the store probe"));
      });
      control.register("/store/read", request -> probeReply(ask(probe, StoreProbe.Read::new, "the store probe")));
    }

    private static ControlEndpoint.Response probeReply(StoreProbe.Reply reply) {
      if (reply instanceof StoreProbe.Events events) {
        StringBuilder body = new StringBuilder("events count=" + events.texts().size() + "\n");
        events.texts().forEach(t -> body.append("event ").append(t).append('\n'));
        return ControlEndpoint.Response.ok(body.toString());
      }
      return ControlEndpoint.Response.error(409, "refused " + ((StoreProbe.Refused) reply).reason());
    }

    // ------------------------------------------------------------ fencing

    private void startFencing() {
      Config config = plan.config();
      ActorRef<MemoryManager.Command> memory = system.systemActorOf(
          MemoryManager.create(MemoryManager.settings(config)), "memory", Props.empty());
      // Fencing, the DLM's FencingPort, fencing on unreachable and self-fence: the recovery module's job.
      NodeRecovery recovery = NodeRecovery.start(system,
          NodeRecovery.Settings.fromConfig(config, name, timeouts.fence(), timeouts.ask()), plan.store().get(),
          memory, JournalRecoveries.get(system)); // the journals of whatever this member mounts
      authority = recovery.authority();
      disk = recovery.disk();
      coordinator = recovery.coordinator();
    }

    /** The shared disk singleton's proxy on this member. */
    public ActorRef<SharedDisk.Command> disk() {
      return disk;
    }

    /** Bound on one ask to a service actor ({@code jdlm.cli.node.services.ask-timeout}). */
    public Duration askTimeout() {
      return timeouts.ask();
    }

    /** This member's incarnation: its cluster uid, known once the ActorSystem runs. */
    public long incarnation() {
      return Cluster.get(system).selfMember().uniqueAddress().longUid();
    }

    /**
     * Registers this incarnation's key on the shared disk (needed to write and to preempt) and asks
     * the authority to admit it, retrying unanswered asks until {@code admission-timeout}. A fresh
     * process has a fresh uid and cannot be on the fenced list; the check is the safety net for a
     * process that somehow kept a fenced identity.
     */
    private void admitAndRegister() {
      long incarnation = incarnation();
      long deadline = System.nanoTime() + timeouts.admission().toNanos();
      register(incarnation, deadline);
      admit(incarnation, deadline);
    }

    private void admit(long incarnation, long deadline) {
      AskPattern.<FencingAuthority.Command, FencingLedger.Admission>ask(authority,
              r -> new FencingAuthority.Admit(name, incarnation, r), timeouts.ask(), system.scheduler())
          .whenComplete((reply, failure) -> {
            if (reply instanceof FencingLedger.Admitted) {
              admission.set("admitted");
              log.info("jdlm member {} incarnation {} admitted by the fencing authority", name, incarnation);
            } else if (reply instanceof FencingLedger.RefusedFenced refused) {
              admission.set("refused-fenced");
              log.error("jdlm member {} incarnation {} was fenced (by {}) and may never rejoin: stopping, exit status {}",
                  name, incarnation, refused.agent(), MemberNode.EXIT_NOT_ADMITTED);
              CoordinatedShutdown.get(system).runAll(NotAdmitted.FENCED);
            } else if (System.nanoTime() - deadline >= 0) {
              admission.set("no-answer");
              log.error("jdlm member {}: the fencing authority did not admit incarnation {} within {}"
                  + " (is the store {} reachable?): stopping, exit status {}", name, incarnation,
                  timeouts.admission(), plan.store().get().url(), MemberNode.EXIT_NOT_ADMITTED);
              CoordinatedShutdown.get(system).runAll(NotAdmitted.NO_ANSWER);
            } else {
              log.warn("jdlm member {}: no answer from the fencing authority within {} ({}); asking again", name,
                  timeouts.ask(), failure == null ? "no reply" : failure.getMessage());
              admit(incarnation, deadline);
            }
          });
    }

    private void register(long incarnation, long deadline) {
      long key = registrationKey(name, incarnation);
      AskPattern.<SharedDisk.Command, SharedDiskState.Registration>ask(disk,
              r -> new SharedDisk.Register(name, incarnation, key, r), timeouts.ask(), system.scheduler())
          .whenComplete((reply, failure) -> {
            if (reply instanceof SharedDiskState.Registered) {
              registration.set("registered");
              log.info("jdlm member {} incarnation {} registered on the shared disk", name, incarnation);
            } else if (reply instanceof SharedDiskState.RegistrationRefused refused) {
              registration.set("refused");
              log.error("jdlm member {} incarnation {}: the shared disk refused its registration: {}", name,
                  incarnation, refused.reason());
            } else if (System.nanoTime() - deadline >= 0) {
              registration.set("no-answer");
              log.error("jdlm member {}: the shared disk did not answer the registration within {}", name,
                  timeouts.admission());
            } else {
              register(incarnation, deadline);
            }
          });
    }

    /** {@code GET /fencing/status}: this member's admission, the authority's ledger, the coordinator's fences. */
    private ControlEndpoint.Response fencingStatus() {
      FencingAuthority.LedgerState ledger = ask(authority, FencingAuthority.GetState::new, "the fencing authority");
      FenceCoordinator.Status fences = ask(coordinator, FenceCoordinator.GetStatus::new, "the fence coordinator");
      StringBuilder out = new StringBuilder();
      out.append("self name=").append(name).append(" incarnation=").append(incarnation())
          .append(" admission=").append(admission.get()).append(" registration=").append(registration.get()).append('\n');
      out.append("authority generation=").append(ledger.generation()).append('\n');
      for (FencingAuthority.FencedIncarnation f : ledger.fenced()) {
        out.append("fenced node=").append(f.node()).append(" incarnation=").append(f.incarnation())
            .append(" agent=").append(word(f.agent())).append('\n');
      }
      new TreeMap<>(ledger.admitted()).forEach((node, incs) -> out.append("admitted node=").append(node)
          .append(" incarnations=").append(String.join(",", incs.stream().sorted().map(String::valueOf).toList()))
          .append('\n'));
      out.append("coordinator acting=").append(fences.acting()).append('\n');
      for (FenceCoordinator.OperationStatus op : fences.operations()) {
        out.append("operation node=").append(op.node()).append(" incarnation=").append(op.incarnation())
            .append(" requesters=").append(op.requesters()).append(" state=").append(word(op.state())).append('\n');
      }
      return ControlEndpoint.Response.ok(out.toString());
    }

    /**
     * {@code /fencing/fence?node=NAME}: an operator fences the member's current incarnation, found
     * in this member's view of the cluster membership. Waits for the outcome up to {@code fence-timeout}.
     */
    private ControlEndpoint.Response fence(String node) throws InterruptedException {
      if (node == null || node.isBlank()) {
        return ControlEndpoint.Response.error(400, "/fencing/fence needs ?node=NAME");
      }
      if (node.equals(name)) {
        return ControlEndpoint.Response.error(409, "refused: " + name + " does not fence itself; ask another member");
      }
      Optional<Member> victim = Optional.empty();
      for (Member m : Cluster.get(system).state().getMembers()) {
        if (NodeName.fromRoles(m.getRoles()).filter(node::equals).isPresent() && m.status() != MemberStatus.removed()) {
          victim = Optional.of(m);
        }
      }
      if (victim.isEmpty()) {
        return ControlEndpoint.Response.error(404, "no member named " + node + " in " + name
            + "'s view of the cluster (a removed member has already been downed; GET /status lists the members)");
      }
      long incarnation = victim.get().uniqueAddress().longUid();
      String address = victim.get().address().toString();
      log.warn("operator fence of {} incarnation {} at {} requested through {}'s control endpoint", node, incarnation,
          address, name);
      CompletableFuture<FenceRequest.Outcome> result = new CompletableFuture<>();
      long detectedAt = System.currentTimeMillis(); // the watchdog agent counts from the request
      system.systemActorOf(FenceRequest.create(coordinator,
              r -> new FenceCoordinator.Fence(node, incarnation, address, detectedAt, r), timeouts.fence(), result),
          "fence-request-" + node + "-" + System.nanoTime(), Props.empty());
      FenceRequest.Outcome outcome;
      try {
        outcome = result.get(timeouts.fence().toMillis() + timeouts.ask().toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        return ControlEndpoint.Response.error(503, "no outcome for the fence of " + node + ": " + e);
      }
      StringBuilder body = new StringBuilder();
      for (FenceCoordinator.FenceAttemptFailed f : outcome.failures()) {
        body.append("attempt-failed node=").append(f.node()).append(" attempt=").append(f.attempt())
            .append(" step=").append(f.step()).append(" reason=").append(word(f.reason())).append('\n');
      }
      if (outcome.last() instanceof FenceCoordinator.Fenced f) {
        body.insert(0, "fenced node=" + f.node() + " incarnation=" + f.incarnation() + " generation=" + f.generation()
            + " agent=" + word(f.agent()) + "\n");
        return ControlEndpoint.Response.ok(body.toString());
      }
      if (outcome.last() instanceof FenceCoordinator.FenceRefused r) {
        body.insert(0, "refused node=" + r.node() + " incarnation=" + r.incarnation() + " reason=" + word(r.reason()) + "\n");
        return new ControlEndpoint.Response(409, body.toString());
      }
      body.insert(0, "pending node=" + node + " incarnation=" + incarnation + " waited=" + timeouts.fence()
          + " (the fence goes on; see /fencing/status)\n");
      return new ControlEndpoint.Response(202, body.toString());
    }

    /** Asks {@code target} within {@code ask-timeout}; no answer is a {@link CliError}-free 503 via the endpoint. */
    private <C, R> R ask(ActorRef<C> target, org.apache.pekko.japi.function.Function<ActorRef<R>, C> message, String what) {
      try {
        return AskPattern.<C, R>ask(target, message, timeouts.ask(), system.scheduler()).toCompletableFuture()
            .get(timeouts.ask().toMillis() + 500, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ServiceUnavailable(what + ": interrupted");
      } catch (ExecutionException | TimeoutException e) {
        throw new ServiceUnavailable(what + " did not answer within " + timeouts.ask()
            + " (jdlm.cli.node.services.ask-timeout); is the store reachable and the cluster Up?");
      }
    }
  }

  /**
   * The shared store's smoke check for the lab: {@code POST /store/append?text=T} journals an event
   * and {@code GET /store/read} replays them (a restarted member reads what its predecessor wrote).
   * It writes to the store, so a plain member does not serve it: {@code dlm node --lab} installs it.
   * Without a store both paths answer 503 saying why.
   */
  public static void installStoreProbe(MemberNode member, Optional<Running> services) {
    if (services.isPresent()) {
      services.get().startProbe();
      return;
    }
    String why = "this member runs without a shared store (no --store, no jdlm.store.url)";
    for (String path : new String[] {"/store/append", "/store/read"}) {
      member.control().register(path, request -> ControlEndpoint.Response.error(503, why));
    }
  }

  /**
   * An operator action: POST only (a browser's prefetch must not fence a node), and only with the
   * operator secret; both are checked before the action sees the request.
   */
  static ControlEndpoint.Handler operatorAction(OperatorSecret secret, ControlEndpoint.Handler action) {
    ControlEndpoint.Handler guarded = secret.guard(action);
    return request -> request.method().equals("POST") ? guarded.handle(request)
        : ControlEndpoint.Response.error(405, request.path() + " is an operator action: use POST (got " + request.method() + ")");
  }

  /** An actor behind a control path did not answer; the endpoint reports it as a 500 with this message. */
  public static final class ServiceUnavailable extends RuntimeException {
    public ServiceUnavailable(String message) {
      super(message);
    }

    @Override
    public String toString() {
      return getMessage();
    }
  }

  /**
   * This incarnation's key on the shared disk. Derived from name and incarnation so that a
   * restarted member (new uid) never holds the key that was preempted from its fenced predecessor;
   * never 0, which SCSI-3 reserves for "no key".
   */
  static long registrationKey(String node, long incarnation) {
    long h = incarnation ^ (0x9E3779B97F4A7C15L * node.hashCode());
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h == 0 ? 1 : h;
  }

  /** Values in the status formats contain no spaces (readers split on them). */
  private static String word(String text) {
    return text.strip().replaceAll("\\s+", "_");
  }
}
