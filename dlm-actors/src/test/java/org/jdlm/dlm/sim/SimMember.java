package org.jdlm.dlm.sim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jdlm.dlm.core.Coordination;
import org.jdlm.dlm.core.DirectoryTable;
import org.jdlm.dlm.core.JoinProbe;
import org.jdlm.dlm.core.MemberProtocol;
import org.jdlm.dlm.core.MemberRecovery;
import org.jdlm.dlm.core.MembershipView;
import org.jdlm.dlm.core.NodeId;
import org.jdlm.dlm.core.PhasePlan;
import org.jdlm.dlm.core.PhaseWork;
import org.jdlm.dlm.core.RecoveryPhase;
import org.jdlm.dlm.core.RecoveryRun;
import org.jdlm.dlm.core.RoutingTable;
import org.jdlm.dlm.core.StopBarrier;
import org.jdlm.dlm.directory.ResourceDirectory;
import org.jdlm.dlm.sim.LockspaceSim.Msg;
import org.jdlm.dlm.sim.LockspaceSim.Ref;
import org.jdlm.dlm.sim.LockspaceSim.Req;

/**
 * One simulated lockspace member over the cores the {@code Lockspace} actor runs: the membership
 * protocol ({@link MemberProtocol}, and through it {@link MembershipView}, {@link StopBarrier},
 * {@link Coordination}, {@link RecoveryRun} and {@link MemberRecovery}), join probing
 * ({@link JoinProbe}), the member's phase state machine ({@link PhaseWork}), the DIRECTORY plan
 * ({@link PhasePlan}), routing and directory records ({@link RoutingTable}, {@link DirectoryTable},
 * {@code ResourceDirectory}); the actor toolkit is replaced by {@link LockspaceSim}'s network,
 * timers and death watch, which carry out the protocol's effects. What is still a copy of the
 * actor's handlers: the dispatch of a message to its core, the MEMBERS/DIRECTORY/RESUME steps
 * around the cores, and routing; a change there in {@code Lockspace} must be made here too. A
 * change inside a core is checked at once.
 *
 * <p>Left out, because the cores they rest on are not part of this model: held locks and their
 * queues (a request is granted at once by its master with the next fencing token), so the
 * REMASTER, REBUILD_LOCKS and FINALIZE phases only pass their barriers; fencing (the authority
 * answers at once); the receptionist (members learn each other from join probes, Hellos and
 * StopAcks, which the protocol already requires to be enough).
 */
final class SimMember {

  final Ref self;
  private final LockspaceSim sim;
  final MembershipView<Ref, String> membership;
  private final StopBarrier<Ref> barrier;
  final DirectoryTable<String, Ref> dirTable = new DirectoryTable<>();

  /** The membership protocol over the cores below: the actor's very code for Hello, StopAck, cluster events, the barrier. */
  private final MemberProtocol<Ref, String> protocol;
  /** The member's phase (null while running), what it waits for and what it holds: the actor's core. */
  final PhaseWork<Ref, Msg> phases = new PhaseWork<>(2);
  JoinProbe<String> probe;
  // coordinator
  final Coordination<Ref> coordination;
  // member side of a run
  private Set<String> runDeparted = Set.of();
  // routing and mastering
  private ResourceDirectory directory;
  /** Resources this member masters: name -> {last token counter, last use (virtual ms)}. */
  final Map<String, long[]> children = new TreeMap<>();
  final RoutingTable<String, Ref, Req> routing = new RoutingTable<>();
  /** Requests this member issued and that are not granted yet, with the master each was last sent to. */
  final Map<Long, Req> pending = new LinkedHashMap<>();
  private final Map<Long, Ref> sentTo = new HashMap<>();
  final List<Msg> stash = new ArrayList<>();
  // timers (one pending tick each, as Behaviors.withTimers keys them)
  private boolean barrierTick;
  private boolean verifyTick;
  private boolean reprobeTick;
  private boolean tossTick;
  boolean alive = true;

