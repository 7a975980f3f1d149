package org.jdlm.fs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.jdlm.fs.core.GlockEffect;
import org.jdlm.fs.core.GlockLru;
import org.jdlm.fs.core.GlockName;
import org.jdlm.fs.core.GlockOps;
import org.jdlm.fs.core.Glops;
import org.jdlm.kernel.Allocation;
import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.Shrinker;
import org.jdlm.kernel.Workqueue;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.GfpMask;
import org.jdlm.kernel.core.ShrinkControl;
import org.jdlm.kernel.core.WaitEdge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The glocks of one mounted filesystem on this member (GFS2's glock hash table for one superblock;
 * style rule 1: an actor, never a static map). It creates {@link Glock} children by (type, number),
 * makes a lookup of a dying glock wait until the old one is freed ({@code find_insert_glock}: never
 * two DLM locks for one name), keeps the glock LRU ({@link GlockLru}: only the glocks' own
 * {@code AddToLru}/{@code RemoveFromLru} effects change it), and registers the glock shrinker with
 * the member's kernel memory. The shrinker never waits for a demote: it asks for a scan, the chosen
 * glocks demote and free on the glock workqueue, and their memory comes back when they are freed.
 */
public final class GlockRegistry extends AbstractBehavior<GlockRegistry.Command> {
  private static final Logger LOG = LoggerFactory.getLogger(GlockRegistry.class);

  /** Messages to the registry. */
  public sealed interface Command {}

  /**
   * From a task ({@code gfs2_glock_get}): find the glock, taking a reference. With {@code memory}
   * (the glock's kernel memory, allocated by the task) a missing glock is created and keeps it;
   * replies {@link Found}, or {@link NotFound} without memory.
   */
  public record Lookup(GlockName name, Allocation memory, ActorRef<LookupReply> replyTo) implements Command {}

  /** From a {@link Glock}: it was dying when asked to {@link Glock.Hold}; the lookup waits for its free. */
  public record Bounced(Lookup lookup) implements Command {}

  /** From a {@link Glock}: one of its LRU effects. */
  public record LruChanged(GlockEffect effect) implements Command {}

  /** From a {@link Glock}: it is freed (its DLM lock unlocked); drop it and serve the lookups that waited. */
  public record GlockFreed(GlockName name, ActorRef<Glock.Command> glock) implements Command {}

  /** From the glock shrinker, in a reclaiming task: choose LRU glocks and demote them; replies the choice. */
  public record Shrink(long nrToScan, GfpMask mask, ActorRef<GlockLru.ScanResult> replyTo) implements Command {}

  /** From anyone: every glock's lines in GFS2's debugfs format, sorted by name; replies the text. */
  public record Dump(ActorRef<String> replyTo) implements Command {}

  /** From anyone: how many glocks live and the LRU in order; replies {@link Stats}. */
  public record GetStats(ActorRef<Stats> replyTo) implements Command {}

  /** From {@link Glocks#close()}: unregister the shrinker and stop (the glocks stop with it). */
  public enum Unmount implements Command { INSTANCE }

  /** Reply to a {@link Lookup}. */
  public sealed interface LookupReply {}

  /** The glock, with a reference for the caller; {@code usedMemory}: it was created with the lookup's memory. */
  public record Found(GlockName name, ActorRef<Glock.Command> glock, boolean usedMemory) implements LookupReply {}

  /** No such glock and the lookup brought no memory to create one. */
  public record NotFound(GlockName name) implements LookupReply {}

  /** Reply to {@link GetStats}. */
  public record Stats(int glocks, List<GlockName> lru, long shrinkScans, long reclaimsRequested) {
    public Stats {
      lru = List.copyOf(lru);
    }
  }

  private record DumpDone(ActorRef<String> replyTo, String text) implements Command {}

  /** A glock actor stopped: after its free (expected) or on a failed invariant (a bug, logged). */
  private record GlockStopped(GlockName name, ActorRef<Glock.Command> glock) implements Command {}

  /** What the registry and its glocks share: one mounted filesystem's bounds, workqueue and task side. */
  public record Context(String fsName, FsSettings settings, Workqueue workqueue, GlockExecutor executor,
                        LongSupplier nowMillis, int lvbLength, GlockFacts facts) {
    /** A context whose glocks publish to a fresh {@link GlockFacts}. */
    public Context(String fsName, FsSettings settings, Workqueue workqueue, GlockExecutor executor,
                   LongSupplier nowMillis, int lvbLength) {
      this(fsName, settings, workqueue, executor, nowMillis, lvbLength, new GlockFacts());
    }

    /** The per-type operations GFS2 would pick (style rule 12). */
    public GlockOps opsFor(GlockName name) {
      return Glops.forName(name);
    }

    /** {@code glocks:fsname}, the endpoint of the registry in wait edges. */
    public String endpoint() {
      return "glocks:" + fsName;
    }
  }

