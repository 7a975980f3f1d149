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
 *   <li>{@code wq:NAME} when someone waits on it: OR over its workers ({@code kworker/NAME:N})
 *       and its rescuer ({@code NAME/rescuer}), recognised by the names {@code Workqueue} gives them.</li>
 * </ul>
 * Not fed here because the snapshot does not carry them: who holds a mempool's elements and who
 * completes a bdi's writeback. Until the owning layer feeds them with {@link FactSink#providers},
 * {@code mempool:X} and {@code bdi:X} have no edges out and therefore count as able to progress:
 * a wait on them shows up as a stall, never as a false deadlock.
 *
 * <p>Time: the member's kernel clock is not the detector's. A wait's age is kept and placed on
 * the detector's clock ({@code detectorNow - age}), which is what merging members needs.
 */
public final class KernelFacts {
  private KernelFacts() {}

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
    Vertex mem = new Vertex(member, "mem", "");
    if (memory != null) {
      sink.state(mem, memory.level());
      List<Vertex> reclaimers = memory.reclaimers().stream().map(e -> Vertex.local(member, e)).toList();
      if (!reclaimers.isEmpty()) {
        sink.providers(mem, reclaimers);
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
