package org.jdlm.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jdlm.fs.FsTestKit.get;
import static org.jdlm.fs.FsTestKit.onTask;
import static org.jdlm.fs.FsTestKit.until;

import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.testkit.InprocCluster;
import org.jdlm.fs.core.GlockName;
import org.jdlm.fs.core.GlockState;
import org.jdlm.fs.core.GlockType;
import org.jdlm.fs.core.HolderFlag;
import org.jdlm.fs.core.DlmReply;
import org.jdlm.kernel.Allocation;
import org.jdlm.kernel.AllocationResult;
import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.core.GfpMask;
import org.jdlm.kernel.core.TaskSnapshot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Glocks on two in-process members over the real DLM (one lockspace per filesystem), each member
 * with its own kernel. Member A = index 0, B = index 1. Each test uses its own glock numbers.
 */
class GlockClusterTest {
  private static final long HOLD_MS = 400;

  private static InprocCluster cluster;
  private static final List<Kernel> kernels = new ArrayList<>();
  private static final List<Glocks> glocks = new ArrayList<>();
  private static final List<CountingLockModule> modules = new ArrayList<>();

  @BeforeAll
  static void start() {
    cluster = InprocCluster.start(2, "gfs1", LockspaceSettings.defaults(), ConfigFactory.empty());
    FsSettings settings = FsTestKit.settings("jdlm.fs.glock { hold-time = " + HOLD_MS + "ms, min-hold-time = 100ms }");
    for (int i = 0; i < 2; i++) {
      Kernel k = FsTestKit.kernel("n" + (i + 1), "");
      CountingLockModule lm = new CountingLockModule(new DlmLockModule(cluster.lockspace(i)));
      kernels.add(k);
      modules.add(lm);
      glocks.add(Glocks.mount(cluster.system(i), "gfs1", k, lm, cluster.lockspace(i).lvbLength(),
          GlockCacheOps.NONE, settings));
    }
  }

