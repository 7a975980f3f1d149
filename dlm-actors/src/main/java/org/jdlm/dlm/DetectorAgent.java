package org.jdlm.dlm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.jdlm.common.wire.WireMessage;
import org.jdlm.dlm.Dlm;
import org.jdlm.dlm.core.DeadlockBreak;
import org.jdlm.dlm.core.DlmWaits;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.core.waits.DeadlockDetector;
import org.jdlm.kernel.core.waits.DlmRequest;
import org.jdlm.kernel.core.waits.FactsText;
import org.jdlm.kernel.core.waits.KernelFacts;
import org.jdlm.kernel.core.waits.LivelockMonitor;
import org.jdlm.kernel.core.waits.ReportIds;
import org.jdlm.kernel.core.waits.Vertex;
import org.jdlm.kernel.core.waits.WaitGraph;

/**
 * One member's part of the cluster-wide wait-for-graph detector ({@link WaitsDetector}): every
 * scan interval it snapshots this member's facts, sends them to every member's agent (found with
 * the receptionist under {@link #KEY}), merges the latest facts of every member that are not stale,
 * and runs {@link DeadlockDetector}; it also samples this member's kernel for the livelock monitor.
 * Each knot is reported once while it lasts. The member with the smallest name
 * ({@link DeadlockBreak#acts}) logs the reports and asks the victim's member to deny a chosen
 * request ({@link DenyRequest}); that member's lockspace checks the request is still the same
 * ({@link LockspaceLocal#denyDeadlocked}).
 *
 * <p>Clocks: a member's facts carry ages against the moment they were taken ({@link FactsText});
 * the receiver places them against the moment they arrived (transit time is ignored), so members'
 * clocks never need to agree.
 */
final class DetectorAgent {

