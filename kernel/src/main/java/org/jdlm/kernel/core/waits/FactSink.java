package org.jdlm.kernel.core.waits;

import java.util.List;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.Join;

/**
 * What each layer tells the detector about its part of the wait-for graph. The kernel registry
 * ({@link KernelFacts}), the DLM (lkbs, the stopped lockspace), the glocks, fencing and the
 * filesystem each call it with the facts they own; the detector merges them.
 *
 * <p>Meaning: an edge {@code a -> b} says a cannot progress until b does; a vertex's {@link Join}
 * says whether it needs all its targets (AND, the default) or any one (OR: memory over its
 * reclaimers, a bdi over its writeback completers, a pool over its workers). A vertex with no
 * edges out can progress: a running task, a free resource, an OR node nobody has named a provider
 * for. Facts are idempotent: the same edge twice is one edge.
 */
public interface FactSink {

  /** Mentions a vertex with no facts yet (a running task, a free glock): it can progress. */
  FactSink vertex(Vertex v);

  /** The bracketed state printed after the vertex ({@code STOPPED gen 7}); empty for none. Last one wins. */
  FactSink state(Vertex v, String state);

  /** v waits since {@code sinceNanos} on the detector's clock: stall reports and the cycle's first vertex use it. */
  FactSink waitingSince(Vertex v, long sinceNanos);

  /** How v's edges combine. A vertex told AND and OR by two layers is a feeding bug and throws. */
  FactSink join(Vertex v, Join join);

  /** One "needs" edge. */
  FactSink edge(Edge e);

  /** A DLM request that may be chosen as a deadlock victim; its edges are given separately. */
  FactSink dlmRequest(DlmRequest request);

  /** {@code from} waits with {@code join} on each target, with one label. */
  default FactSink waits(Vertex from, EdgeKind kind, String argument, Join join, List<Vertex> targets) {
    join(from, join);
    for (Vertex t : targets) {
      edge(new Edge(from, t, kind, argument, ""));
    }
    return this;
  }

  /** {@code from} waits (AND) on one target. */
  default FactSink waits(Vertex from, EdgeKind kind, String argument, Vertex target) {
    return waits(from, kind, argument, Join.AND, List.of(target));
  }

  /**
   * The providers of an OR node: any one of them progressing satisfies it. One provider prints
   * {@code only-source}, several {@code source}; a layer with a better word passes its own edges.
   */
  default FactSink providers(Vertex orNode, List<Vertex> providers) {
    join(orNode, Join.OR);
    EdgeKind kind = providers.size() == 1 ? EdgeKind.ONLY_SOURCE : EdgeKind.SOURCE;
    for (Vertex p : providers) {
      edge(new Edge(orNode, p, kind, "", ""));
    }
    return this;
  }

  /** Work (a fence, a delete) carried out by one task: the work progresses only if the task does. */
  default FactSink runBy(Vertex work, Vertex task) {
    return edge(new Edge(work, task, EdgeKind.RUN_BY, "", ""));
  }

  /** A resource (glock, lkb, page) held by each of {@code holders}: released only when all release (AND). */
  default FactSink heldBy(Vertex resource, List<Vertex> holders) {
    join(resource, Join.AND);
    for (Vertex h : holders) {
      edge(new Edge(resource, h, EdgeKind.HELD_BY, "", ""));
    }
    return this;
  }
}