  private final ActorContext<Command> ctx;
  private final Context fs;
  private final GlockLru lru;
  private final Map<GlockName, ActorRef<Glock.Command>> glocks = new HashMap<>();
  private final Map<GlockName, Allocation> memory = new HashMap<>();
  private final Map<GlockName, List<Lookup>> waitingForFree = new HashMap<>();
  private final GlockShrinker shrinker;
  private final AutoCloseable shrinkerRegistration;
  private long incarnation;
  private long shrinkScans;
  private long reclaimsRequested;

  public static Behavior<Command> create(Context fs, Kernel kernel) {
    return Behaviors.setup(ctx -> new GlockRegistry(ctx, fs, kernel));
  }

  private GlockRegistry(ActorContext<Command> ctx, Context fs, Kernel kernel) {
    super(ctx);
    this.ctx = ctx;
    this.fs = fs;
    this.lru = new GlockLru(fs.settings().lru(), new MillisClock(fs.nowMillis()));
    this.shrinker = new GlockShrinker(ctx.getSelf(), fs);
    this.shrinkerRegistration = kernel.memory().register(shrinker);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Lookup.class, this::onLookup)
        .onMessage(Bounced.class, this::onBounced)
        .onMessage(LruChanged.class, this::onLruChanged)
        .onMessage(GlockFreed.class, this::onFreed)
        .onMessage(GlockStopped.class, this::onStopped)
        .onMessage(Shrink.class, this::onShrink)
        .onMessage(Dump.class, this::onDump)
        .onMessage(DumpDone.class, m -> {
          m.replyTo().tell(m.text());
          return this;
        })
        .onMessage(GetStats.class, m -> {
          m.replyTo().tell(new Stats(glocks.size(), lru.order(), shrinkScans, reclaimsRequested));
          return this;
        })
        .onMessageEquals(Unmount.INSTANCE, Behaviors::stopped)
        .onSignal(PostStop.class, s -> {
          try {
            shrinkerRegistration.close();
          } catch (Exception e) {
            LOG.warn("glock shrinker of {} did not unregister: {}", fs.fsName(), e.toString());
          }
          memory.values().forEach(Allocation::close);
          return this;
        })
        .build();
  }

  private Behavior<Command> onLookup(Lookup m) {
    ActorRef<Glock.Command> existing = glocks.get(m.name());
    if (existing != null) {
      existing.tell(new Glock.Hold(m));
      return this;
    }
    if (waitingForFree.containsKey(m.name())) {
      waitingForFree.get(m.name()).add(m);
      return this;
    }
    if (m.memory() == null) {
      m.replyTo().tell(new NotFound(m.name()));
      return this;
    }
    String childName = "glock-" + m.name().type().number() + "-" + Long.toHexString(m.name().number()) + "-"
        + (++incarnation);
    ActorRef<Glock.Command> child = ctx.spawn(Glock.create(m.name(), m, ctx.getSelf(), fs), childName);
    ctx.watchWith(child, new GlockStopped(m.name(), child));
    glocks.put(m.name(), child);
    memory.put(m.name(), m.memory());
    return this;
  }

  private Behavior<Command> onBounced(Bounced m) {
    waitingForFree.computeIfAbsent(m.lookup().name(), n -> new ArrayList<>()).add(m.lookup());
    return this;
  }

  private Behavior<Command> onLruChanged(LruChanged m) {
    lru.apply(m.effect());
    shrinker.publish(lru.countFreeable());
    return this;
  }

  private Behavior<Command> onFreed(GlockFreed m) {
    if (glocks.get(m.name()) != null && glocks.get(m.name()).equals(m.glock())) {
      glocks.remove(m.name());
      ctx.stop(m.glock());
      Allocation a = memory.remove(m.name());
      if (a != null) {
        a.close(); // the glock's memory goes back: what reclaim was waiting for
      }
      lru.apply(new GlockEffect.RemoveFromLru(m.name()));
      shrinker.publish(lru.countFreeable());
    }
    List<Lookup> parked = waitingForFree.remove(m.name());
    if (parked != null) {
      for (Lookup l : parked) {
        onLookup(l);
      }
    }
    return this;
  }

  private Behavior<Command> onStopped(GlockStopped m) {
    if (m.glock().equals(glocks.get(m.name()))) {
      // Stopped without being freed: a glock invariant failed (style rule 7). Its DLM lock is left
      // as it was; forget the glock so a later lookup is not sent to a dead actor, and give its
      // memory back. Tasks waiting on it end at their bounds.
      LOG.error("glock {} of {} stopped without being freed; dropped from the registry", m.name(), fs.fsName());
      glocks.remove(m.name());
      Allocation a = memory.remove(m.name());
      if (a != null) {
        a.close();
      }
      lru.apply(new GlockEffect.RemoveFromLru(m.name()));
      shrinker.publish(lru.countFreeable());
      List<Lookup> parked = waitingForFree.remove(m.name());
      if (parked != null) {
        parked.forEach(this::onLookup);
      }
    }
    return this;
  }

  private Behavior<Command> onShrink(Shrink m) {
    shrinkScans++;
    // Every LRU entry is offered; a glock whose state made it unreclaimable meanwhile ignores the
    // Reclaim (GlockCore.reclaim re-checks), so the registry needs no copy of glock state.
    GlockLru.ScanResult result = lru.scan((int) Math.min(Integer.MAX_VALUE, m.nrToScan()), m.mask(),
        n -> new GlockLru.Candidate(n, true));
    for (GlockName n : result.toReclaim()) {
      ActorRef<Glock.Command> g = glocks.get(n);
      if (g != null) {
        reclaimsRequested++;
        g.tell(Glock.Reclaim.INSTANCE);
      }
    }
    m.replyTo().tell(result);
    return this;
  }

  private Behavior<Command> onDump(Dump m) {
    List<ActorRef<Glock.Command>> all = new ArrayList<>(glocks.values());
    ActorRef<Command> self = ctx.getSelf();
    ctx.spawnAnonymous(Behaviors.<Glock.DumpLines>setup(c -> {
      TreeMap<GlockName, String> lines = new TreeMap<>();
      if (all.isEmpty()) {
        self.tell(new DumpDone(m.replyTo(), ""));
        return Behaviors.stopped();
      }
      all.forEach(g -> g.tell(new Glock.Dump(c.getSelf())));
      c.setReceiveTimeout(fs.settings().dumpTimeout(), new Glock.DumpLines(null, null));
      return Behaviors.receiveMessage(d -> {
        if (d.name() != null) {
          lines.put(d.name(), d.text());
        }
        if (d.name() == null || lines.size() == all.size()) {
          StringBuilder sb = new StringBuilder();
          lines.values().forEach(sb::append);
          if (lines.size() < all.size()) {
            sb.append("# ").append(all.size() - lines.size()).append(" glocks did not answer within ")
                .append(fs.settings().dumpTimeout()).append(System.lineSeparator());
          }
          self.tell(new DumpDone(m.replyTo(), sb.toString()));
          return Behaviors.stopped();
        }
        return Behaviors.same();
      });
    }));
    return this;
  }

  /** {@link java.time.Clock} over the filesystem's millisecond source, for {@link GlockLru}. */
  private static final class MillisClock extends java.time.Clock {
    private final LongSupplier millis;

    MillisClock(LongSupplier millis) {
      this.millis = millis;
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public long millis() {
      return millis.getAsLong();
    }

    @Override
    public java.time.Instant instant() {
      return java.time.Instant.ofEpochMilli(millis());
    }
  }

  /**
   * {@code gfs2_glock_shrink_count/scan} as a kernel {@link Shrinker}: called by reclaim in the
   * reclaiming task (or kswapd). Counting reads a published number and never blocks; a scan asks
   * the registry for its choice (a prompt answer, {@code waits-reply} on the registry) and returns
   * how many glocks it sent to demote. Without {@code __GFP_FS} it stops, as GFS2's does.
   */
  static final class GlockShrinker implements Shrinker {
    private final ActorRef<Command> registry;
    private final Context fs;
    private volatile long lruCount;

    GlockShrinker(ActorRef<Command> registry, Context fs) {
      this.registry = registry;
      this.fs = fs;
    }

    void publish(long count) {
      lruCount = count;
    }

    @Override
    public String name() {
      return "gfs2_glock:" + fs.fsName();
    }

    @Override
    public boolean needsFs() {
      return true;
    }

    @Override
    public long countFreeable(ShrinkControl control) {
      long n = lruCount;
      return n == 0 ? EMPTY : n;
    }

    @Override
    public long scan(ShrinkControl control) {
      if (!control.mask().mayReclaimFs()) {
        return STOP;
      }
      GlockLru.ScanResult r = fs.executor().<Command, GlockLru.ScanResult>ask(registry,
          replyTo -> new Shrink(control.nrToScan(), control.mask(), replyTo),
          WaitEdge.of(EdgeKind.WAITS_REPLY, "glock shrink", fs.endpoint()), fs.settings().replyTimeout());
      return r.stop() ? STOP : r.toReclaim().size();
    }
  }
}
