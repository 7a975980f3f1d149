package org.jdlm.kernel.core.waits;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jdlm.kernel.core.Join;
import org.jgrapht.Graph;
import org.jgrapht.GraphPath;
import org.jgrapht.alg.connectivity.KosarajuStrongConnectivityInspector;
import org.jgrapht.alg.shortestpath.BFSShortestPath;
import org.jgrapht.graph.AsSubgraph;

/**
 * The deadlock semantics of the AND/OR wait-for graph (fs-cycles §5.0, issue 11), as a pure
 * function of a {@link WaitGraph}.
 *
 * <p><b>Progress</b> is the least fixpoint of: a vertex can progress if it has no edges out (a
 * running task, a free resource, an OR node with no known provider), or it is AND and every target
 * can progress, or it is OR and some target can progress. <b>Stuck</b> is the rest: the largest set
 * S in which every vertex has edges out and (AND) some target in S, or (OR) every target in S
 * — the "knot" condition of the OR model: an OR node is stuck only when every alternative provider
 * is itself stuck. Every stuck vertex reaches a cycle of stuck vertices (finite graph, each stuck
 * vertex has a stuck successor), so S = knots ∪ collateral:
 * <ul>
 *   <li>a <b>knot</b> is a strongly connected component of S with a cycle (JGraphT's Kosaraju on
 *       the subgraph of S); each is reported once, with one shortest cycle through its first
 *       vertex (the longest-waiting task, else the smallest name);</li>
 *   <li><b>collateral</b> of a knot are the stuck vertices outside every knot that reach it; the
 *       report names the waiters among them (nobody stuck waits on them).</li>
 * </ul>
 * The fixpoint is a counting propagation (Horn-clause style, linear in the edges) rather than a
 * library call: JGraphT has no AND/OR reachability. Strong components and shortest paths are JGraphT's.
 */
public final class KnotAnalysis {

  /** One knot: its vertices, the cycle to print (edges in order, the last closing onto the first), its collateral. */
  public record Knot(Set<Vertex> vertices, List<Edge> cycle, List<Vertex> collateralWaiters, List<Edge> collateralEdges) {
    public Knot {
      vertices = Collections.unmodifiableSet(new TreeSet<>(vertices));
      cycle = List.copyOf(cycle);
      collateralWaiters = List.copyOf(collateralWaiters);
      collateralEdges = List.copyOf(collateralEdges);
    }

    /** Stable identity across detection rounds: the sorted names of its vertices. */
    public String key() {
      return String.join(" ", vertices.stream().map(Vertex::name).toList());
    }
  }

  /** Everything derived: the stuck set and its knots, sorted by key. */
  public record Result(Set<Vertex> stuck, List<Knot> knots) {
    public Result {
      stuck = Collections.unmodifiableSet(new TreeSet<>(stuck));
      knots = List.copyOf(knots);
    }
  }

  private KnotAnalysis() {}

  public static Result analyze(WaitGraph g) {
    Set<Vertex> stuck = stuck(g);
    Graph<Vertex, Edge> full = g.toJGraphT();
    Graph<Vertex, Edge> sub = new AsSubgraph<>(full, stuck);
    List<Set<Vertex>> components = new KosarajuStrongConnectivityInspector<>(sub).stronglyConnectedSets();
    List<Set<Vertex>> knotSets = new ArrayList<>();
    Set<Vertex> inKnots = new TreeSet<>();
    for (Set<Vertex> c : components) {
      boolean cyclic = c.size() > 1 || g.out(c.iterator().next()).stream().anyMatch(e -> e.to().equals(e.from()));
      if (cyclic) {
        knotSets.add(new TreeSet<>(c));
        inKnots.addAll(c);
      }
    }
    List<Knot> knots = new ArrayList<>();
    for (Set<Vertex> k : knotSets) {
      Graph<Vertex, Edge> kg = new AsSubgraph<>(full, k);
      List<Edge> cycle = shortestCycle(g, kg, first(g, k));
      Set<Vertex> collateral = collateral(g, stuck, inKnots, k);
      List<Vertex> waiters = new ArrayList<>();
      List<Edge> waiterEdges = new ArrayList<>();
      Set<Vertex> reachesKnot = new TreeSet<>(collateral);
      reachesKnot.addAll(k);
      for (Vertex v : collateral) {
        boolean someoneWaitsOnIt = g.in(v).stream().anyMatch(e -> collateral.contains(e.from()));
        if (!someoneWaitsOnIt) {
          waiters.add(v);
          waiterEdges.add(g.out(v).stream().filter(e -> reachesKnot.contains(e.to())).findFirst().orElseThrow());
        }
      }
      knots.add(new Knot(k, cycle, waiters, waiterEdges));
    }
    knots.sort(Comparator.comparing(Knot::key));
    return new Result(stuck, knots);
  }

