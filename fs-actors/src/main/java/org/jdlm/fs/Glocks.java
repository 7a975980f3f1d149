package org.jdlm.fs;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.jdlm.fs.core.CacheWork;
import org.jdlm.fs.core.GlockEffect;
import org.jdlm.fs.core.GlockName;
import org.jdlm.fs.core.GlockState;
import org.jdlm.fs.core.HolderFlag;
import org.jdlm.fs.core.HolderId;
import org.jdlm.kernel.Allocation;
import org.jdlm.kernel.AllocationResult;
import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.Task;
import org.jdlm.kernel.Workqueue;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.GfpMask;
import org.jdlm.kernel.core.WaitEdge;

/**
 * The glock calls a kernel task makes on one mounted filesystem: {@code gfs2_glock_get},
 * {@code _put}, {@code _put_async}, {@code _nq}, {@code _dq}. Each blocks only the calling task,
 * through {@link Task#await} with a typed edge: a task waiting for a grant shows
 * {@code waits-glock(EX)} on {@code glock:2/1a2b} in {@link Kernel#tasks()}. Work that GFS2 does in
 * the caller's context (a promote's DLM request from {@code nq}, the final put's DLM unlock) runs
 * in the caller's thread; demotes run on the filesystem's glock workqueue.
 */
public final class Glocks implements AutoCloseable {

  /** A counted reference to a glock ({@code struct gfs2_glock *} after {@code gfs2_glock_get}). */
  public record GlockRef(GlockName name, ActorRef<Glock.Command> actor) {}

  /** A queued holder ({@code struct gfs2_holder}). */
  public record GlockHolder(GlockRef glock, HolderId id, GlockState state) {}

  /** The end of an {@code nq}: the holder was granted, or failed (expected outcomes are values). */
  public sealed interface NqResult {}

  /** Granted in {@code state}; {@code instantiate} is what the holder must read first ({@code go_instantiate}). */
  public record Granted(GlockHolder holder, GlockState state, Set<CacheWork> instantiate) implements NqResult {}

  /** Not granted (TRYAGAIN, CANCELED, TOO_MANY_HOLDERS); no holder is queued. */
  public record Failed(GlockName name, GlockEffect.HolderError error) implements NqResult {}

  /** The glock's memory could not be allocated ({@code -ENOMEM}); {@code reason} says why. */
  public static final class OutOfMemory extends RuntimeException {
    public OutOfMemory(GlockName name, String reason) {
      super("cannot create glock " + name + ": " + reason, null, false, false);
    }
  }

  private final ActorSystem<?> system;
  private final ActorRef<GlockRegistry.Command> registry;
  private final GlockRegistry.Context fs;
  private final Kernel kernel;
  private final AtomicLong holderIds = new AtomicLong();
  /** The glocks' fact source in the kernel (GlockFacts); closed at unmount. */
  private final AutoCloseable facts;
  /** BLOCK_LOCKS: consulted by {@link #nq} for holders without NOEXP; open unless journals are mounted. */
  private volatile LockGate gate = LockGate.OPEN;

  private Glocks(ActorSystem<?> system, ActorRef<GlockRegistry.Command> registry, GlockRegistry.Context fs,
                 Kernel kernel, AutoCloseable facts) {
    this.facts = facts;
    this.system = system;
    this.registry = registry;
    this.fs = fs;
    this.kernel = kernel;
  }