  /** Every member's agent registers under this key. */
  static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "jdlm-waits-detector");

  /** Messages to a member's detector agent. */
  public sealed interface Command extends WireMessage {}

  /**
   * From every member's agent (itself included), every scan interval: that member's facts as
   * {@link FactsText} (ages against when they were taken), {@code from} its agent. No reply.
   */
  public record MemberFacts(String member, long seq, String facts, ActorRef<Command> from) implements Command {}

  /**
   * From the acting member's agent to the victim's: deny queued request {@code lkbId} (hex, owner-local)
   * for {@code mode} in {@code lockspace} with EDEADLK, for knot {@code knotId}. No reply: the
   * outcome is the lock's completion (or nothing, when the request changed meanwhile), and a log line.
   */
  public record DenyRequest(String knotId, String lockspace, String lkbId, String mode) implements Command {}

  private enum Tick implements Command { INSTANCE }

  private record Peers(Receptionist.Listing listing) implements Command {}

  private record Received(String facts, long atNanos) {}

  private final ActorContext<Command> ctx;
  private final WaitsDetector owner;
  private final WaitsDetector.Settings settings;
  private final ReportIds ids = new ReportIds("wfg");
  private final long epochNanos = System.nanoTime();
  private final DeadlockDetector detector;
  private final DeadlockBreak.Ledger ledger = new DeadlockBreak.Ledger(1024);
  private final Map<String, Received> latest = new HashMap<>();
  private final Map<String, ActorRef<Command>> agents = new HashMap<>();
  private Set<ActorRef<Command>> peers = Set.of();
  private LivelockMonitor livelock;
  private long seq;
  private Set<String> breakingNow = Set.of();
  private boolean warnedTooBig;
  private int failedRounds;

  static Behavior<Command> create(WaitsDetector owner, WaitsDetector.Settings settings) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new DetectorAgent(ctx, timers, owner, settings).behavior()));
  }

  private DetectorAgent(ActorContext<Command> ctx, TimerScheduler<Command> timers, WaitsDetector owner,
      WaitsDetector.Settings settings) {
    this.ctx = ctx;
    this.owner = owner;
    this.settings = settings;
    this.detector = new DeadlockDetector(settings.detector().deadlock(List.of()), ids, epochNanos);
    this.breakingNow = settings.detector().breakDeadlocksIn();
    ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
    ActorRef<Receptionist.Listing> adapter = ctx.messageAdapter(Receptionist.Listing.class, Peers::new);
    ctx.getSystem().receptionist().tell(Receptionist.subscribe(KEY, adapter));
    timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.detector().scanInterval());
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(Peers.class, m -> {
          peers = m.listing().getServiceInstances(KEY);
          return Behaviors.same();
        })
        .onMessage(MemberFacts.class, this::onFacts)
        .onMessage(DenyRequest.class, this::onDeny)
        .onMessage(Tick.class, m -> onTick())
        .build();
  }

  private Behavior<Command> onFacts(MemberFacts m) {
    latest.put(m.member(), new Received(m.facts(), System.nanoTime()));
    agents.put(m.member(), m.from());
    return Behaviors.same();
  }

  private Behavior<Command> onTick() {
    long now = System.nanoTime();
    try {
      String self = owner.memberName();
      share(self, now);
      sampleLivelock(self, now);
      analyse(self, now);
      failedRounds = 0;
    } catch (RuntimeException e) {
      // A bug in one round must not stop the detector for good; say so once, not every second.
      if (failedRounds++ == 0) {
        ctx.getLog().error("waits detector: a round failed; it keeps trying every scan interval", e);
      }
    }
    return Behaviors.same();
  }

  /** Takes this member's facts and sends them to every agent (this one included). */
  private void share(String self, long now) {
    FactsText.Writer w = new FactsText.Writer(self, now);
    try {
      owner.feedMember(now, w);
    } catch (RuntimeException e) {
      ctx.getLog().error("waits detector: taking {}'s facts failed; none are sent this round", self, e);
      return;
    }
    String text = w.text();
    if (text.length() > settings.maxFactsBytes()) {
      if (!warnedTooBig) {
        ctx.getLog().warn("waits detector: {}'s facts are {} bytes, over jdlm.dlm-actors.detector.max-facts-bytes {};"
            + " its waits are left out until they shrink", self, text.length(), settings.maxFactsBytes());
        warnedTooBig = true;
      }
      return;
    }
    warnedTooBig = false;
    MemberFacts facts = new MemberFacts(self, ++seq, text, ctx.getSelf());
    for (ActorRef<Command> peer : peers) {
      peer.tell(facts);
    }
    if (!peers.contains(ctx.getSelf())) {
      onFacts(facts); // before the receptionist lists this agent
    }
  }

  private void analyse(String self, long now) {
    long stale = settings.staleAfter().toNanos();
    latest.values().removeIf(r -> now - r.atNanos() > stale);
    WaitGraph.Builder b = WaitGraph.builder();
    List<String> merged = new ArrayList<>();
    for (Map.Entry<String, Received> e : new java.util.TreeMap<>(latest).entrySet()) {
      try {
        FactsText.read(e.getValue().facts(), e.getValue().atNanos(), b);
        merged.add(e.getKey());
      } catch (RuntimeException ex) {
        ctx.getLog().warn("waits detector: {}'s facts were left out: {}", e.getKey(), ex.getMessage());
      }
    }
    Set<String> breaking = owner.breakLockspaces();
    if (!breaking.equals(breakingNow)) {
      detector.breakLockspaces(breaking);
      breakingNow = breaking;
    }
    DeadlockDetector.Round round = detector.detect(b.build(), now);
    boolean acting = DeadlockBreak.acts(self, merged);
    for (DeadlockDetector.DeadlockReport d : round.deadlocks()) {
      Set<String> vertices = new HashSet<>();
      d.knot().vertices().forEach(v -> vertices.add(v.name()));
      Optional<String> victim = d.victim().map(c -> c.victim().describe());
      owner.publish(new WaitsDetector.Report("DEADLOCK", d.id(), d.text(), vertices, victim, self));
      if (acting) {
        ctx.getLog().warn("waits detector:\n{}", d.text());
        d.victim().ifPresent(c -> askVictim(d.id(), c.victim()));
      }
    }
    for (DeadlockDetector.StallReport s : round.stalls()) {
      owner.publish(new WaitsDetector.Report("STALL", s.id(), s.text(), Set.of(s.task().name()), Optional.empty(), self));
      if (acting) {
        ctx.getLog().info("waits detector:\n{}", s.text());
      }
    }
  }

  /** The livelock monitor of this member's kernel (fs-cycles §5.0), when the member runs one. */
  private void sampleLivelock(String self, long now) {
    Kernel k = Dlm.get(ctx.getSystem()).kernel();
    if (k == null) {
      return;
    }
    if (livelock == null) {
      livelock = new LivelockMonitor(self, settings.detector().livelock(), List.of(KernelFacts.RECLAIM), ids);
    }
    for (LivelockMonitor.Report r : livelock.sample(now, KernelFacts.counters(k.memory().snapshot()))) {
      owner.publish(new WaitsDetector.Report("LIVELOCK", r.id(), r.text(), Set.of(r.operation()), Optional.empty(), self));
      ctx.getLog().warn("waits detector:\n{}", r.text());
    }
  }

  private void askVictim(String knotId, DlmRequest victim) {
    if (!ledger.firstAsk(knotId)) {
      return;
    }
    String member = victim.task().scope();
    ActorRef<Command> agent = agents.get(member);
    if (agent == null) {
      ctx.getLog().warn("waits detector: no agent of {} to deny {} ({})", member, victim.describe(), knotId);
      return;
    }
    agent.tell(new DenyRequest(knotId, victim.lockspace(), victim.lkbId(), victim.mode()));
  }

  private Behavior<Command> onDeny(DenyRequest m) {
    LockMode mode;
    long lockId;
    try {
      mode = LockMode.valueOf(m.mode());
      lockId = DlmWaits.parseHex(m.lkbId());
    } catch (IllegalArgumentException e) {
      ctx.getLog().warn("waits detector: bad deny request {}: {}", m, e.getMessage());
      return Behaviors.same();
    }
    Object handle = Dlm.get(ctx.getSystem()).lockspace(m.lockspace());
    if (!(handle instanceof LockspaceLocal local)) {
      ctx.getLog().info("waits detector: {}: lockspace {} is not joined here; victim {} left alone", m.knotId(),
          m.lockspace(), m.lkbId());
      return Behaviors.same();
    }
    DeadlockBreak.Decision d = local.denyDeadlocked(lockId, mode);
    if (d instanceof DeadlockBreak.Decision.Ignore i) {
      ctx.getLog().info("waits detector: {}: victim lkb {} in {} left alone: {}", m.knotId(), m.lkbId(),
          m.lockspace(), i.reason());
    } else {
      ctx.getLog().warn("waits detector: {}: denying lkb {} ({} on lockspace {}) with EDEADLK", m.knotId(),
          m.lkbId(), mode, m.lockspace());
    }
    return Behaviors.same();
  }
}
