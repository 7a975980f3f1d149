package org.jdlm.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jdlm.fs.FsTestKit.get;
import static org.jdlm.fs.FsTestKit.onTask;
import static org.jdlm.fs.FsTestKit.until;

import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.fs.core.GlockName;
import org.jdlm.fs.core.GlockState;
import org.jdlm.fs.core.GlockType;
import org.jdlm.fs.core.HolderFlag;
import org.jdlm.kernel.Allocation;
import org.jdlm.kernel.AllocationResult;
import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.core.GfpMask;
import org.jdlm.kernel.core.TaskFlag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The inode cache over glocks on one member ({@code lock_nolock}): eviction in the task that causes it. */
class InodeCacheTest {
  private static final long INO = 0x805b;
  private static final GlockName INODE_GL = GlockName.of(GlockType.INODE, INO);

  private final ActorTestKit testKit = ActorTestKit.create();
  private Kernel kernel;
  private Glocks glocks;
  private InodeCache inodes;
  private CountingLockModule lm;

  private void mount(boolean putAsyncInReclaim) {
    kernel = FsTestKit.kernel("n1", """
        jdlm.kernel.memory { total-pages = 96, page-size = 4096, min-pages = 8, low-pages = 12, high-pages = 16 }
        jdlm.kernel.memory.reclaim { max-retries = 100, retry-wait = 20ms }
        """);
    lm = new CountingLockModule(new NolockModule());
    FsSettings settings = FsTestKit.settings("jdlm.fs.glock.struct-bytes = 8KiB\n"
        + "jdlm.fs.inode { struct-bytes = 8KiB, put-async-in-reclaim = " + putAsyncInReclaim + " }");
    glocks = Glocks.mount(testKit.system(), "fs1", kernel, lm, 32, GlockCacheOps.NONE, settings);
    inodes = InodeCache.create("fs1", glocks, settings);
  }

  @AfterEach
  void stop() {
    if (inodes != null) {
      inodes.close();
    }
    if (glocks != null) {
      glocks.close();
    }
    testKit.shutdownTestKit();
    if (kernel != null) {
      kernel.close();
    }
  }

  /** Caches the inode, unused, with its inode glock already demoted to UN (its next put is the final one). */
  private void cacheInodeWithUnlockedGlock() throws Exception {
    get(onTask(kernel, "ls", () -> {
      InodeCache.Inode inode = inodes.iget(INO);
      Glocks.NqResult r = glocks.nq(inode.inodeGlock(), GlockState.SH, Set.of(HolderFlag.NOCACHE), "stat");
      glocks.dq(((Glocks.Granted) r).holder());
      inodes.iput(inode);
      return null;
    }));
    assertThat(inodes.stats().lru()).containsExactly(INO);
    until("inode glock idle in UN", () -> FsTestKit.dump(glocks).lines()
        .anyMatch(l -> l.startsWith("G:  s:UN n:2/805b ") && !l.matches(".* f:\\S*l\\S* .*")));
  }

  private AllocationResult allocateUnderPressure(String task) throws Exception {
    long wanted = (kernel.memory().freePages() - 8 + 1) * 4096; // one page more than is free above min
    return get(onTask(kernel, task, () -> kernel.memory().allocate(wanted, GfpMask.KERNEL)));
  }

  @Test
  void seedEraEvictionInReclaimDoesTheFinalGlockPutAndItsDlmUnlockInTheReclaimingTask() throws Exception {
    mount(false);
    cacheInodeWithUnlockedGlock();
    AllocationResult a = allocateUnderPressure("dd");
    assertThat(a).isInstanceOf(Allocation.class);
    ((Allocation) a).close();
    assertThat(inodes.stats().inodes()).isZero();
    CountingLockModule.Event unlock = lm.await("unlock of the inode glock",
        e -> e.op().equals("unlock") && e.name().equals(INODE_GL), FsTestKit.BOUND_MS);
    assertThat(unlock.task()).as("cycle (a): the reclaiming task itself reaches dlm_unlock").isEqualTo("dd");
  }

  @Test
  void withAsyncPutInReclaimTheFinalPutRunsOnTheGlockWorkqueue() throws Exception {
    mount(true);
    cacheInodeWithUnlockedGlock();
    AllocationResult a = allocateUnderPressure("dd");
    assertThat(a).isInstanceOf(Allocation.class);
    ((Allocation) a).close();
    CountingLockModule.Event unlock = lm.await("unlock of the inode glock",
        e -> e.op().equals("unlock") && e.name().equals(INODE_GL), FsTestKit.BOUND_MS);
    assertThat(unlock.task()).as("fix F-a2").startsWith("kworker/glock_workqueue-fs1");
  }

  @Test
  void theLastPutOfAnUnlinkedInodeDeallocatesThroughTheIopenTryLock() throws Exception {
    mount(true);
    get(onTask(kernel, "rm", () -> {
      InodeCache.Inode inode = inodes.iget(INO);
      inodes.unlink(inode);
      inodes.iput(inode);
      return null;
    }));
    assertThat(inodes.stats().inodes()).isZero();
    assertThat(lm.calls()).anySatisfy(e -> {
      assertThat(e.name()).isEqualTo(GlockName.of(GlockType.IOPEN, INO));
      assertThat(e.mode()).isEqualTo(LockMode.EX);
      assertThat(e.flags()).contains(LockFlag.NOQUEUE, LockFlag.NOQUEUEBAST);
      assertThat(e.task()).isEqualTo("rm");
    });
    assertThat(lm.calls()).as("deallocation takes the inode glock EX").anySatisfy(e -> {
      assertThat(e.name()).isEqualTo(INODE_GL);
      assertThat(e.mode()).isEqualTo(LockMode.EX);
    });
  }

  @Test
  void anUnlinkedInodeReleasedInReclaimIsDeletedByTheDeleteWorkqueue() throws Exception {
    mount(true);
    CompletableFuture<Void> done = new CompletableFuture<>();
    kernel.spawn("reclaimer", EnumSet.of(TaskFlag.MEMALLOC), () -> {
      try {
        InodeCache.Inode inode = inodes.iget(INO);
        inodes.unlink(inode);
        inodes.iput(inode); // PF_MEMALLOC: deleting here could recurse into reclaim, so defer it
        done.complete(null);
      } catch (Throwable t) {
        done.completeExceptionally(t);
      }
    });
    get(done);
    CountingLockModule.Event iopenEx = lm.await("iopen EX try", e -> e.name().equals(GlockName.of(GlockType.IOPEN, INO))
        && e.mode() == LockMode.EX, FsTestKit.BOUND_MS);
    assertThat(iopenEx.task()).startsWith("kworker/delete_workqueue-fs1");
    until("inode deleted", () -> inodes.stats().inodes() == 0);
  }
}