  /**
   * Mounts the glock layer of filesystem {@code fsName} on this member: the glock workqueue, the
   * registry actor (a system actor of {@code system}) and its shrinker in {@code kernel}'s memory.
   */
  public static Glocks mount(ActorSystem<?> system, String fsName, Kernel kernel, LockModule module, int lvbLength,
                             GlockCacheOps cacheOps, FsSettings settings) {
    Workqueue wq = kernel.createWorkqueue("glock_workqueue-" + fsName, settings.workqueueActive(),
        settings.workqueueRescuer());
    GlockExecutor executor = new GlockExecutor(system.scheduler(), module, cacheOps, settings);
    GlockRegistry.Context fs = new GlockRegistry.Context(fsName, settings, wq, executor,
        () -> kernel.clock().nanos() / 1_000_000, lvbLength);
    ActorRef<GlockRegistry.Command> registry = system.systemActorOf(GlockRegistry.create(fs, kernel),
        "glocks-" + fsName, Props.empty());
    AutoCloseable facts = kernel.addFactSource("glocks:" + fsName, (sink, toDetector) ->
        fs.facts().feed(kernel.member(), sink));
    return new Glocks(system, registry, fs, kernel, facts);
  }

  public ActorRef<GlockRegistry.Command> registry() {
    return registry;
  }

  public Workqueue workqueue() {
    return fs.workqueue();
  }

  public Kernel kernel() {
    return kernel;
  }

  /**
   * Installs the journal layer's BLOCK_LOCKS gate ({@link LockGate}); {@link LockGate#OPEN} removes
   * it. The journal mount installs it before it claims its journal, the unmount removes it.
   */
  public void useGate(LockGate gate) {
    this.gate = java.util.Objects.requireNonNull(gate, "gate");
  }

  /**
   * {@code gfs2_glock_get(create)}: the glock with a new reference. A missing glock is created with
   * memory allocated {@code GFP_NOFS} in this task, as GFS2 does, after a first lookup without.
   */
  public GlockRef get(GlockName name) {
    GlockRegistry.LookupReply r = lookup(name, null);
    if (r instanceof GlockRegistry.NotFound) {
      AllocationResult mem = kernel.memory().allocate(fs.settings().glockBytes(), GfpMask.NOFS);
      if (mem instanceof AllocationResult.Failed f) {
        throw new OutOfMemory(name, f.reason());
      }
      Allocation a = (Allocation) mem;
      r = lookup(name, a);
      if (!(r instanceof GlockRegistry.Found found) || !found.usedMemory()) {
        a.close(); // somebody else created it meanwhile
      }
    }
    if (!(r instanceof GlockRegistry.Found found)) {
      throw new IllegalStateException("lookup of glock " + name + " with memory answered " + r);
    }
    return new GlockRef(name, found.glock());
  }

  private GlockRegistry.LookupReply lookup(GlockName name, Allocation memory) {
    return fs.executor().ask(registry, replyTo -> new GlockRegistry.Lookup(name, memory, replyTo),
        WaitEdge.of(EdgeKind.WAITS_REPLY, "glock lookup " + name, fs.endpoint()), fs.settings().glockWait());
  }

  /** {@code gfs2_glock_put}: the last reference of an unlocked glock unlocks its DLM lock, in this task. */
  public void put(GlockRef gl) {
    fs.executor().carryOut(gl.actor(), fs.executor().step(gl.actor(), gl.name(), "glock put", Glock.Put::new));
  }

  /** {@code gfs2_glock_put_async}: never reaches the DLM in this task; the glock work decides. */
  public void putAsync(GlockRef gl) {
    gl.actor().tell(Glock.PutAsync.INSTANCE);
  }

  /**
   * {@code gfs2_glock_nq}: queue a holder and wait for its grant ({@code waits-glock(state)} on the
   * glock). A promote the enqueue starts sends its DLM request from this task.
   */
  public NqResult nq(GlockRef gl, GlockState state, Set<HolderFlag> flags, String caller) {
    return nq(gl, state, flags, caller, fs.settings().glockWait());
  }