  @AfterAll
  static void stop() {
    glocks.forEach(Glocks::close);
    kernels.forEach(Kernel::close);
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void exclusiveOnAWaitsForBsSharedHolderAndTheMinimumHoldTimeThenDemotesB() throws Exception {
    GlockName name = GlockName.of(GlockType.INODE, 0x1c00);
    Glocks a = glocks.get(0);
    Glocks b = glocks.get(1);
    CompletableFuture<Void> releaseB = new CompletableFuture<>();
    long[] bGranted = new long[1];
    long[] bReleased = new long[1];
    CompletableFuture<Void> reader = onTask(kernels.get(1), "reader", () -> {
      Glocks.NqResult r = b.nq(name, GlockState.SH, Set.of());
      bGranted[0] = System.nanoTime();
      releaseB.join();
      bReleased[0] = System.nanoTime();
      b.dq(((Glocks.Granted) r).holder());
      return null;
    });
    until("B's reader granted SH", () -> FsTestKit.dump(b).contains(" H: s:SH f:H"));

    CompletableFuture<Long> writer = onTask(kernels.get(0), "writer", () -> {
      Glocks.NqResult r = a.nq(name, GlockState.EX, Set.of());
      long t = System.nanoTime();
      a.dq(((Glocks.Granted) r).holder());
      return t;
    });
    // A's task waits for the glock, visibly; B got the DLM's blocking callback.
    until("A's writer waits for the glock", () -> {
      TaskSnapshot t = FsTestKit.task(kernels.get(0), "writer");
      return t != null && t.waitEdge() != null && t.waitEdge().label().equals("waits-glock(EX)");
    });
    assertThat(FsTestKit.task(kernels.get(0), "writer").waitEdge().targets()).containsExactly("glock:2/1c00");
    modules.get(1).await("BAST on B", e -> e.op().equals("bast") && e.name().equals(name), FsTestKit.BOUND_MS);
    assertThat(writer).as("B's holder is still granted").isNotDone();

    releaseB.complete(null);
    long aGranted = get(writer);
    get(reader);
    assertThat(aGranted).as("A is granted only after B's holder went").isGreaterThan(bReleased[0]);
    assertThat(TimeUnit.NANOSECONDS.toMillis(aGranted - bGranted[0]))
        .as("B kept its SH for the minimum hold time (less the wake-up lag of B's task)")
        .isGreaterThanOrEqualTo(HOLD_MS - 100);
    CountingLockModule.Event demote = modules.get(1).await("B demotes to NL",
        e -> e.op().equals("convert") && e.name().equals(name) && e.mode() == LockMode.NL, FsTestKit.BOUND_MS);
    assertThat(demote.task()).as("the demote ran on B's glock workqueue").startsWith("kworker/glock_workqueue-gfs1");
  }

  /**
   * Cycle (a)'s path end to end, seed era ({@code put-async-in-reclaim = off}): B caches an inode
   * whose inode glock A's EX request demoted to UN (NL); an allocation on B reclaims through the
   * inode shrinker, and the reclaiming task itself does the final glock put and the DLM unlock.
   */
  @Test
  void evictionInReclaimOnBSendsTheDlmUnlockFromTheReclaimingTask() throws Exception {
    long ino = 0x4e00;
    GlockName inodeGl = GlockName.of(GlockType.INODE, ino);
    Kernel small = FsTestKit.kernel("n2", "jdlm.kernel.memory { total-pages = 128, page-size = 4096, min-pages = 8,"
        + " low-pages = 12, high-pages = 16 }\njdlm.kernel.memory.reclaim { max-retries = 100, retry-wait = 20ms }");
    FsSettings seedEra = FsTestKit.settings("jdlm.fs.inode.put-async-in-reclaim = off");
    CountingLockModule lm = new CountingLockModule(new DlmLockModule(cluster.lockspace(1)));
    Glocks b = Glocks.mount(cluster.system(1), "gfs1e", small, lm, cluster.lockspace(1).lvbLength(),
        GlockCacheOps.NONE, seedEra);
    InodeCache inodes = InodeCache.create("gfs1e", b, seedEra);
    try {
      get(onTask(small, "ls", () -> {
        InodeCache.Inode inode = inodes.iget(ino);
        Glocks.NqResult r = b.nq(inode.inodeGlock(), GlockState.SH, Set.of(), "stat");
        b.dq(((Glocks.Granted) r).holder());
        inodes.iput(inode);
        return null;
      }));
      get(onTask(kernels.get(0), "chmod", () -> {
        Glocks.NqResult r = glocks.get(0).nq(inodeGl, GlockState.EX, Set.of());
        glocks.get(0).dq(((Glocks.Granted) r).holder());
        return null;
      }));
      until("B's inode glock idle in UN", () -> FsTestKit.dump(b).lines()
          .anyMatch(l -> l.startsWith("G:  s:UN n:2/4e00 ") && !l.matches(".* f:\\S*l\\S* .*")));

      long wanted = (small.memory().freePages() - 8 + 1) * 4096;
      AllocationResult a = get(onTask(small, "dd", () -> small.memory().allocate(wanted, GfpMask.KERNEL)));
      assertThat(a).isInstanceOf(Allocation.class);
      ((Allocation) a).close();
      CountingLockModule.Event unlock = lm.await("B unlocks the inode glock",
          e -> e.op().equals("unlock") && e.name().equals(inodeGl), FsTestKit.BOUND_MS);
      assertThat(unlock.task()).isEqualTo("dd");
      lm.await("EUNLOCK on B", e -> e.op().equals("completed") && e.name().equals(inodeGl)
          && e.reply() == DlmReply.UnlockDone.INSTANCE, FsTestKit.BOUND_MS);
      assertThat(inodes.stats().inodes()).isZero();
    } finally {
      inodes.close();
      b.close();
      small.close();
    }
  }

  @Test
  void aCachedGlockIsReacquiredWithNoDlmTraffic() throws Exception {
    GlockName name = GlockName.of(GlockType.INODE, 0x2d00);
    Glocks b = glocks.get(1);
    CountingLockModule lm = modules.get(1);
    get(onTask(kernels.get(1), "ls", () -> {
      Glocks.NqResult r = b.nq(name, GlockState.SH, Set.of());
      b.dq(((Glocks.Granted) r).holder());
      return null;
    }));
    long before = lm.calls().stream().filter(e -> e.name().equals(name)).count();
    assertThat(before).isEqualTo(1);
    assertThat(lm.calls().stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow().task())
        .as("nq's promote sends its DLM request from the enqueuing task").isEqualTo("ls");
    for (int i = 0; i < 3; i++) {
      get(onTask(kernels.get(1), "stat" + i, () -> {
        Glocks.NqResult r = b.nq(name, GlockState.SH, Set.of());
        b.dq(((Glocks.Granted) r).holder());
        return null;
      }));
    }
    assertThat(lm.calls().stream().filter(e -> e.name().equals(name)).count()).isEqualTo(before);
  }

  @Test
  void theFinalPutSendsTheDlmUnlockFromThePuttingTask() throws Exception {
    GlockName name = GlockName.of(GlockType.IOPEN, 0x805b);
    Glocks b = glocks.get(1);
    CountingLockModule lm = modules.get(1);
    CompletableFuture<Void> putNow = new CompletableFuture<>();
    CompletableFuture<Void> evict = onTask(kernels.get(1), "evict", () -> {
      Glocks.GlockRef ref = b.get(name);
      Glocks.NqResult r = b.nq(ref, GlockState.SH, Set.of(HolderFlag.NOCACHE), "gfs2_evict_inode");
      b.dq(((Glocks.Granted) r).holder());
      putNow.join();
      b.put(ref);
      return null;
    });
    lm.await("demote to NL", e -> e.name().equals(name) && e.op().equals("convert") && e.mode() == LockMode.NL,
        FsTestKit.BOUND_MS);
    until("B's glock idle in UN", () -> FsTestKit.dump(b).lines()
        .anyMatch(l -> l.startsWith("G:  s:UN n:5/805b ") && !l.matches(".* f:\\S*l\\S* .*")));
    putNow.complete(null);
    get(evict);
    CountingLockModule.Event unlock = lm.await("unlock", e -> e.name().equals(name) && e.op().equals("unlock"),
        FsTestKit.BOUND_MS);
    assertThat(unlock.task()).isEqualTo("evict");
    lm.await("EUNLOCK", e -> e.name().equals(name) && e.op().equals("completed")
        && e.reply() == org.jdlm.fs.core.DlmReply.UnlockDone.INSTANCE, FsTestKit.BOUND_MS);
    until("glock freed on B", () -> !FsTestKit.dump(b).contains("n:5/805b "));
  }
}
