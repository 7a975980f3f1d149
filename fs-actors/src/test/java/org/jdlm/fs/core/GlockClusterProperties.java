package org.jdlm.fs.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.jdlm.dlm.core.Effect;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockId;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.core.ModeTables;
import org.jdlm.dlm.core.NodeId;
import org.jdlm.dlm.core.ResourceState;
import org.jdlm.kernel.core.GfpMask;

/**
 * Random holder / BAST / reply / timer / put / shrink sequences on one glock name shared by three
 * nodes, over the real DLM master core ({@link ResourceState}) with messages held in flight at
 * random. After every step: each glock's own invariants, the master's, and these cluster-wide
 * checks written independently of the glock core:
 * <ul>
 *   <li>{@code MutualExclusion}: holders granted on different nodes hold DLM-compatible states;
 *       holders granted on one node are all of one kind (SH, DF, or EX alone / all NODE_SCOPE).</li>
 *   <li>{@code CoveredGrant}: a granted holder's request is served by its glock's state.</li>
 *   <li>{@code SingleFlight}: no DLM request is sent while one is outstanding for the node.</li>
 *   <li>{@code MinHoldTime}: a demote for a remote request that arrived while holders were queued
 *       on an inode glock starts no sooner than the minimum hold time after the last state change,
 *       unless a later request without holders or a local demote (NOCACHE, shrinker) allowed it.</li>
 *   <li>{@code NoLostGrant}: an idle glock's state is what the master granted its lock.</li>
 *   <li>{@code RefsAgree}, {@code LruUnused}: references and LRU membership match the driver's.</li>
 * </ul>
 * At the end every holder is released, every reference put and the LRU shrunk: all waiters must
 * have been answered, every glock freed, and the master left with no lock (every DLM lock unlocked).
 */
class GlockClusterProperties {

  enum Kind { ENQUEUE, DEQUEUE, GET, PUT, TO_MASTER, TO_NODE, GLOPS, WORK, ADVANCE, SHRINK, DIRTY, DELETE_DONE }

  record Op(Kind kind, int node, int a, int b, int c) {}

