package org.jdlm.kernel.core.waits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.Join;

/**
 * The knot fixpoint against its definition, by brute force on small random AND/OR graphs: the
 * stuck set is the union of every vertex set S in which each vertex has edges out and (AND) some
 * target in S or (OR) all targets in S. And what is reported is consistent: every knot's cycle
 * is a closed walk inside the knot, and every stuck vertex is in a knot or reaches one.
 */
class KnotPropertyTest {

  record Shape(int n, List<Join> joins, boolean[][] adj) {
    @Override
    public String toString() {
      StringBuilder b = new StringBuilder("n=" + n + " joins=" + joins + " edges=");
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          if (adj[i][j]) {
            b.append(i).append("->").append(j).append(' ');
          }
        }
      }
      return b.toString();
    }
  }

  @Provide
  Arbitrary<Shape> shapes() {
    return Arbitraries.integers().between(1, 8).flatMap(n -> Combinators.combine(
        Arbitraries.of(Join.AND, Join.OR).list().ofSize(n),
        Arbitraries.integers().between(0, 100).list().ofSize(n * n),
        Arbitraries.integers().between(5, 60)).as((joins, rolls, density) -> {
          boolean[][] adj = new boolean[n][n];
          for (int i = 0; i < n * n; i++) {
            adj[i / n][i % n] = rolls.get(i) < density;
          }
          return new Shape(n, joins, adj);
        }));
  }

  private static Vertex vx(int i) {
    return new Vertex("n" + (i % 2), "task", "t" + i);
  }

  private static WaitGraph graph(Shape s) {
    WaitGraph.Builder b = WaitGraph.builder();
    for (int i = 0; i < s.n(); i++) {
      b.join(vx(i), s.joins().get(i));
      for (int j = 0; j < s.n(); j++) {
        if (s.adj()[i][j]) {
          b.edge(Edge.of(vx(i), EdgeKind.WAITS_REPLY, "", vx(j)));
        }
      }
    }
    return b.build();
  }

  private static Set<Vertex> bruteForceStuck(Shape s) {
    int n = s.n();
    int union = 0;
    for (int set = 1; set < (1 << n); set++) {
      boolean closed = true;
      for (int v = 0; v < n && closed; v++) {
        if ((set & (1 << v)) == 0) {
          continue;
        }
        boolean any = false;
        boolean all = true;
        boolean hasOut = false;
        for (int t = 0; t < n; t++) {
          if (s.adj()[v][t]) {
            hasOut = true;
            boolean in = (set & (1 << t)) != 0;
            any |= in;
            all &= in;
          }
        }
        closed = hasOut && (s.joins().get(v) == Join.AND ? any : all);
      }
      if (closed) {
        union |= set;
      }
    }
    Set<Vertex> stuck = new HashSet<>();
    for (int v = 0; v < n; v++) {
      if ((union & (1 << v)) != 0) {
        stuck.add(vx(v));
      }
    }
    return stuck;
  }

  @Property(tries = 2000)
  void stuckSetIsTheLargestClosedSet(@ForAll("shapes") Shape s) {
    assertThat(KnotAnalysis.stuck(graph(s))).isEqualTo(bruteForceStuck(s));
  }

  @Property(tries = 1000)
  void knotsAreCyclesOfStuckVerticesThatExplainEveryStuckVertex(@ForAll("shapes") Shape s) {
    WaitGraph g = graph(s);
    KnotAnalysis.Result r = KnotAnalysis.analyze(g);
    Set<Vertex> explained = new HashSet<>();
    for (KnotAnalysis.Knot k : r.knots()) {
      assertThat(r.stuck()).containsAll(k.vertices());
      List<Edge> c = k.cycle();
      assertThat(c).isNotEmpty();
      for (int i = 0; i < c.size(); i++) {
        assertThat(k.vertices()).contains(c.get(i).from(), c.get(i).to());
        assertThat(c.get(i).to()).isEqualTo(c.get((i + 1) % c.size()).from());
      }
      explained.addAll(k.vertices());
      explained.addAll(reachersOf(g, r.stuck(), k.vertices()));
    }
    assertThat(explained).isEqualTo(r.stuck());
    // Detection never throws and never reports a vertex that can progress.
    new DeadlockDetector(new DeadlockDetector.Settings(List.of(), Set.of(), 1), new ReportIds("p"), 0).detect(g, 10);
  }

  @Property(tries = 300)
  void reportsDoNotDependOnTheOrderFactsArrive(@ForAll("shapes") Shape s) {
    WaitGraph g = graph(s);
    WaitGraph.Builder reversed = WaitGraph.builder();
    List<Edge> edges = new ArrayList<>(g.edges());
    java.util.Collections.reverse(edges);
    List<Vertex> vertices = new ArrayList<>(g.vertices());
    java.util.Collections.reverse(vertices);
    for (Vertex v : vertices) {
      reversed.join(v, g.info(v).join());
    }
    edges.forEach(reversed::edge);
    String a = new DeadlockDetector(new DeadlockDetector.Settings(List.of(), Set.of(), 1), new ReportIds("p"), 0)
        .detect(g, 10).text();
    String b = new DeadlockDetector(new DeadlockDetector.Settings(List.of(), Set.of(), 1), new ReportIds("p"), 0)
        .detect(reversed.build(), 10).text();
    assertThat(b).isEqualTo(a);
  }

  private static Set<Vertex> reachersOf(WaitGraph g, Set<Vertex> stuck, Set<Vertex> targets) {
    Set<Vertex> found = new HashSet<>(targets);
    List<Vertex> todo = new ArrayList<>(targets);
    while (!todo.isEmpty()) {
      Vertex v = todo.remove(todo.size() - 1);
      for (Edge e : g.in(v)) {
        if (stuck.contains(e.from()) && found.add(e.from())) {
          todo.add(e.from());
        }
      }
    }
    return found;
  }
}