  SimMember(Ref self, LockspaceSim sim) {
    this.self = self;
    this.sim = sim;
    Comparator<Ref> order = Comparator.comparing(Ref::address).thenComparingInt(Ref::uid);
    this.membership = sim.variant == LockspaceSim.Variant.BELIEVE_EVERY_TERMINATION
        ? MembershipView.believingEveryTermination(self, self.address(), Ref::address, a -> true, a -> a, order)
        : new MembershipView<>(self, self.address(), Ref::address, a -> true, a -> a, order);
    this.coordination = new Coordination<>(sim.clock());
    this.barrier = sim.variant == LockspaceSim.Variant.NO_BARRIER_RETRY
        ? StopBarrier.withoutAskingAgain() : new StopBarrier<>();
    this.protocol = new MemberProtocol<>(self, membership, barrier, coordination, phases,
        r -> new RecoveryRun.Member(r.address(), r.uid()), Ref::toString);
  }

  long generation() {
    return protocol.generation();
  }

  Set<Ref> view() {
    return membership.view();
  }

  boolean running() {
    return phases.running();
  }

  // ============================================================================ joining

  void start() {
    probe = JoinProbe.start(sim.upAddresses(), self.address());
    sendProbes();
    carryOut(protocol.start(probe.probing()));
  }

  private void sendProbes() {
    if (!probe.probing()) {
      return;
    }
    for (String address : probe.outstanding()) {
      sim.probe(self, address, true);
    }
    if (!reprobeTick) {
      reprobeTick = true;
      sim.timer(self, 1000, this::onReprobe);
    }
  }

  private void onReprobe() {
    reprobeTick = false;
    switch (probe.tick(sim.upAddresses())) {
      case FINISHED -> probeFinished();
      case ASK_AGAIN -> sendProbes();
      default -> { }
    }
  }

  private void onProbeReply(Msg.ProbeReply m) {
    boolean probing = probe.probing();
    carryOut(protocol.guardianAnswered(m.address(), m.member()));
    if (probing && probe.settled(m.address())) {
      probeFinished();
    }
  }

  /** The guardian at a node that is gone: its watch reports it terminated, so no member there. */
  private void onGuardianGone(Msg.GuardianGone m) {
    if (probe.settled(m.address())) {
      probeFinished();
    }
  }

  private void probeFinished() {
    carryOut(protocol.probeFinished());
  }

  // ============================================================================ membership (MemberProtocol)

  private void onTerminated(Msg.Terminated t) {
    carryOut(protocol.terminated(t.ref(), sim.nowNanos()));
  }

  private void verify(Ref ref) {
    sim.probe(self, ref.address(), false);
    if (!verifyTick) {
      verifyTick = true;
      sim.timer(self, 1000, this::onVerifyTick);
    }
  }

  private void onVerifyTick() {
    verifyTick = false;
    carryOut(protocol.verifyTick(sim.nowNanos(), LockspaceSim.JOIN_TIMEOUT_NANOS));
  }

  void onClusterEvent(LockspaceSim.ClusterEvent e) {
    carryOut(protocol.clusterEvent(e.address(), e.incarnation(), e.change(),
        e.change() == MembershipView.Change.DOWNED && sim.otherIncarnationAt(e.address(), e.incarnation()),
        e.address()));
  }

  private void onBarrierTick() {
    barrierTick = false;
    carryOut(protocol.barrierTick());
  }

