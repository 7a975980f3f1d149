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
    }
  }
}
