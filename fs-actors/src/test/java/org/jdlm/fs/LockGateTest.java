package org.jdlm.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jdlm.fs.FsTestKit.get;
import static org.jdlm.fs.FsTestKit.onTask;
import static org.jdlm.fs.FsTestKit.until;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.jdlm.fs.core.GlockName;
import org.jdlm.fs.core.GlockState;
import org.jdlm.fs.core.GlockType;
import org.jdlm.fs.core.HolderFlag;
import org.jdlm.kernel.Kernel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The BLOCK_LOCKS hook in {@link Glocks#nq}: the gate is asked before the holder is queued and
 * again after its grant (a grant that arrives during recovery is held back in the task, with the
 * glock already granted), never for a NOEXP holder.
 */
class LockGateTest {
  private final ActorTestKit testKit = ActorTestKit.create();
  private final Kernel kernel = FsTestKit.kernel("n1", "");
  private final Glocks glocks = Glocks.mount(testKit.system(), "fs1", kernel, new NolockModule(), 32,
      GlockCacheOps.NONE, FsTestKit.settings(""));

  @AfterEach
  void stop() {
    glocks.close();
    testKit.shutdownTestKit();
    kernel.close();
  }

  @Test
  void theGateIsAskedBeforeTheEnqueueAndAfterTheGrantAndHoldsTheGrantBack() throws Exception {
    List<String> asked = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> thaw = new CompletableFuture<>();
    glocks.useGate((name, caller) -> {
      asked.add(name + " " + caller);
      if (asked.size() == 2) {
        thaw.join(); // the second call is the one after the grant
      }
    });
    GlockName name = GlockName.of(GlockType.INODE, 0x99);
    CompletableFuture<Glocks.NqResult> stat = onTask(kernel, "stat", () -> {
      Glocks.NqResult r = glocks.nq(name, GlockState.SH, Set.of());
      glocks.dq(((Glocks.Granted) r).holder());
      return r;
    });
    until("the grant is held back at the gate", () -> asked.size() == 2);
    assertThat(FsTestKit.dump(glocks)).as("granted in the glock, not yet returned to the task").contains(" H: s:SH f:H");
    assertThat(stat).isNotDone();
    thaw.complete(null);
    assertThat(get(stat)).isInstanceOf(Glocks.Granted.class);
    assertThat(asked).containsExactly("2/99 nq_num", "2/99 nq_num");
  }

  @Test
  void aNoexpHolderNeverAsksTheGate() throws Exception {
    List<String> asked = new CopyOnWriteArrayList<>();
    glocks.useGate((name, caller) -> asked.add(name.toString()));
    get(onTask(kernel, "recover", () -> {
      Glocks.NqResult r = glocks.nq(GlockName.of(GlockType.JOURNAL, 2), GlockState.EX, EnumSet.of(HolderFlag.NOEXP));
      glocks.dq(((Glocks.Granted) r).holder());
      return r;
    }));
    assertThat(asked).isEmpty();
  }
}