  /** Carries out the protocol's effects over the simulated network, timers and death watch, as the actor does over Pekko. */
  private void carryOut(List<MemberProtocol.Effect<Ref>> effects) {
    for (MemberProtocol.Effect<Ref> effect : effects) {
      if (effect instanceof MemberProtocol.Watch<Ref> w) {
        sim.watch(self, w.member());
      } else if (effect instanceof MemberProtocol.SendHello<Ref> h) {
        tell(h.to(), new Msg.Hello(self, h.view(), h.generation()));
      } else if (effect instanceof MemberProtocol.SendStopAck<Ref> a) {
        tell(a.to(), new Msg.StopAck(self, view(), generation(), sorted(membership.ranWith()),
            List.copyOf(membership.failures().values())));
      } else if (effect instanceof MemberProtocol.SendRunPhase<Ref> r) {
        tell(r.to(), new Msg.RunPhase(r.generation(), r.phase(), sorted(view()), List.copyOf(coordination.departed())));
      } else if (effect instanceof MemberProtocol.Run<Ref> r) {
        perform(r.effects());
      } else if (effect instanceof MemberProtocol.FetchGeneration<Ref> f) {
        // The fencing authority answers at once (its latency is not simulated); the answer arrives as a message.
        long g = sim.advanceGeneration(f.fetch().atLeast());
        sim.local(self, 5, new Msg.GenerationReady(f.fetch(), f.fetch().change().withGeneration(g)));
      } else if (effect instanceof MemberProtocol.BarrierTimer) {
        if (!barrierTick) {
          barrierTick = true;
          sim.timer(self, LockspaceSim.BARRIER_RETRY_MS, this::onBarrierTick);
        }
      } else if (effect instanceof MemberProtocol.RunStarted<Ref> r) {
        sim.trace(self + " coordinates recovery " + r.change().generation() + " for " + sorted(view()));
      } else if (effect instanceof MemberProtocol.Verify<Ref> v) {
        verify(v.member());
      } else if (effect instanceof MemberProtocol.VerifyTimer) {
        if (!verifyTick) {
          verifyTick = true;
          sim.timer(self, 1000, this::onVerifyTick);
        }
      } else if (effect instanceof MemberProtocol.Log<Ref> l && l.message().startsWith("view changes")) {
        sim.trace(self + " " + l.message());
      }
      // FirstStop, RunWorkForgotten, PublishState, RetryGeneration and other logs: nothing modelled
    }
  }

  private void perform(List<RecoveryRun.Effect> effects) {
    for (RecoveryRun.Effect effect : effects) {
      if (effect instanceof RecoveryRun.RequestFencing f) {
        for (String node : f.nodes()) {
          sim.local(self, 20, new Msg.Fenced(f.generation(), node));
        }
      } else if (effect instanceof RecoveryRun.StartPhase p) {
        List<Ref> list = sorted(view());
        for (Ref member : sorted(view())) {
          tell(member, new Msg.RunPhase(p.generation(), p.phase(), list, List.copyOf(coordination.departed())));
        }
      }
    }
  }

  private void onFenced(Msg.Fenced m) {
    if (coordination.fencing(m.generation())) {
      perform(coordination.fenced(m.generation(), m.node()));
    }
  }

  private void onPhaseDone(Msg.PhaseDone m) {
    if (coordinator().equals(self)) {
      perform(coordination.phaseDone(m.from().address(), m.generation(), m.phase()));
    }
  }

  // ============================================================================ member side of a run

  private void onRunPhase(Msg.RunPhase m) {
    MemberProtocol.Step<Ref> step = protocol.runPhase(m.generation(), m.phase(), m.view());
    switch (step.action()) {
      case START_MEMBERS -> startMembersPhase(m);
      case START_PHASE -> {
        switch (m.phase()) {
          case DIRECTORY -> startDirectoryPhase();
          case REMASTER, REBUILD_LOCKS, FINALIZE -> {
            phases.enter(m.phase());
            maybePhaseDone();
          }
          case RESUME -> resume();
          default -> throw new IllegalStateException("no member work for phase " + m.phase());
        }
      }
      default -> { }
    }
    carryOut(step.effects());
  }

  private void startMembersPhase(Msg.RunPhase m) {
    phases.startRun(m.generation());
    protocol.adoptGeneration(m.generation());
    runDeparted = Set.copyOf(m.departed());
    directory = new ResourceDirectory(view().stream().map(r -> new NodeId(r.address())).toList());
    dirTable.newGeneration();
    routing.keepMastersIn(view()::contains);
    maybePhaseDone();
  }

  private void startDirectoryPhase() {
    phases.enter(RecoveryPhase.DIRECTORY);
    PhasePlan.registrations(sorted(view()), children.keySet(), Ref::address, this::dirNode).forEach((member, names) -> {
      if (member.equals(self)) {
        names.forEach(n -> dirTable.register(n, self));
      } else {
        phases.expect(1);
        tell(member, new Msg.Register(generation(), List.copyOf(names), self));
      }
    });
    phases.drainRegisters().forEach(r -> onRegister((Msg.Register) r));
    maybePhaseDone();
  }