  private static final HolderFlag[] FLAG_POOL = {HolderFlag.TRY, HolderFlag.TRY_1CB, HolderFlag.ANY, HolderFlag.EXACT,
      HolderFlag.NOCACHE, HolderFlag.NODE_SCOPE, HolderFlag.SKIP};

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Kind> kinds = Arbitraries.frequency(Tuple.of(10, Kind.ENQUEUE), Tuple.of(7, Kind.DEQUEUE),
        Tuple.of(2, Kind.GET), Tuple.of(3, Kind.PUT), Tuple.of(12, Kind.TO_MASTER), Tuple.of(12, Kind.TO_NODE),
        Tuple.of(5, Kind.GLOPS), Tuple.of(6, Kind.WORK), Tuple.of(5, Kind.ADVANCE), Tuple.of(2, Kind.SHRINK),
        Tuple.of(1, Kind.DIRTY), Tuple.of(2, Kind.DELETE_DONE));
    Arbitrary<Op> op = Combinators.combine(kinds, Arbitraries.integers().between(0, 2),
        Arbitraries.integers().between(0, 99), Arbitraries.integers().between(0, 127),
        Arbitraries.integers().between(0, 3)).as(Op::new);
    return op.list().ofMinSize(20).ofMaxSize(150);
  }

  @Property(tries = 300)
  void inodeGlockAcrossThreeNodesKeepsEveryInvariant(@ForAll("ops") List<Op> ops) {
    new Cluster(GlockName.of(GlockType.INODE, 0x1c00)).run(ops);
  }

  /** iopen glocks with the inode attached: remote unlock requests queue delete work (fs-cycles §2.2). */
  @Property(tries = 150)
  void iopenGlockAcrossThreeNodesKeepsEveryInvariant(@ForAll("ops") List<Op> ops) {
    new Cluster(GlockName.of(GlockType.IOPEN, 0x1c00)).run(ops);
  }

  @Property(tries = 150)
  void rgrpGlockAcrossThreeNodesKeepsEveryInvariant(@ForAll("ops") List<Op> ops) {
    new Cluster(GlockName.of(GlockType.RGRP, 0x11)).run(ops);
  }

  static final class Node {
    final NodeId id;
    final GlockLru lru;
    GlockCore gl;
    LockId lock;
    long lockSeq;
    int refs;
    boolean outstanding;
    boolean deleteWorkQueued;
    long nextHolder = 1;
    final ArrayDeque<GlockEffect> toMaster = new ArrayDeque<>();
    final ArrayDeque<Effect> fromMaster = new ArrayDeque<>();
    GlockState lastState = GlockState.UN;
    long lastStateChange;
    boolean wasDemoting;
    long earliestDemote = Long.MAX_VALUE;

    Node(String name, ManualClock clock) {
      id = new NodeId(name);
      lru = new GlockLru(new GlockLru.Settings(100, 128, 0), clock);
    }
  }

  static final class Cluster {
    final GlockName name;
    final GlockSettings settings = GlockSettings.defaults();
    final ResourceState master;
    final ManualClock clock = new ManualClock();
    final List<Node> nodes = new ArrayList<>();
    final List<String> trace = new ArrayList<>();
    /** The last events (effects and deliveries), for the failure report. */
    final ArrayDeque<String> recent = new ArrayDeque<>();
    int grants;
    int basts;
    int demotes;
    int frees;

    void note(String event) {
      if (recent.size() == 80) {
        recent.poll();
      }
      recent.add("t=" + now() + " " + event);
    }

    Cluster(GlockName name) {
      this.name = name;
      this.master = new ResourceState(name.dlmResourceName(), 32, 1);
      for (int i = 0; i < 3; i++) {
        nodes.add(new Node("n" + i, clock));
      }
    }

    long now() {
      return clock.millis;
    }

    void run(List<Op> ops) {
      try {
        for (Op op : ops) {
          trace.add("t=" + now() + " " + op);
          step(op);
          check();
        }
        drain();
        // Shows the runs are not vacuous: grants, callbacks, demotes and frees all happen.
        Statistics.label("grants").collect(grants > 0);
        Statistics.label("basts").collect(basts > 0);
        Statistics.label("demotes").collect(demotes > 0);
        Statistics.label("frees").collect(frees > 0);
        Statistics.label("grants").coverage(c -> c.check(true).percentage(p -> p >= 70));
        Statistics.label("basts").coverage(c -> c.check(true).percentage(p -> p >= 50));
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(e.getMessage() + "\ntrace:\n" + String.join("\n", trace) + "\nlast events:\n"
            + String.join("\n", recent) + "\n" + dumps(), e);
      }
    }

    String dumps() {
      StringBuilder sb = new StringBuilder();
      for (Node n : nodes) {
        sb.append(n.id.name()).append(": ").append(n.gl == null ? "(no glock)\n" : GlockDump.format(n.gl, now()));
      }
      return sb.toString();
    }

    // ------------------------------------------------------------------ steps

    void step(Op op) {
      Node n = nodes.get(op.node());
      switch (op.kind()) {
        case ENQUEUE:
          enqueue(n, op);
          break;
        case DEQUEUE:
          if (n.gl != null && !n.gl.isDead() && !n.gl.holders().isEmpty()) {
            dequeue(n, n.gl.holders().get(op.a() % n.gl.holders().size()));
          }
          break;
        case GET:
          lookup(n);
          break;
        case PUT:
          if (n.refs > 0) {
            n.refs--;
            apply(n, op.a() % 2 == 0 ? n.gl.put(now()) : n.gl.putAsync(now()));
          }
          break;
        case TO_MASTER:
          toMaster(n);
          break;
        case TO_NODE:
          toNode(n);
          break;
        case GLOPS:
          if (n.gl != null && n.gl.phase() instanceof GlockPhase.InFlight
              && ((GlockPhase.InFlight) n.gl.phase()).stage() == GlockPhase.Stage.GLOPS) {
            apply(n, n.gl.glopsDone(now()));
          }
          break;
        case WORK:
          fireWork(n);
          break;
        case ADVANCE:
          clock.millis += op.a() * 3L;
          break;
        case SHRINK:
          shrink(n);
          break;
        case DELETE_DONE:
          if (n.deleteWorkQueued) {
            n.deleteWorkQueued = false;
            apply(n, n.gl.deleteWorkDone(now()));
          }
          break;
        case DIRTY:
          if (n.gl != null && !n.gl.holders().isEmpty() && n.gl.holders().get(0).granted()
              && n.gl.holders().get(0).state() == GlockState.EX) {
            apply(n, n.gl.markDirty());
          }
          break;
        default:
          throw new AssertionError(op);
      }
    }

    /** gfs2_glock_get: find or create; a dying glock must be waited for, so the caller backs off. */
    boolean lookup(Node n) {
      if (n.gl == null) {
        n.gl = GlockCore.create(name, settings, now());
        n.refs = 1;
        if (name.type() == GlockType.IOPEN) {
          n.gl.attachObject(new GlockObject.Inode(21, name.number(), 8, 0, 0, 0, 0, false));
        }
        n.lastState = GlockState.UN;
        n.lastStateChange = now();
        n.wasDemoting = false;
        n.earliestDemote = Long.MAX_VALUE;
        return true;
      }
      if (n.gl.isDead()) {
        return false;
      }
      n.refs++;
      apply(n, n.gl.get());
      return true;
    }

    void dequeue(Node n, Holder h) {
      if (h.granted() && h.flags().contains(HolderFlag.NOCACHE)) {
        n.earliestDemote = Math.min(n.earliestDemote, now()); // a local, forced demote
      }
      apply(n, n.gl.dequeue(h.id(), now()));
    }

    void enqueue(Node n, Op op) {
      if ((n.gl == null && !lookup(n)) || n.gl.isDead()) {
        return; // no glock yet: the lookup made one (with the caller's reference); a dying one: back off
      }
      GlockState state = List.of(GlockState.SH, GlockState.DF, GlockState.EX).get(op.a() % 3);
      EnumSet<HolderFlag> flags = EnumSet.noneOf(HolderFlag.class);
      for (int i = 0; i < FLAG_POOL.length; i++) {
        if ((op.b() & (1 << i)) != 0 && (op.a() / 3) % 2 == 0) {
          flags.add(FLAG_POOL[i]);
        }
      }
      if (state == GlockState.EX) {
        flags.remove(HolderFlag.ANY);
      } else {
        flags.remove(HolderFlag.NODE_SCOPE);
      }
      long pid = 100 + op.c();
      if (n.gl.holders().stream().anyMatch(h -> h.pid() == pid)) {
        return; // recursion is a caller bug, tested on its own
      }
      HolderId id = new HolderId(n.nextHolder++);
      apply(n, n.gl.enqueue(id, state, flags, pid, "t" + pid, "prop", now()));
    }

    void toMaster(Node n) {
      GlockEffect e = n.toMaster.poll();
      if (e == null) {
        return;
      }
      List<Effect> out;
      note(n.id.name() + " -> master " + e);
      if (e instanceof GlockEffect.RequestDlm) {
        GlockEffect.RequestDlm r = (GlockEffect.RequestDlm) e;
        n.lock = new LockId(n.id, ++n.lockSeq);
        out = master.request(n.lock, r.mode(), withoutLvb(r.flags()), null, true);
      } else if (e instanceof GlockEffect.ConvertDlm) {
        GlockEffect.ConvertDlm c = (GlockEffect.ConvertDlm) e;
        out = master.convert(n.lock, c.mode(), withoutLvb(c.flags()), null);
      } else {
        out = master.unlock(n.lock, Set.of(), null);
      }
      master.checkInvariants();
      for (Effect me : out) {
        if (me instanceof Effect.Rejected) {
          throw new AssertionError("master rejected " + e + ": " + me);
        }
        if (me instanceof Effect.Completion || me instanceof Effect.Blocking) {
          nodes.stream().filter(x -> x.id.equals(me.owner())).findFirst().orElseThrow().fromMaster.add(me);
        }
      }
    }

    static Set<LockFlag> withoutLvb(Set<LockFlag> flags) {
      EnumSet<LockFlag> f = EnumSet.noneOf(LockFlag.class);
      f.addAll(flags);
      f.remove(LockFlag.VALBLK); // value blocks are not modelled here
      return f;
    }

    void toNode(Node n) {
      Effect e = n.fromMaster.poll();
      if (e == null) {
        return;
      }
      note("master -> " + n.id.name() + " " + e);
      if (e instanceof Effect.Completion) {
        Effect.Completion c = (Effect.Completion) e;
        assertThat(c.lock()).as("completion for the node's current lock").isEqualTo(n.lock);
        assertThat(n.outstanding).as("completion with a request outstanding").isTrue();
        n.outstanding = false;
        apply(n, n.gl.dlmReply(DlmReply.of(c.status(), c.grantedMode()), now()));
        return;
      }
      Effect.Blocking b = (Effect.Blocking) e;
      if (n.gl == null || n.gl.isDead() || !b.lock().equals(n.lock)) {
        return; // a callback for a lock that is being or has been unlocked
      }
      boolean delayable = name.type() == GlockType.INODE && !n.gl.holders().isEmpty();
      n.earliestDemote = Math.min(n.earliestDemote, delayable ? n.lastStateChange + settings.minHoldMillis() : now());
      basts++;
      apply(n, n.gl.bast(b.mode(), now()));
    }

    void fireWork(Node n) {
      if (n.gl != null && n.gl.workDueAt() != null && n.gl.workDueAt() <= now()) {
        apply(n, n.gl.runWork(now()));
      }
    }

    void shrink(Node n) {
      GlockLru.ScanResult r = n.lru.scan(10, GfpMask.KERNEL, x -> n.gl != null && n.gl.name().equals(x)
          ? n.gl.candidate() : null);
      for (GlockName chosen : r.toReclaim()) {
        assertThat(chosen).isEqualTo(name);
        n.earliestDemote = Math.min(n.earliestDemote, now());
        apply(n, n.gl.reclaim(now()));
      }
    }

    void apply(Node n, List<GlockEffect> effects) {
      if (!effects.isEmpty()) {
        note(n.id.name() + " " + effects + " phase " + (n.gl == null ? "-" : n.gl.phase()));
      }
      for (GlockEffect e : effects) {
        if (e instanceof GlockEffect.RequestDlm || e instanceof GlockEffect.ConvertDlm
            || e instanceof GlockEffect.UnlockDlm) {
          if (n.outstanding) {
            throw new AssertionError("SingleFlight: " + e + " sent while a request is outstanding on " + n.id);
          }
          n.outstanding = true;
          n.toMaster.add(e);
        } else if (e instanceof GlockEffect.QueueDeleteWork) {
          assertThat(n.deleteWorkQueued).as("delete work queued twice on %s", n.id).isFalse();
          n.deleteWorkQueued = true;
        } else if (e instanceof GlockEffect.AddToLru || e instanceof GlockEffect.RemoveFromLru) {
          n.lru.apply(e);
        } else if (e instanceof GlockEffect.GrantHolder) {
          grants++;
        } else if (e instanceof GlockEffect.Freed) {
          frees++;
          assertThat(n.lru.contains(name)).as("freed glock left on the LRU").isFalse();
          assertThat(n.refs).as("freed with references held").isZero();
          n.gl = null;
          n.lock = null;
        }
      }
      observe(n);
    }

    /** Track state changes and demote starts as an outside observer. */
    void observe(Node n) {
      if (n.gl == null) {
        return;
      }
      if (n.gl.state() != n.lastState) {
        n.lastState = n.gl.state();
        n.lastStateChange = now();
      }
      boolean demoting = n.gl.phase() instanceof GlockPhase.Demoting;
      if (demoting && !n.wasDemoting) {
        if (now() < n.earliestDemote) {
          throw new AssertionError("MinHoldTime: demote started at t=" + now() + " but not allowed before t="
              + n.earliestDemote + " on " + n.id);
        }
        n.earliestDemote = Long.MAX_VALUE;
        demotes++;
      }
      n.wasDemoting = demoting;
    }

    // ------------------------------------------------------------------ checks

    void check() {
      List<GlockState> grantedStates = new ArrayList<>();
      for (Node n : nodes) {
        if (n.gl == null) {
          continue;
        }
        GlockCore gl = n.gl;
        gl.checkInvariants();
        assertThat(gl.totalRefs()).as("RefsAgree on %s", n.id)
            .isEqualTo(n.refs + gl.holders().size() + (n.deleteWorkQueued ? 1 : 0));
        assertThat(n.lru.contains(name)).as("LRU membership on %s", n.id).isEqualTo(gl.onLru());
        if (gl.onLru()) {
          assertThat(gl.holders()).as("LruUnused on %s", n.id).isEmpty();
        }
        List<Holder> granted = gl.holders().stream().filter(Holder::granted).toList();
        for (Holder h : granted) {
          assertThat(servedBy(gl.state(), h)).as("CoveredGrant %s %s%s on %s", h.id(), h.state(), h.flags(), gl.state())
              .isTrue();
        }
        if (!granted.isEmpty()) {
          Holder first = granted.get(0);
          for (Holder h : granted) {
            assertThat(h.state()).as("MutualExclusion within %s", n.id).isEqualTo(first.state());
          }
          if (first.state() == GlockState.EX && granted.size() > 1) {
            assertThat(granted).as("shared EX on %s", n.id).allMatch(h -> h.flags().contains(HolderFlag.NODE_SCOPE));
          }
          grantedStates.add(gl.state());
        }
        boolean idle = gl.phase() instanceof GlockPhase.Stable && !n.outstanding;
        if (idle && gl.flags().contains(GlockFlag.INITIAL)) {
          assertThat(master.lock(n.lock)).as("NoLostGrant: %s's lock at the master", n.id).isPresent();
          assertThat(master.lock(n.lock).get().granted()).as("NoLostGrant on %s", n.id)
              .isEqualTo(gl.state().dlmMode());
        }
      }
      for (int i = 0; i < grantedStates.size(); i++) {
        for (int j = i + 1; j < grantedStates.size(); j++) {
          assertThat(ModeTables.compatible(grantedStates.get(i).dlmMode(), grantedStates.get(j).dlmMode()))
              .as("MutualExclusion across nodes: %s vs %s", grantedStates.get(i), grantedStates.get(j)).isTrue();
        }
      }
    }

    /** Independent statement of "the glock's state serves this holder" (glocks.rst, may_grant). */
    static boolean servedBy(GlockState state, Holder h) {
      if (state == h.state()) {
        return true;
      }
      if (h.flags().contains(HolderFlag.EXACT)) {
        return false;
      }
      if (state == GlockState.EX) {
        return h.state() != GlockState.EX;
      }
      return h.flags().contains(HolderFlag.ANY) && (state == GlockState.SH || state == GlockState.DF);
    }

    // ------------------------------------------------------------------ the end

    /** Everything released: every waiter answered, every glock freed, the master empty. */
    void drain() {
      trace.add("-- drain: release holders");
      settle(true);
      for (Node n : nodes) {
        assertThat(n.gl == null || n.gl.holders().isEmpty()).as("a waiter on %s was never answered", n.id).isTrue();
      }
      trace.add("-- drain: put references");
      for (Node n : nodes) {
        while (n.refs > 0) {
          n.refs--;
          apply(n, n.gl.put(now()));
          check();
        }
      }
      settle(false);
      trace.add("-- drain: shrink");
      for (int round = 0; round < 5; round++) {
        for (Node n : nodes) {
          shrink(n);
        }
        settle(false);
      }
      for (Node n : nodes) {
        assertThat(n.gl).as("glock on %s not freed: %s", n.id, n.gl == null ? "" : GlockDump.format(n.gl, now()))
            .isNull();
      }
      assertThat(master.lockCount()).as("locks left at the master").isZero();
    }

    /** Deliver, run glops and work, and move time until quiet; optionally dequeue granted holders. */
    void settle(boolean releaseHolders) {
      for (int i = 0; i < 5000; i++) {
        boolean progress = false;
        for (Node n : nodes) {
          if (releaseHolders && n.gl != null && !n.gl.isDead()) {
            for (Holder h : n.gl.holders()) {
              if (h.granted()) {
                dequeue(n, h);
                progress = true;
                check();
              }
            }
          }
          if (n.deleteWorkQueued) {
            n.deleteWorkQueued = false;
            apply(n, n.gl.deleteWorkDone(now()));
            progress = true;
          }
          if (!n.toMaster.isEmpty()) {
            toMaster(n);
            progress = true;
          }
          if (!n.fromMaster.isEmpty()) {
            toNode(n);
            progress = true;
          }
          if (n.gl != null && n.gl.phase() instanceof GlockPhase.InFlight
              && ((GlockPhase.InFlight) n.gl.phase()).stage() == GlockPhase.Stage.GLOPS) {
            apply(n, n.gl.glopsDone(now()));
            progress = true;
          }
          if (n.gl != null && n.gl.workDueAt() != null) {
            if (n.gl.workDueAt() > now()) {
              clock.millis = n.gl.workDueAt();
            }
            fireWork(n);
            progress = true;
          }
          check();
        }
        if (!progress) {
          return;
        }
      }
      throw new AssertionError("the cluster did not settle in 5000 rounds");
    }
  }
}
