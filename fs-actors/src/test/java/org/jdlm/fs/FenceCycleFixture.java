package org.jdlm.fs;

import static org.jdlm.fs.FsTestKit.get;
import static org.jdlm.fs.FsTestKit.onTask;
import static org.jdlm.fs.FsTestKit.until;

import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.jdlm.dlm.Dlm;
import org.jdlm.dlm.api.FencingPort;
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
import org.jdlm.kernel.core.waits.WaitGraph;
import org.jdlm.recovery.KernelFencing;

/**
 * Three in-process members of one filesystem (fs-cycles §5.2's topology), each with its own
 * kernel, the DLM's send buffers and facts on it ({@code Dlm.useKernel}), fencing run by a kernel
 * task ({@link KernelFencing}), glocks over the real DLM lockspace {@code gfs2fs} and an inode
 * cache. Roles come from the DLM's order, not from the start order: the member that coordinates
 * recovery (lowest node id of the survivors) is the fence actor {@code n1}, the other survivor
 * {@code n2}, the member killed {@code n3}. The kernels are named by role, so prints read as §5.2's.
 */
final class FenceCycleFixture implements AutoCloseable {
  static final String FS = "gfs2fs";
  static final int PAGE = 4096;
  /** Pages of one cached inode (struct-bytes): evicting two gives the agent its working set. */
  static final int INODE_PAGES = 8;

  final InprocCluster cluster;
  /** By role: 0 = n1 (fence actor), 1 = n2, 2 = n3 (killed). Index into the cluster's nodes. */
  final int[] node = new int[3];
  final List<Kernel> kernels = new ArrayList<>();
  final List<Glocks> glocks = new ArrayList<>();
  final List<KernelFencing> fencing = new ArrayList<>();
  final List<LockspaceHandle> lockspaces = new ArrayList<>();
  final InodeCache inodes;
  final List<String> fixSwitches;
  private final List<AutoCloseable> held = new ArrayList<>();

  /**
   * @param kernelConfig the actor n1's kernel overrides (memory, kswapd)
   * @param fsConfig     {@code jdlm.fs} overrides of every member (fix switches of the fs)
   * @param fenceConfig  {@code jdlm.fencing} overrides (fix switches of fencing)
   */
  FenceCycleFixture(String kernelConfig, String fsConfig, String fenceConfig, List<String> fixSwitches) {
    this.fixSwitches = List.copyOf(fixSwitches);
    cluster = InprocCluster.start(3, "ctl", LockspaceSettings.defaults(), ConfigFactory.empty());
    try {
      List<Integer> order = new ArrayList<>(List.of(0, 1, 2));
      order.sort(Comparator.comparing(i -> cluster.nodeId(i).name()));
      Map<String, String> names = new HashMap<>();
      for (int r = 0; r < 3; r++) {
        node[r] = order.get(r);
        names.put(cluster.nodeId(order.get(r)).name(), "n" + (r + 1));
      }
      UnaryOperator<String> memberName = id -> names.getOrDefault(id, id);
      KernelFencing.Settings fenceSettings = KernelFencing.Settings.fromConfig(ConfigFactory.parseString(
          "jdlm.fencing.memory.working-bytes = 64KiB\n" + fenceConfig).withFallback(ConfigFactory.defaultReference())
          .resolve());
      FsSettings fs = FsTestKit.settings("jdlm.fs.inode.struct-bytes = " + INODE_PAGES * PAGE / 1024 + "KiB\n"
          + "jdlm.fs.glock { hold-time = 100ms, min-hold-time = 50ms }\n" + fsConfig);
      for (int r = 0; r < 3; r++) {
        Kernel k = FsTestKit.kernel("n" + (r + 1), "jdlm.kernel.tasks.max-wait = 60s\n"
            + "jdlm.kernel.memory.reclaim { max-retries = 20, retry-wait = 50ms }\n" + (r == 0 ? kernelConfig : ""));
        kernels.add(k);
        Dlm dlm = Dlm.get(cluster.system(node[r]));
        dlm.useKernel(k, memberName);
        KernelFencing f = new KernelFencing(k, FencingPort.MEMBERSHIP, fenceSettings, memberName);
        fencing.add(f);
        dlm.useFencing(f);
      }
      List<java.util.concurrent.CompletableFuture<LockspaceHandle>> joins = new ArrayList<>();
      for (int r = 0; r < 3; r++) {
        joins.add(Dlm.get(cluster.system(node[r])).joinLockspace(FS, LockspaceSettings.defaults())
            .toCompletableFuture());
      }
      for (var j : joins) {
        lockspaces.add(j.get(30, TimeUnit.SECONDS));
      }
      for (LockspaceHandle ls : lockspaces) {
        until("lockspace " + FS + " on " + ls.nodeId() + " with 3 members", () -> ls.members().size() == 3
            && ls.recoveryState().running());
      }
      for (int r = 0; r < 3; r++) {
        glocks.add(Glocks.mount(cluster.system(node[r]), FS, kernels.get(r), new DlmLockModule(lockspaces.get(r)),
            lockspaces.get(r).lvbLength(), GlockCacheOps.NONE, fs));
      }
      inodes = InodeCache.create(FS, glocks.get(0), fs);
    } catch (Exception | AssertionError e) {
      close();
      throw new IllegalStateException("fence cycle fixture did not start: " + e, e);
    }
  }

