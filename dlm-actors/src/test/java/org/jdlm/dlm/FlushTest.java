package org.jdlm.dlm;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdlm.dlm.api.LockHandle;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.testkit.InprocCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link LockspaceHandle#flush()}: after every member flushed, no event is still on its way. */
class FlushTest {
  private InprocCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * n1's blocking callbacks are slow user code (10 ms each), so its callback thread lags behind the
   * BASTs that n2 and n3 send it. Flushing only the masters must still wait for all of them: the
   * marker queues behind them on n1's callback thread.
   */
  @Test
  void afterTheMastersFlushedEveryBlockingCallbackTheySentAlreadyRanAtItsOwner() throws Exception {
    cluster = InprocCluster.start(3, "flush", LockspaceSettings.defaults(),
        ConfigFactory.parseString("jdlm.dlm-actors.toss-delay = 60s"));
    LockspaceHandle n1 = cluster.lockspace(0);
    LockspaceHandle n2 = cluster.lockspace(1);
    LockspaceHandle n3 = cluster.lockspace(2);
    int resources = 40;
    AtomicInteger basts = new AtomicInteger();
    List<LockHandle> waiters = new ArrayList<>();
    for (int i = 0; i < resources; i++) {
      // Mastered by n2 or n3 (first requester), held EX by n1, so n1's BASTs cross the network.
      LockspaceHandle master = i % 2 == 0 ? n2 : n3;
      master.lock("R" + i, LockMode.NL, Set.of(), null, null).completion().toCompletableFuture().get(10, TimeUnit.SECONDS);
      n1.lock("R" + i, LockMode.EX, Set.of(), null, (h, m) -> slowly(basts))
          .completion().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    for (int i = 0; i < resources; i++) {
      waiters.add(n3.lock("R" + i, LockMode.PR, Set.of(), null, null));
    }
    // Every waiter is queued (its master answered) before the flush; their BASTs to n1 may not have
    // arrived yet. A flush of every member must change that.
    ClusterLockingTest.awaitCondition(() -> waiters.stream().allMatch(w -> w.state().name().equals("WAITING")),
        "every PR request to be queued");
    for (LockspaceHandle ls : List.of(n2, n3)) {
      assertThat(ls.flush().toCompletableFuture().get(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(basts.get()).isEqualTo(resources);
  }

  private static void slowly(AtomicInteger basts) {
    try {
      Thread.sleep(10); // user code that takes its time; not a wait for anything
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    basts.incrementAndGet();
  }

  @Test
  void aMemberThatMastersNothingFlushesAtOnce() throws Exception {
    cluster = InprocCluster.start(1, "flush1", LockspaceSettings.defaults(), ConfigFactory.empty());
    assertThat(cluster.lockspace(0).flush().toCompletableFuture().get(5, TimeUnit.SECONDS)).isTrue();
  }
}
