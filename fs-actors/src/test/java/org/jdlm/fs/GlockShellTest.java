package org.jdlm.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jdlm.fs.FsTestKit.get;
import static org.jdlm.fs.FsTestKit.onTask;
import static org.jdlm.fs.FsTestKit.until;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.fs.core.GlockName;
import org.jdlm.fs.core.GlockState;
import org.jdlm.fs.core.GlockType;
import org.jdlm.fs.core.HolderFlag;
import org.jdlm.kernel.Allocation;
import org.jdlm.kernel.AllocationResult;
import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.GfpMask;
import org.jdlm.kernel.core.TaskSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The glock shell on one member over {@code lock_nolock}: tasks, actors, workqueue, shrinker. */
class GlockShellTest {

  private final ActorTestKit testKit = ActorTestKit.create();
  private Kernel kernel;
  private Glocks glocks;
  private CountingLockModule lm;

  private void mount(String kernelConf, String fsConf) {
    kernel = FsTestKit.kernel("n1", kernelConf);
    lm = new CountingLockModule(new NolockModule());
    glocks = Glocks.mount(testKit.system(), "fs1", kernel, lm, 32, GlockCacheOps.NONE, FsTestKit.settings(fsConf));
  }

  @AfterEach
  void stop() {
    if (glocks != null) {
      glocks.close();
    }
    testKit.shutdownTestKit();
    if (kernel != null) {
      kernel.close();
    }
  }

  @Test
  void cachedGlockIsReacquiredWithNoLockModuleTraffic() throws Exception {
    mount("", "");
    GlockName name = GlockName.of(GlockType.INODE, 0x1a2b);
    Glocks.NqResult first = get(onTask(kernel, "t1", () -> {
      Glocks.NqResult r = glocks.nq(name, GlockState.SH, Set.of());
      glocks.dq(((Glocks.Granted) r).holder());
      return r;
    }));
    assertThat(first).isInstanceOf(Glocks.Granted.class);
    assertThat(lm.calls()).extracting(CountingLockModule.Event::op).containsExactly("request");
    until("glock cached on the LRU", () -> lru().contains(name));

    Glocks.NqResult again = get(onTask(kernel, "t2", () -> {
      Glocks.NqResult r = glocks.nq(name, GlockState.SH, Set.of());
      glocks.dq(((Glocks.Granted) r).holder());
      return r;
    }));
    assertThat(again).isInstanceOf(Glocks.Granted.class);
    assertThat(lm.calls()).as("the second SH came from the cache").hasSize(1);
  }

  @Test
  void aTaskWaitingForAGlockShowsWaitsGlockOnTheGlock() throws Exception {
    mount("", "");
    GlockName name = GlockName.of(GlockType.INODE, 0x77);
    CompletableFuture<Void> release = new CompletableFuture<>();
    CompletableFuture<Glocks.NqResult> holder = onTask(kernel, "reader", () -> {
      Glocks.NqResult r = glocks.nq(name, GlockState.SH, Set.of());
      release.join();
      glocks.dq(((Glocks.Granted) r).holder());
      return r;
    });
    until("reader granted", () -> FsTestKit.dump(glocks).contains("s:SH f:H"));
    CompletableFuture<Glocks.NqResult> writer = onTask(kernel, "writer",
        () -> glocks.nq(name, GlockState.EX, Set.of()));
    until("writer waiting", () -> {
      TaskSnapshot t = FsTestKit.task(kernel, "writer");
      return t != null && t.waitEdge() != null && t.waitEdge().kind() == EdgeKind.WAITS_GLOCK;
    });
    TaskSnapshot w = FsTestKit.task(kernel, "writer");
    assertThat(w.waitEdge().label()).isEqualTo("waits-glock(EX)");
    assertThat(w.waitEdge().targets()).containsExactly("glock:2/77");
    assertThat(kernel.dumpTasks()).contains("--waits-glock(EX) AND--> glock:2/77");
    assertThat(FsTestKit.dump(glocks)).contains(" H: s:EX f:W");
    assertThat(writer).isNotDone();

    release.complete(null);
    assertThat(get(holder)).isInstanceOf(Glocks.Granted.class);
    assertThat(get(writer)).isInstanceOfSatisfying(Glocks.Granted.class,
        g -> assertThat(g.state()).isEqualTo(GlockState.EX));
  }

