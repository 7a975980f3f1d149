package org.jdlm.dlm;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jdlm.dlm.api.LockHandle;
import org.jdlm.dlm.api.LockResult;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.dlm.core.CastStatus;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.testkit.InprocCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Locking across two in-process members: queueing, grant on unlock, blocking callbacks. */
class RemoteLockingTest {

  private static InprocCluster cluster;

  @BeforeAll
  static void start() {
    cluster = InprocCluster.start(2, "rl", LockspaceSettings.defaults(),
        ConfigFactory.parseString("jdlm.dlm.toss-delay = 300ms"));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static LockResult await(java.util.concurrent.CompletionStage<LockResult> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void remoteRequestQueuesBehindLocalExclusiveAndIsGrantedOnUnlock() throws Exception {
    LockspaceHandle n1 = cluster.lockspace(0);
    LockspaceHandle n2 = cluster.lockspace(1);
    LinkedBlockingQueue<LockMode> basts = new LinkedBlockingQueue<>();
    LockHandle l1 = n1.lock("R-queue", LockMode.EX, Set.of(), null, (lock, mode) -> basts.add(mode));
    assertThat(await(l1.completion()).status()).isEqualTo(CastStatus.OK);

    LockHandle l2 = n2.lock("R-queue", LockMode.EX, Set.of(), null, null);
    assertThat(basts.poll(10, TimeUnit.SECONDS)).isEqualTo(LockMode.EX);
    assertThat(l2.completion().toCompletableFuture().isDone()).isFalse();

    assertThat(await(l1.unlock(Set.of(), null)).status()).isEqualTo(CastStatus.EUNLOCK);
    LockResult granted = await(l2.completion());
    assertThat(granted.status()).isEqualTo(CastStatus.OK);
    assertThat(granted.grantedMode()).isEqualTo(LockMode.EX);
    assertThat(await(l2.unlock(Set.of(), null)).status()).isEqualTo(CastStatus.EUNLOCK);
  }

  @Test
  void remoteNoqueueRequestFailsWithEagain() throws Exception {
    LockspaceHandle n1 = cluster.lockspace(0);
    LockspaceHandle n2 = cluster.lockspace(1);
    LockHandle l1 = n1.lock("R-noqueue", LockMode.EX, Set.of(), null, null);
    await(l1.completion());
    LockHandle l2 = n2.lock("R-noqueue", LockMode.PR, EnumSet.of(LockFlag.NOQUEUE), null, null);
    assertThat(await(l2.completion()).status()).isEqualTo(CastStatus.EAGAIN);
    await(l1.unlock(Set.of(), null));
  }
}