  private void onRegister(Msg.Register m) {
    switch (phases.onRegister(m.generation(), generation())) {
      case HOLD -> phases.holdRegister(m);
      case APPLY -> {
        for (String name : m.names()) {
          dirTable.register(name, m.from());
        }
        tell(m.from(), new Msg.Registered(generation(), self));
      }
      default -> { }
    }
  }

  private void maybePhaseDone() {
    if (phases.reportDone()) {
      tell(coordinator(), new Msg.PhaseDone(phases.runGeneration(), phases.phase(), self));
    }
  }

  private void resume() {
    membership.running(generation(), runDeparted);
    long runGeneration = phases.runGeneration();
    phases.resume();
    sim.trace(self + " runs generation " + generation() + " with " + sorted(view()));
    for (Map.Entry<String, List<Req>> e : new TreeMap<>(routing.drainParked()).entrySet()) {
      for (Req req : e.getValue()) {
        route(e.getKey(), req);
      }
    }
    tell(coordinator(), new Msg.PhaseDone(runGeneration, RecoveryPhase.RESUME, self));
    List<Msg> held = new ArrayList<>(stash);
    stash.clear();
    for (Msg msg : held) {
      receive(msg); // a replayed message may stop this member again: the rest is stashed anew
    }
    // Requests in flight to a master that departed go to the new one, behind the replay (step 17).
    for (Req req : List.copyOf(pending.values())) {
      Ref to = sentTo.get(req.id());
      if (to != null && !view().contains(to)) {
        sentTo.remove(req.id());
        receive(new Msg.RouteLocal(req.name(), req));
      }
    }
  }

  // ============================================================================ routing (semantics §5)

  void request(String name) {
    Req req = new Req(sim.nextRequestId(), self, name);
    pending.put(req.id(), req);
    sim.issued(req);
    receive(new Msg.RouteLocal(name, req));
  }

  private void route(String name, Req req) {
    RoutingTable.Route<Ref> to = routing.route(name, req, req.owner(), self, children.containsKey(name),
        () -> dirNode(name).equals(self.address()), dirTable);
    if (to instanceof RoutingTable.ToResource) {
      grant(name, req);
    } else if (to instanceof RoutingTable.ToMaster<Ref> m) {
      sentTo.put(req.id(), m.master());
      tell(m.master(), new Msg.AtMaster(name, req));
    } else if (to instanceof RoutingTable.BecomeMaster<Ref> b) {
      becomeMaster(name, b.tokenFloor());
      grant(name, req);
    } else if (to instanceof RoutingTable.AskDirectory) {
      tell(memberAt(dirNode(name)), new Msg.Lookup(generation(), name, self));
    } else if (to instanceof RoutingTable.BackToOwner) {
      tell(req.owner(), new Msg.NotMaster(name, req));
    }
  }

  private void becomeMaster(String name, long tokenFloor) {
    children.put(name, new long[] {tokenFloor, sim.now()});
    routing.mastered(name, self);
  }

  private void grant(String name, Req req) {
    long[] child = children.get(name);
    child[0]++;
    child[1] = sim.now();
    sim.granted(self, name, generation(), child[0]);
    tell(req.owner(), new Msg.Granted(req, generation(), child[0]));
  }

  private void onGranted(Msg.Granted m) {
    if (pending.remove(m.req().id()) != null) {
      sentTo.remove(m.req().id());
      sim.completed(m.req());
    }
  }

  private void onLookup(Msg.Lookup m) {
    if (m.generation() != generation()) {
      return;
    }
    Ref master = dirTable.masterOf(m.name(), m.requester());
    tell(m.requester(), new Msg.LookupReply(generation(), m.name(), master, dirTable.tokenFloor()));
  }

  private void onLookupReply(Msg.LookupReply m) {
    if (m.generation() != generation()) {
      return;
    }
    List<Req> parked = routing.answered(m.name());
    if (parked == null) {
      return;
    }
    routing.mastered(m.name(), m.master());
    if (m.master().equals(self) && !children.containsKey(m.name())) {
      becomeMaster(m.name(), m.tokenFloor());
    }
    for (Req req : parked) {
      route(m.name(), req);
    }
  }

  private void onRemove(Msg.Remove m) {
    if (m.generation() == generation()) {
      dirTable.removed(m.name(), m.master(), m.lastTokenCounter());
    }
  }