  /**
   * §5.2's precondition through the real layers: n1 caches {@code count} unused inodes whose inode
   * glocks a remote EX (n2's chmod) demoted to UN, so each eviction's next glock put is the final
   * one and calls {@code dlm_unlock} in the evicting task.
   */
  void cacheInodesDemotedByN2(long firstIno, int count) throws Exception {
    for (int i = 0; i < count; i++) {
      long ino = firstIno + i;
      get(onTask(kernels.get(0), "ls", () -> {
        InodeCache.Inode inode = inodes.iget(ino);
        Glocks.NqResult r = glocks.get(0).nq(inode.inodeGlock(), GlockState.SH, Set.of(), "stat");
        glocks.get(0).dq(((Glocks.Granted) r).holder());
        inodes.iput(inode);
        return null;
      }));
      get(onTask(kernels.get(1), "chmod", () -> {
        Glocks.NqResult r = glocks.get(1).nq(GlockName.of(GlockType.INODE, ino), GlockState.EX, Set.of());
        glocks.get(1).dq(((Glocks.Granted) r).holder());
        return null;
      }));
      String prefix = "G:  s:UN n:2/" + Long.toHexString(ino) + " ";
      until("n1's inode glock 2/" + Long.toHexString(ino) + " idle in UN", () -> FsTestKit.dump(glocks.get(0)).lines()
          .anyMatch(l -> l.startsWith(prefix) && !l.matches(".* f:\\S*l\\S* .*")));
    }
  }

  /** n1's memory pressed to {@code freeAfter} free pages by a task that keeps its pages. */
  void pressN1To(long freeAfter) throws Exception {
    Kernel k = kernels.get(0);
    long pages = k.memory().freePages() - freeAfter;
    AllocationResult a = get(onTask(k, "hog", () -> k.memory().allocate(pages * PAGE, GfpMask.KERNEL)));
    if (!(a instanceof Allocation hog)) {
      throw new AssertionError("the hog got no memory: " + a);
    }
    held.add(hog);
  }

  /** Gives the hog's pages back (memory freed elsewhere). */
  void releaseHog() throws Exception {
    for (AutoCloseable h : held) {
      h.close();
    }
    held.clear();
  }

  /** Kills n3 abruptly: the survivors see it fail, stop the lockspace and fence it. */
  void killN3() {
    cluster.kill(node[2]);
  }

  /** The survivors' merged wait-for graph, read through {@code Kernel.feedWaits} (n3 is dead). */
  WaitGraph survivorsGraph(long nowNanos) {
    WaitGraph.Builder b = WaitGraph.builder();
    kernels.get(0).feedWaits(nowNanos, b);
    kernels.get(1).feedWaits(nowNanos, b);
    return b.build();
  }

  DeadlockDetector detector(String scenario) {
    return new DeadlockDetector(new DeadlockDetector.Settings(fixSwitches, Set.of(), 60_000_000_000L),
        new ReportIds(scenario), 0);
  }

  /**
   * Runs the detector over the survivors' facts every 50 ms until it reports a deadlock, at most
   * {@code boundMs}; the round with the report, or the last (empty) round.
   */
  DeadlockDetector.Round detectWithin(DeadlockDetector detector, long boundMs) throws InterruptedException {
    long start = System.nanoTime();
    DeadlockDetector.Round round;
    do {
      long now = System.nanoTime() - start;
      round = detector.detect(survivorsGraph(now), now);
      if (!round.deadlocks().isEmpty()) {
        return round;
      }
      Thread.sleep(50);
    } while (System.nanoTime() - start < boundMs * 1_000_000);
    return round;
  }

  /**
   * Runs the detector every 50 ms until both survivors run the lockspace again after a recovery,
   * at most {@code boundMs}; fails on the first deadlock reported meanwhile. Returns the rounds run.
   */
  int awaitRecoveryWithDetectorSilent(DeadlockDetector detector, long boundMs) throws InterruptedException {
    long start = System.nanoTime();
    int rounds = 0;
    while (true) {
      long now = System.nanoTime() - start;
      DeadlockDetector.Round round = detector.detect(survivorsGraph(now), now);
      rounds++;
      if (!round.deadlocks().isEmpty()) {
        throw new AssertionError("the detector reported a deadlock in a positive run:\n" + round.text());
      }
      if (recovered(0) && recovered(1)) {
        return rounds;
      }
      if (now > boundMs * 1_000_000) {
        throw new AssertionError("no recovery within " + boundMs + " ms: n1 " + lockspaces.get(0).recoveryState()
            + ", n2 " + lockspaces.get(1).recoveryState());
      }
      Thread.sleep(50);
    }
  }

  boolean recovered(int role) {
    var s = lockspaces.get(role).recoveryState();
    return s.running() && s.recoveriesCompleted() >= 1;
  }

  /** A task on n1 allocating what needs reclaim now (one page more than is free above min). */
  AllocationResult allocateUnderPressureOnN1(String task) throws Exception {
    Kernel k = kernels.get(0);
    long min = k.settings().memory().watermarks().min();
    long wanted = Math.max(1, k.memory().freePages() - min + 1) * PAGE;
    return get(onTask(k, task, () -> k.memory().allocate(wanted, GfpMask.KERNEL)));
  }

  @Override
  public void close() {
    for (AutoCloseable h : held) {
      try {
        h.close();
      } catch (Exception ignored) {
        // the kernel may already be gone
      }
    }
    if (inodes != null) {
      inodes.close();
    }
    glocks.forEach(Glocks::close);
    fencing.forEach(KernelFencing::close);
    kernels.forEach(Kernel::close);
    cluster.close();
  }
}