  @Test
  void theFinalPutSendsTheUnlockFromThePuttingTasksThread() throws Exception {
    mount("", "");
    GlockName name = GlockName.of(GlockType.INODE, 0x805b);
    CompletableFuture<Void> putNow = new CompletableFuture<>();
    CompletableFuture<Void> evictor = onTask(kernel, "evictor", () -> {
      Glocks.GlockRef ref = glocks.get(name);
      Glocks.NqResult r = glocks.nq(ref, GlockState.EX, Set.of(HolderFlag.NOCACHE), "evict");
      glocks.dq(((Glocks.Granted) r).holder()); // NOCACHE: the demote to UN runs on the workqueue
      putNow.join();
      glocks.put(ref); // the last reference of an unlocked glock: the final put
      return null;
    });
    CountingLockModule.Event demote = lm.await("convert to NL",
        e -> e.op().equals("convert") && e.mode() == LockMode.NL, FsTestKit.BOUND_MS);
    assertThat(demote.task()).as("the demote runs on the glock workqueue").startsWith("kworker/glock_workqueue-fs1");
    until("glock idle in UN", () -> FsTestKit.dump(glocks).lines()
        .anyMatch(l -> l.startsWith("G:  s:UN n:2/805b ") && !l.matches(".* f:\\S*l\\S* .*")));
    putNow.complete(null);
    get(evictor);
    CountingLockModule.Event unlock = lm.await("unlock", e -> e.op().equals("unlock"), FsTestKit.BOUND_MS);
    assertThat(unlock.task()).isEqualTo("evictor");
    until("glock freed", () -> stats().glocks() == 0);
  }

