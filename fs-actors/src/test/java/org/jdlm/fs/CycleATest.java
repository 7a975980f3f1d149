package org.jdlm.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jdlm.fs.FsTestKit.get;
import static org.jdlm.fs.FsTestKit.onTask;
import static org.jdlm.fs.FsTestKit.until;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdlm.dlm.api.CommSettings;
import org.jdlm.dlm.Dlm;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.dlm.testkit.InprocCluster;
import org.jdlm.fs.core.GlockName;
import org.jdlm.fs.core.GlockState;
import org.jdlm.fs.core.GlockType;
import org.jdlm.kernel.Allocation;
import org.jdlm.kernel.AllocationResult;
import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.core.GfpMask;
import org.jdlm.kernel.core.waits.DeadlockDetector;
import org.jdlm.kernel.core.waits.ReportIds;
import org.jdlm.kernel.core.waits.Vertex;
import org.jdlm.kernel.core.waits.WaitGraph;
import org.junit.jupiter.api.Test;

/**
 * fs-cycles §5.1 cycle (a), direct (FS) form, on two in-process members over the real DLM: n2
 * masters the inode glocks' resources, n1 caches inodes whose glocks n2's EX demoted to UN, n1's
 * free memory is at min. A user task's allocation reclaims in the task, evicts, the final glock put
 * calls {@code dlm_unlock}, whose send buffer ({@code jdlm.dlm-actors.comm}, caller context) is an
 * allocation in the same task: it waits on memory whose only reclaimer is that very task.
 *
 * <p>The kernel runs with {@code memalloc-during-reclaim = off}: with Linux's PF_MEMALLOC during
 * reclaim the nested allocation takes the reserve and the unlock goes out (the last test), so the
 * seed's loop closes in this model only with that guard off (docs/cycles.md says why the kswapd
 * form cannot close here: kswapd is PF_MEMALLOC and the DLM sends from the caller).
 */
class CycleATest {
  private static final int PAGE = 4096;
  private static final String FS = "gfs2fs";

  private static final class Fixture implements AutoCloseable {
    final InprocCluster cluster = InprocCluster.start(2, "ctl", LockspaceSettings.defaults(), ConfigFactory.empty());
    final List<Kernel> kernels = new ArrayList<>();
    final List<Glocks> glocks = new ArrayList<>();
    final InodeCache inodes;
    final List<String> fixes;
    Allocation hog;

    Fixture(boolean memallocDuringReclaim, String comm, String fs, List<String> fixes) throws Exception {
      this.fixes = fixes;
      Map<String, String> names = Map.of(cluster.nodeId(0).name(), "n1", cluster.nodeId(1).name(), "n2");
      FsSettings settings = FsTestKit.settings("jdlm.fs.inode.struct-bytes = 32KiB\n"
          + "jdlm.fs.glock { hold-time = 100ms, min-hold-time = 50ms }\n" + fs);
      List<CompletableFuture<LockspaceHandle>> joins = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        Kernel k = FsTestKit.kernel("n" + (i + 1), "jdlm.kernel.tasks.max-wait = 60s\n"
            + "jdlm.kernel.memory.reclaim { max-retries = 400, retry-wait = 50ms, memalloc-during-reclaim = "
            + memallocDuringReclaim + " }\n"
            + (i == 0 ? "jdlm.kernel.memory { total-pages = 128, min-pages = 8, low-pages = 12, high-pages = 16 }" : ""));
        kernels.add(k);
        Dlm.get(cluster.system(i)).useKernel(k, id -> names.getOrDefault(id, id));
        Config c = ConfigFactory.parseString(i == 0 ? comm : "").withFallback(ConfigFactory.defaultReference());
        joins.add(Dlm.get(cluster.system(i)).joinLockspace(FS,
            LockspaceSettings.defaults().withComm(CommSettings.fromConfig(c))).toCompletableFuture());
      }
      for (int i = 0; i < 2; i++) {
        LockspaceHandle ls = joins.get(i).get(30, TimeUnit.SECONDS);
        until("lockspace on n" + (i + 1) + " with both members", () -> ls.members().size() == 2);
        glocks.add(Glocks.mount(cluster.system(i), FS, kernels.get(i), new DlmLockModule(ls), ls.lvbLength(),
            GlockCacheOps.NONE, settings));
      }
      inodes = InodeCache.create(FS, glocks.get(0), settings);
    }

    /** n2 locks first (so it masters the resource), n1 caches the inode, n2's EX demotes n1's glock to UN. */
    void cacheInodes(long first, int count) throws Exception {
      for (int i = 0; i < count; i++) {
        long ino = first + i;
        GlockName name = GlockName.of(GlockType.INODE, ino);
        Runnable n2Ex = () -> {
          Glocks.NqResult r = glocks.get(1).nq(name, GlockState.EX, Set.of());
          glocks.get(1).dq(((Glocks.Granted) r).holder());
        };
        get(onTask(kernels.get(1), "touch", () -> { n2Ex.run(); return null; }));
        get(onTask(kernels.get(0), "ls", () -> {
          InodeCache.Inode inode = inodes.iget(ino);
          Glocks.NqResult r = glocks.get(0).nq(inode.inodeGlock(), GlockState.SH, Set.of(), "stat");
          glocks.get(0).dq(((Glocks.Granted) r).holder());
          inodes.iput(inode);
          return null;
        }));
        get(onTask(kernels.get(1), "chmod", () -> { n2Ex.run(); return null; }));
        String prefix = "G:  s:UN n:2/" + Long.toHexString(ino) + " ";
        until("n1's glock 2/" + Long.toHexString(ino) + " idle in UN", () -> FsTestKit.dump(glocks.get(0)).lines()
            .anyMatch(l -> l.startsWith(prefix) && !l.matches(".* f:\\S*l\\S* .*")));
      }
    }

