package org.jdlm.kernel.core.waits;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.Join;
import org.jdlm.kernel.core.MemorySnapshot;
import org.jdlm.kernel.core.TaskSnapshot;
import org.jdlm.kernel.core.TaskState;
import org.jdlm.kernel.core.WaitEdge;

/**
 * Feeds one member's kernel registry (the parts of {@code Kernel.snapshot()}) into the detector:
 * <ul>
 *   <li>every waiting task: its one {@link WaitEdge}, one edge per target, the wait's AND/OR, and
 *       since when it waits;</li>
 *   <li>running and idle tasks as vertices without edges (they can progress);</li>
 *   <li>{@code mem}: OR over the reclaimers (kswapd and every task in direct reclaim now), state
 *       its watermark level;</li>
 *   <li>{@code mempool:NAME} when someone waits on it: OR over the tasks holding its lent elements
 *       and memory itself (the pool retries the allocator);</li>
 *   <li>{@code wq:NAME} when someone waits on it: OR over its workers ({@code kworker/NAME:N})
 *       and its rescuer ({@code NAME/rescuer}), recognised by the names {@code Workqueue} gives them.</li>
 * </ul>
 * Not fed here because the kernel cannot know it: who will complete a bdi's writeback (the
 * filesystem or NFS client does). Until that layer feeds it with {@link FactSink#providers},
 * {@code bdi:X} has no edges out and counts as able to progress: a wait on it shows up as a
 * stall, never as a false deadlock. Likewise a mempool whose elements were taken outside any task.
 *
 * <p>Time: the member's kernel clock is not the detector's. A wait's age is kept and placed on
 * the detector's clock ({@code detectorNow - age}), which is what merging members needs.
 */
public final class KernelFacts {
  /**
   * The kernel's own progress operation for the livelock monitor: allocation waits and direct
   * reclaims rising while no reclaimed object is freed is §5.1's FS-form signature; free pages are
   * printed for context.
   */
  public static final LivelockMonitor.Operation RECLAIM = new LivelockMonitor.Operation("reclaim", List.of(
      new LivelockMonitor.Counter("alloc_waits", LivelockMonitor.Role.ACTIVITY),
      new LivelockMonitor.Counter("direct_reclaims", LivelockMonitor.Role.ACTIVITY),
      new LivelockMonitor.Counter("objects_freed", LivelockMonitor.Role.COMPLETION),
      new LivelockMonitor.Counter("free_pages", LivelockMonitor.Role.GAUGE)),
      "alloc -> direct reclaim -> shrinker frees nothing -> alloc");

  private KernelFacts() {}

  /** One livelock-monitor sample of the member's memory counters (names as in {@link #RECLAIM}). */
  public static java.util.Map<String, Long> counters(MemorySnapshot m) {
    MemorySnapshot.Counters c = m.counters();
    return java.util.Map.of("alloc_waits", c.waits(), "direct_reclaims", c.directReclaims(),
        "objects_freed", c.objectsFreed(), "free_pages", m.freePages(), "allocations", c.allocations(),
        "alloc_failures", c.failures(), "kswapd_rounds", c.kswapdRounds(), "throttles", c.throttles());
  }

  public static void feed(String member, long memberNowNanos, List<TaskSnapshot> tasks, MemorySnapshot memory,
                          long detectorNowNanos, FactSink sink) {
    Set<Vertex> referenced = new TreeSet<>();
    for (TaskSnapshot t : tasks) {
      if (t.state() == TaskState.EXITED) {
        continue;
      }
      Vertex v = Vertex.local(member, t.endpoint());
      sink.vertex(v);
      WaitEdge w = t.waitEdge();
      if (t.state() != TaskState.WAITING || w == null) {
        continue;
      }
      List<Vertex> targets = w.targets().stream().map(e -> Vertex.local(member, e)).toList();
      referenced.addAll(targets);
      sink.waits(v, w.kind(), w.argument(), w.join(), targets);
      sink.waitingSince(v, detectorNowNanos - t.forNanos(memberNowNanos));
    }
    Vertex mem = Vertex.mem(member);
    if (memory != null) {
      sink.state(mem, memory.level());
      List<Vertex> reclaimers = memory.reclaimers().stream().map(e -> Vertex.local(member, e)).toList();
      if (!reclaimers.isEmpty()) {
        sink.providers(mem, reclaimers);
      }
    }
    if (memory != null) {
      for (MemorySnapshot.MempoolView pool : memory.mempools()) {
        Vertex p = new Vertex(member, "mempool", pool.name());
        if (referenced.contains(p) && !pool.holders().isEmpty()) {
          sink.state(p, pool.available() + "/" + pool.minElements() + " in reserve");
          // A waiter is served when a holder frees an element, or by the allocator on its next
          // round (Mempool.alloc retries NOWAIT after each bounded wait): memory is a provider too.
          List<Vertex> providers = new ArrayList<>(pool.holders().stream().map(e -> Vertex.local(member, e)).toList());
          providers.add(mem);
          sink.providers(p, providers);
        }
      }
    }
    for (Vertex r : referenced) {
      if (r.kind().equals("wq")) {
        List<Vertex> workers = new ArrayList<>();
        for (TaskSnapshot t : tasks) {
          boolean worker = t.name().startsWith("kworker/" + r.id() + ":") || t.name().equals(r.id() + "/rescuer");
          if (worker && t.state() != TaskState.EXITED) {
            workers.add(Vertex.local(member, t.endpoint()));
          }
        }
        sink.join(r, Join.OR);
        for (Vertex w : workers) {
          sink.edge(new Edge(r, w, EdgeKind.ALL_WORKERS, "", ""));
        }
      }
    }
  }
}
