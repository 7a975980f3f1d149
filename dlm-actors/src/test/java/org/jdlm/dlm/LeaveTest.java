package org.jdlm.dlm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jdlm.dlm.api.DlmException;
import org.jdlm.dlm.api.LockHandle;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.dlm.core.CastStatus;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.core.SyncStatus;
import org.jdlm.dlm.testkit.InprocCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Leaving a lockspace, and using one this node is not a member of. */
class LeaveTest {

  private InprocCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void leaveIsRefusedWhileHoldingLocksThenCallsFailWithEnoentAndTheOthersContinue() throws Exception {
    cluster = InprocCluster.start(2, "lv", LockspaceSettings.defaults(),
        ConfigFactory.parseString("jdlm.dlm-actors.toss-delay = 200ms"));
    LockspaceHandle n1 = cluster.lockspace(0);
    LockspaceHandle n2 = cluster.lockspace(1);
    LockHandle held = n2.lock("L-held", LockMode.PR, Set.of(), null, null);
    held.completion().toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertThatThrownBy(() -> n2.leave().toCompletableFuture().get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOfSatisfying(DlmException.class, e -> assertThat(e.code()).isEqualTo(SyncStatus.EBUSY));

    held.unlock(Set.of(), null).toCompletableFuture().get(10, TimeUnit.SECONDS);
    // Mastery of L-held is dropped after the toss delay; then leaving succeeds.
    ClusterLockingTest.awaitCondition(() -> {
      try {
        n2.leave().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return true;
      } catch (ExecutionException e) {
        return false;
      }
    }, "n2 to leave");

    assertThatThrownBy(() -> n2.lock("L-after", LockMode.PR, Set.of(), null, null))
        .isInstanceOfSatisfying(DlmException.class, e -> assertThat(e.code()).isEqualTo(SyncStatus.ENOENT));
    ClusterLockingTest.awaitCondition(() -> n1.members().size() == 1, "n1 to run alone");
    LockHandle alone = n1.lock("L-held", LockMode.EX, Set.of(), null, null);
    assertThat(alone.completion().toCompletableFuture().get(10, TimeUnit.SECONDS).status()).isEqualTo(CastStatus.OK);
    assertThat(Dlm.get(cluster.system(1)).lockspace("lv")).isNull();
  }

  @Test
  void joiningWithABadNameOrLvbLengthIsRefusedAtOnce() {
    cluster = InprocCluster.start(1, "ok");
    Dlm dlm = Dlm.get(cluster.system(0));
    assertThatThrownBy(() -> dlm.joinLockspace("bad name!", LockspaceSettings.defaults()))
        .isInstanceOfSatisfying(DlmException.class, e -> assertThat(e.code()).isEqualTo(SyncStatus.EINVAL));
    assertThatThrownBy(() -> new LockspaceSettings(12))
        .isInstanceOfSatisfying(DlmException.class, e -> assertThat(e.code()).isEqualTo(SyncStatus.EINVAL));
    assertThatThrownBy(() -> dlm.joinLockspace("ok", new LockspaceSettings(64)))
        .isInstanceOfSatisfying(DlmException.class, e -> assertThat(e.code()).isEqualTo(SyncStatus.EEXIST));
  }

  @Test
  void joiningAgainReturnsTheRunningMemberAndKeepsItRegistered() throws Exception {
    cluster = InprocCluster.start(1, "again");
    Dlm dlm = Dlm.get(cluster.system(0));
    LockspaceHandle first = dlm.lockspace("again");
    LockspaceHandle second = dlm.joinLockspace("again", LockspaceSettings.defaults()).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    assertThat(second).isSameAs(first);
    assertThat(dlm.lockspace("again")).as("still registered after the second join").isSameAs(first);
    assertThatThrownBy(() -> dlm.joinLockspace("again", new LockspaceSettings(64)))
        .isInstanceOfSatisfying(DlmException.class, e -> assertThat(e.code()).isEqualTo(SyncStatus.EEXIST));
    assertThat(dlm.lockspace("again")).as("still registered after a refused join").isSameAs(first);
  }
}
