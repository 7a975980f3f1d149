package org.jdlm.kernel.core.waits;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jdlm.kernel.core.Join;
import org.jgrapht.Graph;
import org.jgrapht.graph.DirectedPseudograph;

/**
 * The merged cluster-wide wait-for graph: plain immutable data built from every layer's facts
 * ({@link Builder} is the {@link FactSink}). Vertices and edges are kept sorted by name, so
 * everything derived from the graph (knots, the printed cycle, stall chains) is the same whatever
 * order members and layers reported in.
 */
public final class WaitGraph {

  /** What the graph knows of one vertex besides its edges. */
  public record Info(String state, Join join, OptionalLong waitingSince) {
    public Info {
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(join, "join");
      Objects.requireNonNull(waitingSince, "waitingSince");
    }
  }

  private final Map<Vertex, Info> vertices;
  private final Map<Vertex, List<Edge>> out;
  private final Map<Vertex, List<Edge>> in;
  private final List<Edge> edges;
  private final List<DlmRequest> dlmRequests;

  private WaitGraph(Map<Vertex, Info> vertices, Set<Edge> edges, List<DlmRequest> dlmRequests) {
    this.vertices = Collections.unmodifiableMap(new TreeMap<>(vertices));
    List<Edge> sorted = new ArrayList<>(edges);
    sorted.sort(Edge.ORDER);
    this.edges = List.copyOf(sorted);
    Map<Vertex, List<Edge>> o = new TreeMap<>();
    Map<Vertex, List<Edge>> i = new TreeMap<>();
    for (Vertex v : this.vertices.keySet()) {
      o.put(v, new ArrayList<>());
      i.put(v, new ArrayList<>());
    }
    for (Edge e : this.edges) {
      o.get(e.from()).add(e);
      i.get(e.to()).add(e);
    }
    o.replaceAll((k, l) -> List.copyOf(l));
    i.replaceAll((k, l) -> List.copyOf(l));
    this.out = Collections.unmodifiableMap(o);
    this.in = Collections.unmodifiableMap(i);
    List<DlmRequest> reqs = new ArrayList<>(dlmRequests);
    reqs.sort((a, b) -> (a.task() + a.lkbId()).compareTo(b.task() + b.lkbId()));
    this.dlmRequests = List.copyOf(reqs);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Every vertex, sorted by name. */
  public Set<Vertex> vertices() {
    return vertices.keySet();
  }

  public Info info(Vertex v) {
    Info i = vertices.get(v);
    if (i == null) {
      throw new IllegalArgumentException("no vertex " + v + " in the graph");
    }
    return i;
  }

  /** Every edge in {@link Edge#ORDER}. */
  public List<Edge> edges() {
    return edges;
  }

  /** v's edges out, in {@link Edge#ORDER}. */
  public List<Edge> out(Vertex v) {
    info(v);
    return out.get(v);
  }

  /** The edges into v (who needs v), in {@link Edge#ORDER}. */
  public List<Edge> in(Vertex v) {
    info(v);
    return in.get(v);
  }

  public List<DlmRequest> dlmRequests() {
    return dlmRequests;
  }

  /** {@code name[state]}, or the name alone when the vertex has no state. */
  public String withState(Vertex v) {
    String s = info(v).state();
    return s.isEmpty() ? v.name() : v.name() + "[" + s + "]";
  }

  /** The same graph for JGraphT's algorithms; vertices and edges inserted in sorted order (deterministic iteration). */
  Graph<Vertex, Edge> toJGraphT() {
    Graph<Vertex, Edge> g = new DirectedPseudograph<>(Edge.class);
    vertices.keySet().forEach(g::addVertex);
    for (Edge e : edges) {
      g.addEdge(e.from(), e.to(), e);
    }
    return g;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (Vertex v : vertices.keySet()) {
      b.append(withState(v)).append(' ').append(info(v).join()).append('\n');
      for (Edge e : out.get(v)) {
        b.append("  --").append(e.label()).append("--> ").append(e.to()).append('\n');
      }
    }
    return b.toString();
  }

  /** Collects facts from every layer; one builder per detection round. Not thread-safe. */
  public static final class Builder implements FactSink {
    private final Map<Vertex, String> states = new TreeMap<>();
    private final Map<Vertex, Join> joins = new TreeMap<>();
    private final Map<Vertex, Long> since = new TreeMap<>();
    private final Set<Vertex> seen = new TreeSet<>();
    private final Set<Edge> edges = new java.util.LinkedHashSet<>();
    private final Map<String, DlmRequest> requests = new TreeMap<>();

    private Builder() {}

    @Override
    public Builder vertex(Vertex v) {
      seen.add(Objects.requireNonNull(v, "vertex"));
      return this;
    }

    @Override
    public Builder state(Vertex v, String state) {
      vertex(v);
      states.put(v, state == null ? "" : state);
      return this;
    }

    @Override
    public Builder waitingSince(Vertex v, long sinceNanos) {
      vertex(v);
      since.merge(v, sinceNanos, Math::min);
      return this;
    }

    @Override
    public Builder join(Vertex v, Join join) {
      vertex(v);
      Objects.requireNonNull(join, "join");
      Join before = joins.putIfAbsent(v, join);
      if (before != null && before != join) {
        throw new IllegalArgumentException("vertex " + v + " reported as " + before + " and as " + join
            + ": a vertex's edges are either all needed or any one");
      }
      return this;
    }

    @Override
    public Builder edge(Edge e) {
      vertex(e.from());
      vertex(e.to());
      edges.add(e);
      return this;
    }

    @Override
    public Builder dlmRequest(DlmRequest r) {
      vertex(r.task());
      String key = r.task() + " " + r.lkbId();
      DlmRequest before = requests.putIfAbsent(key, r);
      if (before != null && !before.equals(r)) {
        throw new IllegalArgumentException("DLM request " + key + " reported twice differently: " + before + " / " + r);
      }
      return this;
    }

    public WaitGraph build() {
      Map<Vertex, Info> vs = new TreeMap<>();
      for (Vertex v : seen) {
        Long s = since.get(v);
        vs.put(v, new Info(states.getOrDefault(v, ""), joins.getOrDefault(v, Join.AND),
            s == null ? OptionalLong.empty() : OptionalLong.of(s)));
      }
      return new WaitGraph(vs, edges, new ArrayList<>(requests.values()));
    }
  }
}