  @Test
  void aLookupOfAGlockBeingFreedWaitsUntilItsDlmUnlockCompleted() throws Exception {
    mount("", "");
    GlockName name = GlockName.of(GlockType.INODE, 0x99);
    lm.holdUnlockCompletions();
    CompletableFuture<Void> putNow = new CompletableFuture<>();
    CompletableFuture<Void> evictor = onTask(kernel, "evictor", () -> {
      Glocks.GlockRef ref = glocks.get(name);
      Glocks.NqResult r = glocks.nq(ref, GlockState.EX, Set.of(HolderFlag.NOCACHE), "evict");
      glocks.dq(((Glocks.Granted) r).holder());
      putNow.join();
      glocks.put(ref);
      return null;
    });
    until("glock idle in UN", () -> FsTestKit.dump(glocks).lines()
        .anyMatch(l -> l.startsWith("G:  s:UN n:2/99 ") && !l.matches(".* f:\\S*l\\S* .*")));
    putNow.complete(null);
    get(evictor);
    lm.await("unlock sent", e -> e.op().equals("unlock"), FsTestKit.BOUND_MS);

    CompletableFuture<Void> opener = onTask(kernel, "opener", () -> {
      Glocks.NqResult r = glocks.nq(name, GlockState.SH, Set.of());
      glocks.dq(((Glocks.Granted) r).holder());
      return null;
    });
    until("opener waits for the dying glock", () -> {
      TaskSnapshot t = FsTestKit.task(kernel, "opener");
      return t != null && t.waitEdge() != null && t.waitEdge().label().equals("waits-reply(glock lookup 2/99)");
    });
    assertThat(FsTestKit.task(kernel, "opener").waitEdge().targets()).containsExactly("glocks:fs1");
    assertThat(lm.calls()).filteredOn(e -> e.op().equals("request")).hasSize(1);

    lm.releaseHeld();
    get(opener);
    java.util.List<CountingLockModule.Event> events = lm.events();
    int unlocked = -1;
    int secondRequest = -1;
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).op().equals("completed") && events.get(i).reply() instanceof org.jdlm.fs.core.DlmReply.UnlockDone) {
        unlocked = i;
      }
      if (events.get(i).op().equals("request") && i > 0 && secondRequest < 0 && unlocked >= 0) {
        secondRequest = i;
      }
    }
    assertThat(unlocked).as("EUNLOCK delivered").isNotNegative();
    assertThat(secondRequest).as("the new glock's first DLM request comes after the old lock's EUNLOCK")
        .isGreaterThan(unlocked);
    assertThat(lm.calls()).filteredOn(e -> e.op().equals("request")).hasSize(2);
  }

  @Test
  void glockShrinkerFreesLruGlocksOnlyForAnFsReclaim() throws Exception {
    mount("""
        jdlm.kernel.memory { total-pages = 96, page-size = 4096, min-pages = 8, low-pages = 12, high-pages = 16 }
        jdlm.kernel.memory.reclaim { max-retries = 100, retry-wait = 20ms }
        """, "jdlm.fs.glock.struct-bytes = 8KiB");
    int n = 24;
    get(onTask(kernel, "populate", () -> {
      for (int i = 1; i <= n; i++) {
        Glocks.NqResult r = glocks.nq(GlockName.of(GlockType.RGRP, i), GlockState.SH, Set.of());
        glocks.dq(((Glocks.Granted) r).holder());
      }
      return null;
    }));
    until("all cached", () -> lru().size() == n);
    long free = kernel.memory().freePages();
    long wanted = (free - 8 + 4) * 4096; // four pages more than is free above min

    AllocationResult nofs = get(onTask(kernel, "nofs", () -> kernel.memory().allocate(wanted, GfpMask.NOFS)));
    assertThat(nofs).as("a NOFS allocation may not enter the glock shrinker").isInstanceOf(AllocationResult.Failed.class);
    assertThat(stats().shrinkScans()).isZero();
    assertThat(lru()).hasSize(n);

    AllocationResult kernelMask = get(onTask(kernel, "dd", () -> kernel.memory().allocate(wanted, GfpMask.KERNEL)));
    assertThat(kernelMask).isInstanceOf(Allocation.class);
    ((Allocation) kernelMask).close();
    GlockRegistry.Stats s = stats();
    assertThat(s.shrinkScans()).isPositive();
    assertThat(s.glocks()).isLessThan(n);
    assertThat(lm.calls()).filteredOn(e -> e.op().equals("unlock")).isNotEmpty()
        .allSatisfy(e -> assertThat(e.task()).startsWith("kworker/glock_workqueue-fs1")
            .as("freed by the glock work, never in the reclaiming task"));
  }

  private static final String TIGHT = "jdlm.kernel.memory { total-pages = 64, page-size = 4096, min-pages = 8,"
      + " low-pages = 12, high-pages = 16 }\njdlm.kernel.workqueue.worker-bytes = 16KiB";

  /** Leaves free memory two pages above min: a glock (one page) fits, a new worker (four) does not. */
  private Allocation squeeze() throws Exception {
    long bytes = (kernel.memory().freePages() - 8 - 2) * 4096;
    return (Allocation) get(onTask(kernel, "filler", () -> kernel.memory().allocate(bytes, GfpMask.KERNEL)));
  }

  @Test
  void withoutMemoryForAWorkerTheGlockWorkqueuesRescuerRunsTheGlockWork() throws Exception {
    mount(TIGHT, "jdlm.fs.glock-workqueue { max-active = 1, mem-reclaim = on }");
    try (Allocation filler = squeeze()) {
      Glocks.NqResult r = get(onTask(kernel, "ls", () -> {
        Glocks.NqResult res = glocks.nq(GlockName.of(GlockType.INODE, 1), GlockState.SH, Set.of());
        glocks.dq(((Glocks.Granted) res).holder());
        return res;
      }));
      assertThat(r).isInstanceOf(Glocks.Granted.class);
      assertThat(glocks.workqueue().rescued()).isPositive();
      assertThat(glocks.workqueue().workers()).isZero();
    }
  }

  @Test
  void withoutARescuerGlockWorkWaitsForMemoryAndSoDoesTheTaskWaitingForTheGlock() throws Exception {
    mount(TIGHT, "jdlm.fs.glock-workqueue { max-active = 1, mem-reclaim = off }");
    Allocation filler = squeeze();
    long failuresBefore = kernel.memory().snapshot().counters().failures();
    CompletableFuture<Glocks.NqResult> ls = onTask(kernel, "ls",
        () -> glocks.nq(GlockName.of(GlockType.INODE, 2), GlockState.SH, Set.of()));
    // Wait for the worker's creation to have failed, not just for the work to be pending: the
    // kernel's Workqueue retries creation on a free only when no creation is in flight, so a
    // free racing the failing NOWAIT allocation would be missed (a kernel lost wakeup, reported).
    until("the grant's work is pending, its worker could not be created, ls waits for the glock", () -> {
      TaskSnapshot t = FsTestKit.task(kernel, "ls");
      return glocks.workqueue().pending() > 0 && kernel.memory().snapshot().counters().failures() > failuresBefore
          && t != null && t.waitEdge() != null && t.waitEdge().label().equals("waits-glock(SH)");
    });
    assertThat(ls).isNotDone();
    filler.close(); // memory comes back: the worker is created and runs the work
    // The kernel's Workqueue misses a free that races a creation still failing (retryCreation sees
    // the creation in flight and does nothing; reported to the integrator): free again until a
    // worker exists. Each nudge is a real free, the event the queue waits for.
    for (int nudges = 0; glocks.workqueue().workers() == 0 && nudges < 50; nudges++) {
      try {
        ls.get(200, java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException notYet) {
        if (kernel.memory().allocate(4096, GfpMask.NOWAIT) instanceof Allocation nudge) {
          nudge.close();
        }
      }
    }
    assertThat(get(ls)).isInstanceOf(Glocks.Granted.class);
    assertThat(glocks.workqueue().workers()).isEqualTo(1);
  }

  @Test
  void dumpPrintsEveryGlockInGfs2Format() throws Exception {
    mount("", "");
    CompletableFuture<Void> release = new CompletableFuture<>();
    CompletableFuture<Void> held = new CompletableFuture<>();
    CompletableFuture<Void> t = onTask(kernel, "dd", () -> {
      Glocks.NqResult r = glocks.nq(GlockName.of(GlockType.INODE, 0x1c00), GlockState.EX, Set.of());
      held.complete(null); // nq_num has dropped its lookup reference: only the holder's is left
      release.join();
      glocks.dq(((Glocks.Granted) r).holder());
      return null;
    });
    get(held);
    String dump = FsTestKit.dump(glocks);
    assertThat(dump).startsWith("G:  s:EX n:2/1c00 f:").contains(" t:EX d:EX/0 a:0 v:0 r:1 m:20 p:0");
    assertThat(dump).containsPattern(" H: s:EX f:H e:0 p:\\d+ \\[dd\\] nq_num");
    release.complete(null);
    get(t);
  }

  private java.util.List<GlockName> lru() {
    return stats().lru();
  }

  private GlockRegistry.Stats stats() {
    try {
      return glocks.stats().toCompletableFuture().get(FsTestKit.BOUND_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
