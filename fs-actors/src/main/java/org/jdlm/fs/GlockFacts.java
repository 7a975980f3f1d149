package org.jdlm.fs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdlm.fs.core.GlockName;
import org.jdlm.fs.core.GlockState;
import org.jdlm.fs.core.Holder;
import org.jdlm.fs.core.HolderRules;
import org.jdlm.kernel.core.waits.FactSink;
import org.jdlm.kernel.core.waits.Vertex;

/**
 * The glocks' part of a member's wait-for graph (docs/detector.md §4, "glocks"): each glock actor
 * publishes its state and holder queue here after every step (a plain immutable value in a
 * concurrent map), and the detector reads them without asking any actor: it works while every
 * task is stuck. A task waiting for a glock already shows {@code waits-glock(S)} on it (the
 * kernel registry); this adds {@code glock --held-by--> task} to every granted holder that keeps
 * a waiting one out (AND: the glock is released when all of them release). A glock whose waiters
 * are kept out by no local holder waits for the lock manager (another member, a demote): it gets
 * no edge here and counts as able to progress — the DLM's own facts will say more.
 */
public final class GlockFacts {

  /** One glock as its actor last published it. */
  record Published(GlockState state, GlockState target, List<Holder> holders) {}

  private final Map<GlockName, Published> glocks = new ConcurrentHashMap<>();

  void publish(GlockName name, GlockState state, GlockState target, List<Holder> holders) {
    glocks.put(name, new Published(state, target, List.copyOf(holders)));
  }

  void forget(GlockName name) {
    glocks.remove(name);
  }

  /** Feeds the glocks with waiting holders of {@code member}. */
  public void feed(String member, FactSink sink) {
    for (Map.Entry<GlockName, Published> e : glocks.entrySet()) {
      Published p = e.getValue();
      List<Holder> waiting = p.holders().stream().filter(h -> !h.granted()).toList();
      if (waiting.isEmpty()) {
        continue;
      }
      Holder first = waiting.get(0);
      List<Vertex> holders = new ArrayList<>();
      for (Holder h : p.holders()) {
        if (h.granted() && h.pidMeaningful() && h.comm() != null && !HolderRules.share(h, first)) {
          holders.add(Vertex.local(member, "task:" + h.comm() + "#" + h.pid()));
        }
      }
      Vertex g = Vertex.local(member, GlockExecutor.endpoint(e.getKey()));
      sink.state(g, p.state().dumpName() + (p.target() == null || p.target() == p.state() ? ""
          : " t:" + p.target().dumpName()));
      if (!holders.isEmpty()) {
        sink.heldBy(g, holders);
      }
    }
  }
}