  /** The stuck set: complement of the least progress fixpoint. */
  public static Set<Vertex> stuck(WaitGraph g) {
    // pending[v] = how many distinct targets must still be found progressing before v progresses:
    // all of them for AND, one for OR; a vertex with no targets progresses from the start.
    Map<Vertex, Integer> pending = new HashMap<>();
    Deque<Vertex> progressing = new ArrayDeque<>();
    Set<Vertex> progress = new java.util.HashSet<>();
    for (Vertex v : g.vertices()) {
      int targets = distinctTargets(g, v).size();
      int need = targets == 0 ? 0 : g.info(v).join() == Join.AND ? targets : 1;
      pending.put(v, need);
      if (need == 0) {
        progress.add(v);
        progressing.add(v);
      }
    }
    while (!progressing.isEmpty()) {
      Vertex t = progressing.poll();
      Set<Vertex> waiters = new LinkedHashSet<>();
      for (Edge e : g.in(t)) {
        waiters.add(e.from());
      }
      for (Vertex w : waiters) {
        if (progress.contains(w)) {
          continue;
        }
        int left = pending.merge(w, -1, Integer::sum);
        if (left == 0) {
          progress.add(w);
          progressing.add(w);
        }
      }
    }
    Set<Vertex> stuck = new TreeSet<>(g.vertices());
    stuck.removeAll(progress);
    return stuck;
  }

  private static Set<Vertex> distinctTargets(WaitGraph g, Vertex v) {
    Set<Vertex> ts = new LinkedHashSet<>();
    for (Edge e : g.out(v)) {
      ts.add(e.to());
    }
    return ts;
  }

  /** The vertex a printed cycle starts at: the task waiting longest (where a hang is noticed first), else the smallest name. */
  static Vertex first(WaitGraph g, Set<Vertex> knot) {
    Comparator<Vertex> longestWaitingTask = Comparator
        .<Vertex>comparingLong(v -> g.info(v).waitingSince().orElse(Long.MAX_VALUE))
        .thenComparing(Comparator.naturalOrder());
    return knot.stream().filter(Vertex::isTask).min(longestWaitingTask)
        .orElseGet(() -> knot.stream().min(longestWaitingTask).orElseThrow());
  }

  /** Shortest cycle through {@code start} inside the knot: the first edge out whose target leads back soonest. */
  private static List<Edge> shortestCycle(WaitGraph g, Graph<Vertex, Edge> knot, Vertex start) {
    List<Edge> best = null;
    BFSShortestPath<Vertex, Edge> bfs = new BFSShortestPath<>(knot);
    for (Edge e : g.out(start)) {
      if (!knot.containsVertex(e.to())) {
        continue;
      }
      List<Edge> cycle = new ArrayList<>();
      cycle.add(e);
      if (!e.to().equals(start)) {
        GraphPath<Vertex, Edge> back = bfs.getPath(e.to(), start);
        if (back == null) {
          continue;
        }
        cycle.addAll(back.getEdgeList());
      }
      if (best == null || cycle.size() < best.size()) {
        best = cycle;
      }
    }
    if (best == null) {
      throw new IllegalStateException("knot " + knot.vertexSet() + " has no cycle through " + start);
    }
    return best;
  }

  /** Stuck vertices outside every knot from which this knot is reachable through stuck vertices. */
  private static Set<Vertex> collateral(WaitGraph g, Set<Vertex> stuck, Set<Vertex> inKnots, Set<Vertex> knot) {
    Set<Vertex> found = new TreeSet<>();
    Deque<Vertex> todo = new ArrayDeque<>(knot);
    while (!todo.isEmpty()) {
      Vertex v = todo.poll();
      for (Edge e : g.in(v)) {
        Vertex w = e.from();
        if (stuck.contains(w) && !inKnots.contains(w) && found.add(w)) {
          todo.add(w);
        }
      }
    }
    return found;
  }
}
