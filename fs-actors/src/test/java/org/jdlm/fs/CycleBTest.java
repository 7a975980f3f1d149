package org.jdlm.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jdlm.fs.FsTestKit.until;

import java.util.List;
import org.jdlm.kernel.core.TaskSnapshot;
import org.jdlm.kernel.core.waits.DeadlockDetector;
import org.jdlm.kernel.core.waits.Edge;
import org.jdlm.kernel.core.waits.Vertex;
import org.junit.jupiter.api.Test;

/**
 * fs-cycles §5.2 cycle (b), variant b1 with the final-put-only eviction, on three in-process
 * members over the real DLM: n3 is killed, the survivors stop the lockspace, n1 (the recovery
 * coordinator) runs the fence agent as a kernel task, whose working memory is short; its direct
 * reclaim evicts a cached inode whose final glock put calls {@code dlm_unlock}, which waits for the
 * lockspace to run again — which waits for the fence this very agent carries out. Every edge is a
 * wait or fact of a running layer: the agent's {@code waits-dlm-running} (DlmLockModule, in the
 * agent's thread), the lockspace's {@code waits-fencing} (its published recovery state), the
 * fence's {@code run-by} (KernelFencing). Memory for n1: 128 pages, min 8, low 12; kswapd off, so
 * the agent is its own and only reclaimer (b1).
 */
class CycleBTest {
  private static final String SMALL = """
      jdlm.kernel.memory { total-pages = 128, page-size = 4096, min-pages = 8, low-pages = 12, high-pages = 16 }
      """;

  @Test
  void b1FinalPutNegativeRunIsAKnotOfTheAgentTheStoppedLockspaceAndTheFence() throws Exception {
    try (FenceCycleFixture f = new FenceCycleFixture(SMALL, "jdlm.fs.inode.put-async-in-reclaim = off", "",
        List.of())) {
      f.cacheInodesDemotedByN2(0x1a2b, 4);
      f.pressN1To(12); // at low: nothing reclaims yet; the agent's 16 pages will need reclaim
      f.killN3();

      DeadlockDetector.Round round = f.detectWithin(f.detector("b"), 30_000);
      assertThat(round.deadlocks()).as("b1 detected:\n" + round.text()).hasSize(1);
      DeadlockDetector.DeadlockReport d = round.deadlocks().get(0);
      String text = d.text();
      TaskSnapshot agent = FsTestKit.task(f.kernels.get(0), "fence_agent");
      Vertex agentV = Vertex.local("n1", agent.endpoint());
      assertThat(agent.activity()).as("the agent is reclaiming through the inode shrinker")
          .isEqualTo("reclaims-via(inode_cache:" + FenceCycleFixture.FS + ")");
      assertThat(d.knot().vertices()).containsExactlyInAnyOrder(agentV, Vertex.lockspace(FenceCycleFixture.FS),
          Vertex.fence("n1", "n3"));
      assertThat(d.knot().cycle()).extracting(e -> e.kind().label())
          .containsExactlyInAnyOrder("waits-dlm-running", "waits-fencing", "run-by");
      assertThat(text).contains("knot=3", "closes: [3] -> [1]", "dlm/ls:gfs2fs[STOPPED gen ",
          "--waits-fencing(n3)-->", "n1/fence:n3[actor=n1 agent=#" + agent.id() + "]");
      System.out.println("cycle b1 (final put) negative run:\n" + text);

      // Collateral damage on the other survivor: any fs task there waits for the same lockspace.
      FsTestKit.onTask(f.kernels.get(1), "cp", () -> f.glocks.get(1).nq(
          org.jdlm.fs.core.GlockName.of(org.jdlm.fs.core.GlockType.INODE, 0x77), org.jdlm.fs.core.GlockState.SH,
          java.util.Set.of()));
      until("n2's cp waiting for the lockspace", () -> {
        TaskSnapshot cp = FsTestKit.task(f.kernels.get(1), "cp");
        return cp != null && cp.waitEdge() != null && cp.waitEdge().label().equals("waits-dlm-running");
      });
      DeadlockDetector.Round again = f.detectWithin(f.detector("b"), 5_000);
      assertThat(again.deadlocks()).singleElement().satisfies(r -> assertThat(r.text())
          .contains("collateral: ", "n2/task:cp#", "--waits-dlm-running--> dlm/ls:gfs2fs"));
      System.out.println("with n2's collateral:\n" + again.text());
    }
  }

  /** n1 caches four inodes demoted by n2, is pressed to its low watermark, and n3 is killed. */
  private static void preconditions(FenceCycleFixture f) throws Exception {
    f.cacheInodesDemotedByN2(0x1a2b, 4);
    f.pressN1To(12);
    f.killN3();
  }

  /** After recovery: n1's reclaim evicts cached inodes again, and their final puts reach the DLM. */
  private static void evictionProgresses(FenceCycleFixture f) throws Exception {
    int before = f.inodes.stats().inodes();
    assertThat(f.allocateUnderPressureOnN1("dd")).isInstanceOf(org.jdlm.kernel.Allocation.class);
    assertThat(f.inodes.stats().inodes()).as("reclaim evicted inodes after recovery").isLessThan(before);
  }

