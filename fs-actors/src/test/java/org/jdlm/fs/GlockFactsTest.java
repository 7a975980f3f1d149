package org.jdlm.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jdlm.fs.FsTestKit.onTask;
import static org.jdlm.fs.FsTestKit.until;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.jdlm.fs.core.GlockName;
import org.jdlm.fs.core.GlockState;
import org.jdlm.fs.core.GlockType;
import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.core.TaskSnapshot;
import org.jdlm.kernel.core.waits.DeadlockDetector;
import org.jdlm.kernel.core.waits.Edge;
import org.jdlm.kernel.core.waits.ReportIds;
import org.jdlm.kernel.core.waits.Vertex;
import org.jdlm.kernel.core.waits.WaitGraph;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The glocks' facts ({@link GlockFacts}): two tasks of one member take two glocks in opposite
 * orders (an ABBA, fs-cycles §5.4's shape on one node). The tasks' {@code waits-glock(EX)} come from
 * the kernel registry, each glock's {@code held-by} from the glock layer's published holders; the
 * detector names the knot. Without the glock facts there is none.
 */
class GlockFactsTest {
  private static final GlockName A = GlockName.of(GlockType.INODE, 0xa);
  private static final GlockName B = GlockName.of(GlockType.INODE, 0xb);

  private final ActorTestKit testKit = ActorTestKit.create();
  private Kernel kernel;
  private Glocks glocks;

  @AfterEach
  void stop() {
    if (glocks != null) {
      glocks.close();
    }
    if (kernel != null) {
      kernel.close();
    }
    testKit.shutdownTestKit();
  }

  private CompletableFuture<Object> lockBoth(String task, GlockName first, GlockName second,
                                             CompletableFuture<Void> mine, CompletableFuture<Void> other) {
    return onTask(kernel, task, () -> {
      Glocks.NqResult r1 = glocks.nq(first, GlockState.EX, Set.of());
      mine.complete(null);
      other.join();
      return glocks.nq(second, GlockState.EX, Set.of());
    });
  }

  @Test
  void anAbbaOfTwoLocalTasksOverTwoGlocksIsAKnotThroughTheGlocksHolders() throws Exception {
    kernel = FsTestKit.kernel("n1", "jdlm.kernel.tasks.max-wait = 60s");
    glocks = Glocks.mount(testKit.system(), "fs1", kernel, new NolockModule(), 32, GlockCacheOps.NONE,
        FsTestKit.settings(""));
    CompletableFuture<Void> pHasA = new CompletableFuture<>();
    CompletableFuture<Void> qHasB = new CompletableFuture<>();
    lockBoth("p", A, B, pHasA, qHasB);
    lockBoth("q", B, A, qHasB, pHasA);
    until("both tasks waiting for the other's glock", () -> waitingOn("p", B) && waitingOn("q", A));

    Vertex p = Vertex.local("n1", FsTestKit.task(kernel, "p").endpoint());
    Vertex q = Vertex.local("n1", FsTestKit.task(kernel, "q").endpoint());
    WaitGraph.Builder b = WaitGraph.builder();
    kernel.feedWaits(0, b);
    WaitGraph g = b.build();
    assertThat(g.out(Vertex.glock("n1", "2/a"))).extracting(Edge::to).containsExactly(p);
    assertThat(g.out(Vertex.glock("n1", "2/b"))).extracting(Edge::to).containsExactly(q);

    DeadlockDetector.Round round = new DeadlockDetector(new DeadlockDetector.Settings(List.of(), Set.of(),
        60_000_000_000L), new ReportIds("d"), 0).detect(g, 0);
    assertThat(round.deadlocks()).singleElement().satisfies(d -> {
      assertThat(d.knot().vertices()).containsExactlyInAnyOrder(p, q, Vertex.glock("n1", "2/a"),
          Vertex.glock("n1", "2/b"));
      assertThat(d.text()).contains("--waits-glock(EX)-->", "--held-by-->", "n1/glock:2/a[EX]", "closes: [4] -> [1]");
    });
    System.out.println(round.text());

    WaitGraph.Builder kernelOnly = WaitGraph.builder();
    kernel.snapshot().feedTo(0, kernelOnly);
    assertThat(org.jdlm.kernel.core.waits.KnotAnalysis.analyze(kernelOnly.build()).knots())
        .as("the tasks' waits alone: each glock is a sink, no knot").isEmpty();
  }

  private boolean waitingOn(String task, GlockName glock) {
    TaskSnapshot t = FsTestKit.task(kernel, task);
    return t != null && t.waitEdge() != null && t.waitEdge().label().equals("waits-glock(EX)")
        && t.waitEdge().targets().equals(List.of(GlockExecutor.endpoint(glock)));
  }
}