  /**
   * {@link #nq(GlockRef, GlockState, Set, String)} waiting at most {@code bound} for the grant; when
   * it passes, the holder is dequeued (cancelled) and the result is {@code Failed(CANCELED)}. This
   * is eviction's bounded wait for the iopen glock in EX.
   */
  public NqResult nq(GlockRef gl, GlockState state, Set<HolderFlag> flags, String caller, Duration bound) {
    Task task = Task.current();
    boolean gated = !flags.contains(HolderFlag.NOEXP);
    if (gated) {
      gate.await(gl.name(), caller); // BLOCK_LOCKS: a new request waits for journal recovery
    }
    HolderId id = new HolderId(holderIds.incrementAndGet());
    WaitEdge edge = WaitEdge.of(EdgeKind.WAITS_GLOCK, state.dumpName(), GlockExecutor.endpoint(gl.name()));
    Glock.Step step = fs.executor().ask(gl.actor(),
        replyTo -> new Glock.Enqueue(id, state, flags, task.id(), task.name(), caller, replyTo), edge,
        fs.settings().replyTimeout());
    fs.executor().carryOut(gl.actor(), step);
    Glock.HolderOutcome outcome = step.outcome();
    if (outcome == null) {
      try {
        outcome = fs.executor().ask(gl.actor(), replyTo -> new Glock.AwaitOutcome(id, replyTo), edge, bound);
      } catch (Task.WaitTimedOut timedOut) {
        Glock.Step cancel = fs.executor().step(gl.actor(), gl.name(), "glock dq",
            replyTo -> new Glock.Dequeue(id, replyTo));
        fs.executor().carryOut(gl.actor(), cancel);
        // The grant may have won the race with the cancel: then the dequeue released it.
        return new Failed(gl.name(), GlockEffect.HolderError.CANCELED);
      }
    }
    if (outcome instanceof Glock.Granted g) {
      GlockHolder holder = new GlockHolder(gl, id, state);
      if (gated) {
        // A grant that arrived while recovery blocks locks is held back until it is done (GFS2
        // freezes the DLM reply); a wait that ends badly gives the holder back.
        try {
          gate.await(gl.name(), caller);
        } catch (RuntimeException e) {
          dq(holder);
          throw e;
        }
      }
      return new Granted(holder, g.state(), g.instantiate());
    }
    return new Failed(gl.name(), ((Glock.Failed) outcome).error());
  }

  /** {@code gfs2_glock_nq_num}: get, enqueue, and drop the lookup's reference (the holder keeps its own). */
  public NqResult nq(GlockName name, GlockState state, Set<HolderFlag> flags) {
    GlockRef gl = get(name);
    try {
      return nq(gl, state, flags, "nq_num");
    } finally {
      put(gl);
    }
  }

  /** {@code gfs2_glock_dq}: release the holder; its reference goes, and a last one's work runs here. */
  public void dq(GlockHolder holder) {
    GlockRef gl = holder.glock();
    fs.executor().carryOut(gl.actor(), fs.executor().step(gl.actor(), gl.name(), "glock dq",
        replyTo -> new Glock.Dequeue(holder.id(), replyTo)));
  }

  /** The holder's transaction dirtied what the glock protects ({@code GLF_DIRTY}). */
  public void markDirty(GlockHolder holder) {
    GlockRef gl = holder.glock();
    fs.executor().carryOut(gl.actor(), fs.executor().step(gl.actor(), gl.name(), "glock dirty",
        Glock.MarkDirty::new));
  }

  /** Every glock in GFS2's debugfs {@code glocks} format; callable from any thread. */
  public CompletionStage<String> dump() {
    return AskPattern.ask(registry, GlockRegistry.Dump::new, fs.settings().dumpTimeout().multipliedBy(2),
        system.scheduler());
  }

  /** The registry's counts; callable from any thread. */
  public CompletionStage<GlockRegistry.Stats> stats() {
    return AskPattern.ask(registry, GlockRegistry.GetStats::new, fs.settings().replyTimeout(), system.scheduler());
  }

  /** Stops the registry and its glocks and unregisters the shrinker (no orderly demote yet). */
  @Override
  public void close() {
    try {
      facts.close();
    } catch (Exception e) {
      throw new IllegalStateException("glock facts of " + fs.fsName() + " did not unregister", e);
    }
    registry.tell(GlockRegistry.Unmount.INSTANCE);
  }
}