  /** F-b3 with a reserve: the agent's working memory comes from the "fence" mempool; no reclaim, no knot. */
  @Test
  void fenceReserveCutsTheAgentsAllocationAndRecoveryCompletes() throws Exception {
    try (FenceCycleFixture f = new FenceCycleFixture(SMALL, "jdlm.fs.inode.put-async-in-reclaim = off",
        "jdlm.fencing.memory.reserve = 1", List.of("fence-reserve"))) {
      preconditions(f);
      f.awaitRecoveryWithDetectorSilent(f.detector("b"), 30_000);
      assertThat(f.kernels.get(0).memory().snapshot().mempools()).filteredOn(p -> p.name().equals("fence"))
          .singleElement().satisfies(p -> assertThat(p.served()).isPositive());
      assertThat(f.inodes.stats().inodes()).as("the agent evicted nothing").isEqualTo(4);
      evictionProgresses(f);
    }
  }

  /** F-b4: the survivors run no agent; the fence completes after the watchdog timeout whatever the memory. */
  @Test
  void watchdogFencingNeedsNoAgentAndRecoveryCompletes() throws Exception {
    try (FenceCycleFixture f = new FenceCycleFixture(SMALL, "jdlm.fs.inode.put-async-in-reclaim = off",
        "jdlm.fencing.watchdog-fencing { enabled = on, timeout = 1s }", List.of("watchdog-fencing"))) {
      preconditions(f);
      f.awaitRecoveryWithDetectorSilent(f.detector("b"), 30_000);
      assertThat(FsTestKit.task(f.kernels.get(0), "fence_agent")).isNull();
      evictionProgresses(f);
    }
  }

  /**
   * F-a2/F-b2 for the final-put variant ({@code jdlm.fs.inode.put-async-in-reclaim = on}): the
   * agent's reclaim hands each final put to the glock workqueue and frees the inodes, so it gets
   * its memory; the worker that carries the put waits for the lockspace (collateral, no knot).
   */
  @Test
  void asyncPutInReclaimLetsTheAgentReclaimAndRecoveryCompletes() throws Exception {
    try (FenceCycleFixture f = new FenceCycleFixture(SMALL, "jdlm.fs.inode.put-async-in-reclaim = on", "",
        List.of("put-async"))) {
      preconditions(f);
      f.awaitRecoveryWithDetectorSilent(f.detector("b"), 30_000);
      assertThat(f.inodes.stats().inodes()).as("the agent's reclaim evicted inodes").isLessThan(4);
      // The workers' final puts, held at the stopped lockspace, reach the DLM after the resume.
      until("n1's evicted inode glock 2/1a2b unlocked and freed",
          () -> !FsTestKit.dump(f.glocks.get(0)).contains("n:2/1a2b "));
    }
  }

  /**
   * F-b3 with IO_FLUSHER alone, b1 (kswapd off): the agent no longer enters the filesystem
   * shrinker, so b1's knot is cut; with nothing to reclaim for NOIO it waits and fails like any task
   * (no knot: memory has no blocked source), and fencing succeeds once memory is freed elsewhere.
   */
  @Test
  void ioFlusherCutsB1() throws Exception {
    try (FenceCycleFixture f = new FenceCycleFixture(SMALL, "jdlm.fs.inode.put-async-in-reclaim = off",
        "jdlm.fencing.memory.io-flusher = on", List.of("io-flusher"))) {
      preconditions(f);
      DeadlockDetector detector = f.detector("b");
      until("an IO_FLUSHER fence agent waiting for memory", () -> {
        TaskSnapshot a = FsTestKit.task(f.kernels.get(0), "fence_agent");
        return a != null && a.waitEdge() != null && a.waitEdge().label().equals("waits-memory(64KiB,GFP_NOIO)");
      });
      assertThat(FsTestKit.task(f.kernels.get(0), "fence_agent").activity()).isEmpty();
      assertThat(detector.detect(f.survivorsGraph(0), 0).deadlocks()).isEmpty();
      assertThat(f.inodes.stats().inodes()).as("no inode evicted by the agent").isEqualTo(4);
      f.releaseHog(); // memory freed elsewhere: the next agent gets its working set
      f.awaitRecoveryWithDetectorSilent(detector, 30_000);
    }
  }

  /**
   * b2 (kswapd on) with IO_FLUSHER: the negative control of F-b3. kswapd evicts, its final put waits
   * for the stopped lockspace; the agent waits on memory whose only source is that kswapd. The
   * knot goes through the OR node n1/mem.
   */
  @Test
  void ioFlusherAloneStillLeavesB2() throws Exception {
    try (FenceCycleFixture f = new FenceCycleFixture(SMALL + "jdlm.kernel.memory.kswapd.enabled = on\n",
        "jdlm.fs.inode.put-async-in-reclaim = off", "jdlm.fencing.memory.io-flusher = on", List.of("io-flusher"))) {
      preconditions(f);
      DeadlockDetector.Round round = f.detectWithin(f.detector("b"), 30_000);
      assertThat(round.deadlocks()).as("b2 detected:\n" + round.text()).hasSize(1);
      DeadlockDetector.DeadlockReport d = round.deadlocks().get(0);
      Vertex agent = Vertex.local("n1", FsTestKit.task(f.kernels.get(0), "fence_agent").endpoint());
      Vertex kswapd = Vertex.local("n1", FsTestKit.task(f.kernels.get(0), "kswapd0").endpoint());
      assertThat(d.knot().vertices()).contains(agent, kswapd, Vertex.mem("n1"), Vertex.lockspace(FenceCycleFixture.FS),
          Vertex.fence("n1", "n3"));
      assertThat(d.knot().cycle()).extracting(e -> e.kind().label())
          .contains("waits-memory", "waits-dlm-running", "waits-fencing", "run-by");
      assertThat(d.text()).contains("waits-memory(64KiB,GFP_NOIO)", "fix-switches=io-flusher",
          "hint: knot contains OR-node n1/mem");
      System.out.println("cycle b2 with io-flusher (negative control):\n" + d.text());
    }
  }
}
