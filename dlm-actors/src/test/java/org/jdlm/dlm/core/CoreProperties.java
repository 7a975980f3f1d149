package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Random operation sequences through owners and one master, with messages held in flight at
 * random, node purges (a dead node's PERSISTENT locks become orphans), orphan adoptions and
 * master deaths. After every step the master and every owner check their
 * invariants (via {@link MiniCluster}); at the end the owners' and the master's views must agree
 * ({@code NoLostGrant}), tokens must never have gone backwards ({@code FenceMonotonic}), and
 * unlocking everything must drain the resource with a final CAST for every lock.
 */
class CoreProperties {

  enum Kind { LOCK, CONVERT, UNLOCK, FORCEUNLOCK, CANCEL, HOLD, RELEASE, PURGE, KILL_MASTER, CLOSE_PROCESS, ADOPT }

  record Op(Kind kind, int node, int lock, LockMode mode, Set<LockFlag> flags) {}

  private static final String RES = "R";
  private static final List<LockFlag> FLAG_POOL = List.of(LockFlag.NOQUEUE, LockFlag.VALBLK, LockFlag.QUECVT,
      LockFlag.CONVDEADLK, LockFlag.NODLCKWT, LockFlag.HEADQUE, LockFlag.NOORDER, LockFlag.ALTPR, LockFlag.ALTCW,
      LockFlag.NOQUEUEBAST, LockFlag.IVVALBLK, LockFlag.EXPEDITE, LockFlag.PERSISTENT);

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Kind> kinds = Arbitraries.frequency(
        net.jqwik.api.Tuple.of(10, Kind.LOCK), net.jqwik.api.Tuple.of(10, Kind.CONVERT),
        net.jqwik.api.Tuple.of(6, Kind.UNLOCK), net.jqwik.api.Tuple.of(1, Kind.FORCEUNLOCK),
        net.jqwik.api.Tuple.of(3, Kind.CANCEL), net.jqwik.api.Tuple.of(2, Kind.HOLD),
        net.jqwik.api.Tuple.of(2, Kind.RELEASE), net.jqwik.api.Tuple.of(1, Kind.PURGE),
        net.jqwik.api.Tuple.of(1, Kind.KILL_MASTER), net.jqwik.api.Tuple.of(1, Kind.CLOSE_PROCESS),
        net.jqwik.api.Tuple.of(2, Kind.ADOPT));
    Arbitrary<Set<LockFlag>> someFlags = Arbitraries.of(FLAG_POOL).set().ofMinSize(1).ofMaxSize(2)
        .map(s -> (Set<LockFlag>) EnumSet.copyOf(s));
    Arbitrary<Set<LockFlag>> flags = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, Arbitraries.just((Set<LockFlag>) EnumSet.noneOf(LockFlag.class))),
        net.jqwik.api.Tuple.of(2, someFlags));
    Arbitrary<Op> op = Combinators.combine(kinds, Arbitraries.integers().between(0, 3),
        Arbitraries.integers().between(0, 11), Arbitraries.of(LockMode.class), flags).as(Op::new);
    return op.list().ofMinSize(15).ofMaxSize(80);
  }

  /** Drives a {@link MiniCluster}; node n0 masters the resource until KILL_MASTER moves it. */
  static final class Driver {
    final MiniCluster cluster = new MiniCluster();
    final List<LockId> issued = new ArrayList<>();
    final Map<LockId, String> finalCast = new HashMap<>();
    final Set<String> deadNodes = new HashSet<>();
    String masterNode = "n0";
    FencingToken newestSeen;
    final Map<LockId, FencingToken> lockToken = new HashMap<>();
    /** Tokens held by orphans: an adoption continues the orphan's tenure with the same token. */
    final Set<FencingToken> orphanTokens = new HashSet<>();

    Driver() {
      for (int i = 0; i < 4; i++) {
        cluster.node("n" + i);
      }
    }

    OwnerLocks owner(int i) {
      return cluster.owners.get(nodeName(i));
    }

    String nodeName(int i) {
      return "n" + i;
    }

    void apply(Op op) {
      OwnerLocks owner = owner(op.node());
      if (owner == null && op.kind() != Kind.RELEASE) {
        return; // that node is dead
      }
      LockId target = owner == null ? null : pickOwn(owner, op.lock());
      byte[] lvb = op.flags().contains(LockFlag.VALBLK) ? new byte[] {(byte) op.lock(), (byte) op.node()} : null;
      switch (op.kind()) {
        case LOCK -> {
          OwnerResult r = cluster.submit(owner.lock(RES, op.mode(), op.flags(), lvb, op.lock() % 3 != 0, op.node()));
          if (r instanceof OwnerResult.Accepted a && !issued.contains(a.lock())) {
            issued.add(a.lock());
          }
        }
        case CONVERT -> {
          if (target != null) {
            cluster.submit(owner.convert(target, op.mode(), op.flags(), lvb));
          }
        }
        case UNLOCK -> {
          if (target != null) {
            cluster.submit(owner.unlock(target, EnumSet.noneOf(LockFlag.class), lvb));
          }
        }
        case FORCEUNLOCK -> {
          if (target != null) {
            cluster.submit(owner.unlock(target, EnumSet.of(LockFlag.FORCEUNLOCK), null));
          }
        }
        case CANCEL -> {
          if (target != null) {
            cluster.submit(owner.cancel(target));
          }
        }
        case HOLD -> cluster.hold();
        case RELEASE -> cluster.release();
        case PURGE -> purge(op.node());
        case KILL_MASTER -> killMaster();
        case CLOSE_PROCESS -> cluster.send(owner.closeProcess(op.node()));
        case ADOPT -> {
          OwnerResult r = cluster.submit(owner.lock(RES, op.mode(), EnumSet.of(LockFlag.ORPHAN), null, op.lock() % 2 == 0,
              op.node()));
          if (r instanceof OwnerResult.Accepted a && !issued.contains(a.lock())) {
            issued.add(a.lock());
          }
        }
      }
      observe();
    }

    int converting;
    int waiting;
    int granted;

    private LockId pickOwn(OwnerLocks owner, int index) {
      // Mostly live locks (so operations do something), sometimes any id this node issued.
      List<LockId> own = new ArrayList<>();
      for (OwnerLockView v : owner.views()) {
        if (v.state() != OwnerLockState.DESTROYED || index % 5 == 0) {
          own.add(v.lock());
        }
      }
      return own.isEmpty() ? null : own.get(index % own.size());
    }

    /** A non-master node dies: the surviving master purges its locks (steps 9, 12, 18). */
    void purge(int node) {
      String name = "n" + node;
      if (name.equals(masterNode) || cluster.owners.size() <= 1) {
        return;
      }
      cluster.release();
      observe(); // the grants released just now come before the orphans' tokens are set aside
      cluster.owners.remove(name);
      deadNodes.add(name);
      cluster.inFlight.removeIf(op -> op.lock().owner().name().equals(name));
      ResourceState master = cluster.master(RES);
      List<Effect> purged = master.purgeNodes(Set.of(new NodeId(name)), deadNodes.size() + 1);
      master.checkInvariants();
      for (Effect e : purged) {
        assertThat(e).isInstanceOfAny(Effect.Purged.class, Effect.Orphaned.class);
        if (e instanceof Effect.Orphaned o) {
          LockView orphan = master.lock(o.orphan()).orElseThrow();
          assertThat(orphan.queue()).isEqualTo(ResourceState.Queue.GRANTED);
          assertThat(orphan.flags()).contains(LockFlag.PERSISTENT);
          assertThat(master.lock(o.lock())).isEmpty();
          orphanTokens.add(orphan.token());
        }
      }
      for (LockView v : master.queue(ResourceState.Queue.GRANTED)) {
        assertThat(v.lock().owner().name()).as("a dead node's lock survived unorphaned").isNotEqualTo(name);
      }
      master.finishRecovery(false);
      route(master.grantAfterRecovery());
    }

    /** The master node dies: survivors rebuild the resource on a new master (steps 8-12, 17, 18). */
    void killMaster() {
      if (cluster.owners.size() <= 1) {
        return;
      }
      cluster.release();
      String dead = masterNode;
      cluster.owners.remove(dead);
      deadNodes.add(dead);
      cluster.inFlight.clear(); // messages to the dead master are lost
      masterNode = cluster.owners.keySet().iterator().next();
      for (OwnerLocks o : cluster.owners.values()) {
        o.suspendCallbacks();
        o.masterLost(RES);
      }
      long generation = cluster.master(RES).tokenGeneration() + 1;
      ResourceState fresh = new ResourceState(RES, MiniCluster.LVBLEN, generation);
      for (OwnerLocks o : cluster.owners.values()) {
        for (RecoveredLock rl : o.locksToResend(RES)) {
          fresh.addRecoveredLock(rl);
        }
      }
      fresh.finishRecovery(true);
      fresh.checkInvariants();
      cluster.masters.put(RES, fresh);
      List<MasterOp> resend = new ArrayList<>();
      for (OwnerLocks o : cluster.owners.values()) {
        resend.addAll(o.resendAfterRecovery(RES));
        o.checkInvariants();
      }
      route(fresh.grantAfterRecovery());
      for (OwnerLocks o : cluster.owners.values()) {
        o.resumeCallbacks();
      }
      cluster.send(resend);
    }

    void route(List<Effect> effects) {
      for (Effect e : effects) {
        cluster.effects.add(e);
        OwnerLocks o = cluster.owners.get(e.owner().name());
        if (o != null) {
          cluster.inFlight.addAll(o.onEffect(e));
          o.checkInvariants();
        }
      }
      cluster.pump();
    }

    /** FenceMonotonic over every CAST: a token is either the lock's own kept one or newer than all before. */
    void observe() {
      for (Effect e : cluster.effects) {
        if (e instanceof Effect.Queued q) {
          if (q.conversion()) {
            converting++;
          } else {
            waiting++;
          }
        }
        if (e instanceof Effect.Completion c && c.status() == CastStatus.OK) {
          granted++;
        }
        if (e instanceof Effect.Completion c && c.status() == CastStatus.OK) {
          FencingToken t = c.token();
          assertThat(t).as("granted CAST without token: %s", c).isNotNull();
          FencingToken own = lockToken.get(c.lock());
          if (!t.equals(own) && !orphanTokens.remove(t)) {
            assertThat(t.isNewerThan(newestSeen)).as("token %s after %s", t, newestSeen).isTrue();
            newestSeen = t;
          }
          lockToken.put(c.lock(), t);
        }
        if (e instanceof Effect.Completion c && c.status() != CastStatus.OK && c.grantedMode() == null) {
          finalCast.put(c.lock(), c.status().name());
        }
      }
      cluster.effects.clear();
    }

    /** NoLostGrant: with nothing in flight, every live process copy sits on the master as it believes. */
    void assertOwnersAndMasterAgree() {
      cluster.release();
      ResourceState master = cluster.master(RES);
      Set<LockId> onMaster = new HashSet<>();
      for (ResourceState.Queue q : ResourceState.Queue.values()) {
        for (LockView v : master.queue(q)) {
          if (v.lock().owner().isOrphanOwner()) {
            assertThat(q).as("an orphan is only ever granted\n%s", master.dump()).isEqualTo(ResourceState.Queue.GRANTED);
            continue; // a dead node's orphan: no owner copy anywhere until a node adopts it
          }
          onMaster.add(v.lock());
          OwnerLocks o = cluster.owners.get(v.lock().owner().name());
          assertThat(o).as("master holds %s of a dead node\n%s", v.lock(), master.dump()).isNotNull();
          OwnerLockView ov = o.view(v.lock()).orElseThrow(
              () -> new AssertionError("master holds " + v.lock() + " unknown to its owner\n" + master.dump()));
          OwnerLockState expected = switch (q) {
            case GRANTED -> OwnerLockState.GRANTED;
            case CONVERTING -> OwnerLockState.CONVERT_QUEUED;
            case WAITING -> OwnerLockState.WAITING;
          };
          assertThat(ov.state()).as("%s\n%s%s", v, master.dump(), o.dump()).isEqualTo(expected);
          // A queued conversion demoted later by a pending pass (CONVDEADLK) is only reported
          // to its owner with the final CAST, as in the kernel.
          boolean demotedWhileQueued = q == ResourceState.Queue.CONVERTING && v.sbflags().demoted()
              && v.granted() == LockMode.NL;
          if (q != ResourceState.Queue.WAITING && !demotedWhileQueued) {
            assertThat(ov.granted()).as("%s\n%s", v, master.dump()).isEqualTo(v.granted());
          }
        }
      }
      for (OwnerLocks o : cluster.owners.values()) {
        for (OwnerLockView ov : o.views()) {
          if (ov.state() != OwnerLockState.DESTROYED) {
            assertThat(onMaster).as("owner's %s %s is not on the master\n%s", ov.lock(), ov.state(), master.dump())
                .contains(ov.lock());
          }
        }
      }
    }

    /** Unlock everything that lives, until nothing does: every lock must end with a final CAST. */
    void drain() {
      for (int round = 0; round < 50; round++) {
        boolean any = false;
        // A dead node's orphans end only through adoption: the first live node adopts each, in its mode.
        OwnerLocks adopter = cluster.owners.values().iterator().next();
        for (LockView v : cluster.master(RES).queue(ResourceState.Queue.GRANTED)) {
          if (v.lock().owner().isOrphanOwner()) {
            any = true;
            OwnerResult r = cluster.submit(adopter.lock(RES, v.granted(), EnumSet.of(LockFlag.ORPHAN), null, true, 99));
            if (r instanceof OwnerResult.Accepted a) {
              issued.add(a.lock());
            } else {
              // the adopter's own process-exit orphans in another mode answer first (TV-61); they go below
              assertThat(r.status()).as("adopting %s\n%s", v, cluster.master(RES).dump()).isEqualTo(SyncStatus.EAGAIN);
            }
          }
        }
        for (OwnerLocks o : List.copyOf(cluster.owners.values())) {
          for (OwnerLockView v : o.views()) {
            if (v.state() != OwnerLockState.DESTROYED) {
              any = true;
              cluster.submit(o.unlock(v.lock(), EnumSet.of(LockFlag.FORCEUNLOCK), null));
            }
          }
        }
        observe();
        if (!any) {
          break;
        }
      }
      assertThat(cluster.master(RES).isUnused()).as(cluster.master(RES).dump()).isTrue();
      for (LockId id : issued) {
        if (!deadNodes.contains(id.owner().name())) {
          assertThat(cluster.owners.get(id.owner().name()).state(id)).contains(OwnerLockState.DESTROYED);
        }
      }
    }
  }

  @Property(tries = 300)
  void randomOperationsKeepEveryInvariant(@ForAll("ops") List<Op> ops) {
    Driver d = new Driver();
    for (Op op : ops) {
      d.apply(op);
    }
    d.observe();
    net.jqwik.api.statistics.Statistics.label("convert queued").collect(d.converting > 0);
    net.jqwik.api.statistics.Statistics.label("wait queued").collect(d.waiting > 0);
    net.jqwik.api.statistics.Statistics.label("master killed").collect(!d.masterNode.equals("n0"));
    d.assertOwnersAndMasterAgree();
    d.drain();
  }

  @Property(tries = 200)
  void everyRequestEndsInACastOrStaysInExactlyOneQueue(@ForAll("ops") List<Op> ops) {
    Driver d = new Driver();
    for (Op op : ops) {
      if (op.kind() != Kind.KILL_MASTER && op.kind() != Kind.PURGE) {
        d.apply(op);
      }
    }
    d.cluster.release();
    d.observe();
    ResourceState master = d.cluster.master(RES);
    for (LockId id : d.issued) {
      int queues = 0;
      for (ResourceState.Queue q : ResourceState.Queue.values()) {
        for (LockView v : master.queue(q)) {
          if (v.lock().equals(id)) {
            queues++;
          }
        }
      }
      boolean ended = d.finalCast.containsKey(id);
      assertThat(queues + (ended ? 1 : 0)).as("%s: on %d queues, final CAST %s\n%s", id, queues,
          d.finalCast.get(id), master.dump()).isEqualTo(1);
    }
  }

  @Property(tries = 200)
  void masterTokensNeverDecrease(@ForAll @Size(max = 80) List<@net.jqwik.api.constraints.IntRange(min = 0, max = 59) Integer> script) {
    // A denser single-master workload straight on ResourceState: lastToken is monotonic and
    // every granted lock's token is at most lastToken (checkInvariants), across generation raises.
    ResourceState r = new ResourceState("R", 8, 1);
    FencingToken last = null;
    long next = 1;
    List<LockId> ids = new ArrayList<>();
    for (int step : script) {
      LockMode mode = LockMode.ofValue(step % 6);
      int kind = step / 6;
      if (kind <= 3 || ids.isEmpty()) {
        LockId id = new LockId(new NodeId("n"), next++);
        ids.add(id);
        r.request(id, mode, EnumSet.noneOf(LockFlag.class), null, true);
      } else if (kind <= 6) {
        r.convert(ids.get(step % ids.size()), mode, EnumSet.noneOf(LockFlag.class), null);
      } else if (kind <= 8) {
        r.unlock(ids.get(step % ids.size()), EnumSet.noneOf(LockFlag.class), null);
      } else {
        r.raiseTokenGeneration(r.tokenGeneration() + (step % 2));
      }
      r.checkInvariants();
      FencingToken now = r.lastToken();
      if (last != null) {
        assertThat(now).isNotNull();
        assertThat(now.compareTo(last)).isGreaterThanOrEqualTo(0);
      }
      last = now;
    }
  }

  @Property(tries = 100)
  void copyIsIndependentAndEqualInContent(@ForAll("ops") List<Op> ops) {
    Driver d = new Driver();
    for (Op op : ops) {
      if (op.kind() != Kind.KILL_MASTER) {
        d.apply(op);
      }
    }
    d.cluster.release();
    ResourceState master = d.cluster.master(RES);
    ResourceState copy = master.copy();
    copy.checkInvariants();
    assertThat(copy.dump()).isEqualTo(master.dump());
    copy.request(new LockId(new NodeId("zz"), 1), LockMode.EX, EnumSet.noneOf(LockFlag.class), null, true);
    assertThat(master.lock(new LockId(new NodeId("zz"), 1))).isEmpty();
  }
}