    /** n1's free memory pressed down to its min watermark by a task that keeps the pages. */
    void pressN1ToMin() throws Exception {
      Kernel k = kernels.get(0);
      long pages = k.memory().freePages() - k.settings().memory().watermarks().min();
      AllocationResult a = get(onTask(k, "hog", () -> k.memory().allocate(pages * PAGE, GfpMask.KERNEL)));
      hog = (Allocation) a;
    }

    /** A user task on n1 allocating one page: direct reclaim in that task. */
    CompletableFuture<AllocationResult> dd() {
      return onTask(kernels.get(0), "dd", () -> kernels.get(0).memory().allocate(PAGE, GfpMask.KERNEL));
    }

    DeadlockDetector.Round detectWithin(long boundMs) throws InterruptedException {
      DeadlockDetector detector = new DeadlockDetector(new DeadlockDetector.Settings(fixes, Set.of(), 60_000_000_000L),
          new ReportIds("a"), 0);
      long start = System.nanoTime();
      DeadlockDetector.Round round;
      do {
        long now = System.nanoTime() - start;
        WaitGraph.Builder b = WaitGraph.builder();
        kernels.forEach(k -> k.feedWaits(now, b));
        round = detector.detect(b.build(), now);
        if (!round.deadlocks().isEmpty()) {
          return round;
        }
        Thread.sleep(50);
      } while (System.nanoTime() - start < boundMs * 1_000_000);
      return round;
    }

    @Override
    public void close() {
      inodes.close();
      glocks.forEach(Glocks::close);
      kernels.forEach(Kernel::close);
      cluster.close();
    }
  }

  private static void assertSelfLoop(Fixture f, String mask) throws Exception {
    f.cacheInodes(0x805b, 4);
    f.pressN1ToMin();
    CompletableFuture<AllocationResult> dd = f.dd();
    DeadlockDetector.Round round = f.detectWithin(20_000);
    assertThat(round.deadlocks()).as("cycle (a) detected:\n" + round.text()).hasSize(1);
    DeadlockDetector.DeadlockReport d = round.deadlocks().get(0);
    Vertex ddV = Vertex.local("n1", FsTestKit.task(f.kernels.get(0), "dd").endpoint());
    assertThat(FsTestKit.task(f.kernels.get(0), "dd").activity()).isEqualTo("reclaims-via(inode_cache:" + FS + ")");
    assertThat(d.knot().vertices()).containsExactlyInAnyOrder(ddV, Vertex.mem("n1"));
    assertThat(d.text()).contains("--waits-memory(4KiB," + mask + ")-->  n1/mem", "--only-source-->",
        "closes: [2] -> [1]");
    assertThat(dd).isNotDone();
    System.out.println("cycle (a) direct form, fixes " + f.fixes + ":\n" + d.text());
  }

  @Test
  void directFormNegativeRunTheReclaimingTaskWaitsForMemoryOnlyItCanFree() throws Exception {
    try (Fixture f = new Fixture(false, "", "jdlm.fs.inode.put-async-in-reclaim = off", List.of())) {
      assertSelfLoop(f, "GFP_KERNEL");
    }
  }

  /** F-a3 nofs-comm alone: the send buffer no longer asks for FS reclaim, but still waits on the same task. */
  @Test
  void nofsCommAloneDoesNotBreakTheDirectForm() throws Exception {
    try (Fixture f = new Fixture(false, "jdlm.dlm-actors.comm.mask = NOFS", "jdlm.fs.inode.put-async-in-reclaim = off",
        List.of("nofs-comm"))) {
      assertSelfLoop(f, "GFP_NOFS");
    }
  }

  private static void assertProgress(Fixture f) throws Exception {
    f.cacheInodes(0x805b, 4);
    f.pressN1ToMin();
    AllocationResult r = get(f.dd());
    assertThat(r).isInstanceOf(Allocation.class);
    assertThat(f.detectWithin(0).deadlocks()).isEmpty();
    assertThat(f.inodes.stats().inodes()).as("inodes evicted").isLessThan(4);
    until("n1's evicted inode glock unlocked and freed", () -> !FsTestKit.dump(f.glocks.get(0)).contains("n:2/805b "));
  }

  /** F-a4 comm-reserve: the unlock's buffer comes from the lockspace's mempool; the cycle breaks at the buffer. */
  @Test
  void commReserveSendsTheUnlockFromTheReserve() throws Exception {
    try (Fixture f = new Fixture(false, "jdlm.dlm-actors.comm.reserve = 2", "jdlm.fs.inode.put-async-in-reclaim = off",
        List.of("comm-reserve"))) {
      assertProgress(f);
      assertThat(f.kernels.get(0).memory().snapshot().mempools()).filteredOn(p -> p.name().equals("dlm-comm:" + FS))
          .singleElement().satisfies(p -> assertThat(p.fromReserve()).isPositive());
    }
  }

  /** F-a2 put-async: the final put goes to the glock workqueue; reclaim frees the inode at once. */
  @Test
  void asyncPutInReclaimCompletes() throws Exception {
    try (Fixture f = new Fixture(false, "", "jdlm.fs.inode.put-async-in-reclaim = on", List.of("put-async"))) {
      assertProgress(f);
    }
  }

  /** Linux's own guard: PF_MEMALLOC during direct reclaim lets the nested send buffer take the reserve. */
  @Test
  void memallocDuringReclaimLetsTheUnlockTakeTheReserve() throws Exception {
    try (Fixture f = new Fixture(true, "", "jdlm.fs.inode.put-async-in-reclaim = off", List.of("memalloc-during-reclaim"))) {
      assertProgress(f);
    }
  }
}