  /** The toss timer: a resource unused for the toss delay is dropped and its directory node told (semantics §5). */
  void startTossTimer() {
    if (!tossTick) {
      tossTick = true;
      sim.timer(self, 1000, this::onTossTick);
    }
  }

  private void onTossTick() {
    tossTick = false;
    if (phases.running()) {
      for (String name : List.copyOf(children.keySet())) {
        long[] child = children.get(name);
        if (sim.now() - child[1] < LockspaceSim.TOSS_DELAY_MS) {
          continue;
        }
        children.remove(name);
        routing.forget(name);
        String dirNode = dirNode(name);
        if (dirNode.equals(self.address())) {
          dirTable.tossedHere(name, self, child[0]);
        } else {
          tell(memberAt(dirNode), new Msg.Remove(generation(), name, self, child[0]));
        }
      }
    }
    if (!children.isEmpty()) {
      startTossTimer();
    }
  }

  // ============================================================================ dispatch

  void receive(Msg msg) {
    if (!alive) {
      return;
    }
    if (!phases.running() && msg.lockTraffic()) {
      stash.add(msg); // semantics §6.2: parked in arrival order until RESUME
      return;
    }
    if (msg instanceof Msg.Hello m) {
      carryOut(protocol.hello(m.from(), m.view(), m.generation()));
    } else if (msg instanceof Msg.StopAck m) {
      carryOut(protocol.stopAck(m.from(), new StopBarrier.Ack<>(m.view(), m.generation(), m.lastView(), m.failed())));
    } else if (msg instanceof Msg.RunPhase m) {
      onRunPhase(m);
    } else if (msg instanceof Msg.PhaseDone m) {
      onPhaseDone(m);
    } else if (msg instanceof Msg.Register m) {
      onRegister(m);
    } else if (msg instanceof Msg.Registered m) {
      phases.answered(m.generation(), RecoveryPhase.DIRECTORY, null);
      maybePhaseDone();
    } else if (msg instanceof Msg.ProbeReply m) {
      onProbeReply(m);
    } else if (msg instanceof Msg.GuardianGone m) {
      onGuardianGone(m);
    } else if (msg instanceof Msg.Terminated m) {
      onTerminated(m);
    } else if (msg instanceof Msg.GenerationReady m) {
      carryOut(protocol.generationReady(m.fetch(), m.change(), null));
    } else if (msg instanceof Msg.Fenced m) {
      onFenced(m);
    } else if (msg instanceof Msg.RouteLocal m) {
      route(m.name(), m.req());
    } else if (msg instanceof Msg.AtMaster m) {
      if (!membership.outsideView(m.req().owner())) {
        route(m.name(), m.req()); // semantics §6.2: traffic from a departed member is not replayed
      }
    } else if (msg instanceof Msg.NotMaster m) {
      routing.forget(m.name());
      route(m.name(), m.req());
    } else if (msg instanceof Msg.Granted m) {
      onGranted(m);
    } else if (msg instanceof Msg.Lookup m) {
      onLookup(m);
    } else if (msg instanceof Msg.LookupReply m) {
      onLookupReply(m);
    } else if (msg instanceof Msg.Remove m) {
      onRemove(m);
    } else {
      throw new IllegalStateException("no handler for " + msg);
    }
    if (!children.isEmpty()) {
      startTossTimer();
    }
  }

  // ============================================================================ helpers

  private Ref coordinator() {
    return membership.coordinator();
  }

  private String dirNode(String name) {
    return directory.directoryNode(name.getBytes(StandardCharsets.ISO_8859_1)).name();
  }

  private Ref memberAt(String address) {
    for (Ref member : sorted(view())) {
      if (member.address().equals(address)) {
        return member;
      }
    }
    throw new IllegalStateException("directory node " + address + " is not in the view " + view());
  }

  private void tell(Ref to, Msg msg) {
    sim.send(self, to, msg);
  }

  List<Ref> sorted(Set<Ref> refs) {
    return membership.sorted(refs);
  }

  @Override
  public String toString() {
    return self + " " + phases + " gen " + generation() + " view " + sorted(view())
        + " masters " + children.keySet() + " dir " + new TreeMap<>(dirTable.records()) + " pending "
        + pending.keySet() + " stash " + stash.size();
  }
}
