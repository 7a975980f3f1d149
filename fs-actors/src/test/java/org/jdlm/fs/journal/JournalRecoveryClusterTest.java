package org.jdlm.fs.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jdlm.dlm.Dlm;
import org.jdlm.dlm.api.FencingPort;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.dlm.testkit.InprocCluster;
import org.jdlm.fs.DlmLockModule;
import org.jdlm.fs.FsSettings;
import org.jdlm.fs.GlockCacheOps;
import org.jdlm.fs.Glocks;
import org.jdlm.fs.core.GlockName;
import org.jdlm.fs.core.GlockState;
import org.jdlm.fs.core.GlockType;
import org.jdlm.fs.disk.BlockDevice;
import org.jdlm.fs.disk.BlockWrite;
import org.jdlm.fs.disk.DiskError;
import org.jdlm.fs.disk.MemoryBlockDevice;
import org.jdlm.fs.journal.core.JournalLayout;
import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.core.TaskFlag;
import org.jdlm.kernel.core.TaskSnapshot;
import org.jdlm.recovery.RecoveryOrder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The test on three in-process members over the real DLM, each with its own kernel, glocks
 * and journal on one shared in-JVM disk: n3 commits a transaction (synced), then crashes in the
 * middle of the next one — its commit block is on the disk, only part of it is in place — and is
 * killed. A survivor fences it, the lockspace recovers, one survivor replays n3's journal under its
 * journal glock while the other waits for it ("Busy"), and glock requests on both survivors stay
 * blocked, visibly, until the replay is done.
 */
class JournalRecoveryClusterTest {
  private static final long BOUND_MS = 60_000;
  private static final int BS = 128;
  private static final int DATA = 64;

  private InprocCluster cluster;
  private final List<Kernel> kernels = new ArrayList<>();
  private final List<Glocks> glocks = new ArrayList<>();

  @AfterEach
  void stop() {
    glocks.forEach(Glocks::close);
    kernels.forEach(Kernel::close);
    if (cluster != null) {
      cluster.close();
    }
  }

  private static byte[] text(String s) {
    return Arrays.copyOf(s.getBytes(StandardCharsets.UTF_8), BS);
  }

  @Test
  void aSurvivorReplaysTheKilledMembersJournalWhileLocksStayBlockedInTheOrderOfFsCycles41() throws Exception {
    cluster = InprocCluster.start(3, "gfs1", LockspaceSettings.defaults(), ConfigFactory.empty());
    MemoryBlockDevice disk = new MemoryBlockDevice("sda", BS, DATA + 3 * 24);
    JournalLayout layout = JournalLayout.contiguous(DATA, 3, 24);
    FsSettings fs = FsSettings.from(ConfigFactory.defaultReference().resolve());
    JournalSettings js = JournalSettings.from(ConfigFactory.defaultReference().resolve());
    /** Every step of every member, in the order it happened (fs-cycles §4.1). */
    List<String> order = new CopyOnWriteArrayList<>();
    List<List<JournalEvent>> events = new ArrayList<>();
    CompletableFuture<Void> replayMayWrite = new CompletableFuture<>();
    CrashingDevice[] victimDisk = new CrashingDevice[1];
    List<MountedJournals> mounts = new ArrayList<>();

    for (int i = 0; i < 3; i++) {
      int member = i;
      String name = "n" + (i + 1);
      Kernel k = Kernel.start(name, Kernel.Settings.from(ConfigFactory.parseString(
          "jdlm.kernel.memory.kswapd.enabled = off").withFallback(ConfigFactory.defaultReference()).resolve()),
          Kernel.systemClock(), false);
      kernels.add(k);
      Glocks g = Glocks.mount(cluster.system(i), "gfs1", k, new DlmLockModule(cluster.lockspace(i)),
          cluster.lockspace(i).lvbLength(), GlockCacheOps.NONE, fs);
      glocks.add(g);
      BlockDevice view;
      if (i == 2) {
        victimDisk[0] = new CrashingDevice(disk.member(name), Long.MAX_VALUE);
        view = victimDisk[0];
      } else {
        view = new HeldDevice(disk.member(name), replayMayWrite);
      }
      List<JournalEvent> mine = new CopyOnWriteArrayList<>();
      events.add(mine);
      // The DLM's fencing on this member: removal from the cluster is the fence, and the disk
      // refuses the fenced member's writes from then on (storage fencing); then the journals.
      FencingPort fencing = new FencingPort() {
        @Override
        public CompletionStage<Long> fence(String node, String address, long incarnation) {
          disk.fence("n3");
          order.add(name + " fenced " + node);
          return FencingPort.MEMBERSHIP.fence(node, address, incarnation);
        }

        @Override
        public CompletionStage<Long> advanceGeneration(long atLeast, String reason) {
          return FencingPort.MEMBERSHIP.advanceGeneration(atLeast, reason);
        }
      };
      JournalRecoveries journals = JournalRecoveries.get(cluster.system(i));
      Dlm.get(cluster.system(i)).useFencing(new RecoveryOrder(fencing, (node, inc, gen) -> {
        order.add(name + " journal recovery asked for " + node);
        return journals.recover(node, inc, gen).whenComplete((v, e) -> order.add(name + " journal recovery done"));
      }));
      mounts.add(onTask(k, "mount", () -> {
        try {
          return MountedJournals.mount(cluster.system(member), "gfs1", view, layout, g,
              LockspaceView.of(cluster.lockspace(member)), js, e -> {
                mine.add(e);
                order.add(name + " " + e);
              });
        } catch (DiskError e) {
          throw new IllegalStateException(e);
        }
      }).get(BOUND_MS, TimeUnit.MILLISECONDS));
    }
    assertThat(mounts).extracting(MountedJournals::jid).containsExactly(0, 1, 2);
    assertThat(JournalRecoveries.get(cluster.system(0)).mounted()).containsExactly("gfs1");

    // n3: T1 commits (synced); T2 is logged (descriptor, 3 data, commit = 5 writes) and crashes
    // after its first block in place.
    MountedJournals n3 = mounts.get(2);
    onTask(kernels.get(2), "write", () -> {
      try {
        n3.writer().commit(List.of(new BlockWrite(10, text("T1")), new BlockWrite(11, text("T1"))));
      } catch (DiskError e) {
        throw new IllegalStateException(e);
      }
      return null;
    }).get(BOUND_MS, TimeUnit.MILLISECONDS);
    victimDisk[0].crashAfter(5 + 1);
    CompletableFuture<Void> crashed = onTask(kernels.get(2), "write", () -> {
      try {
        n3.writer().commit(List.of(new BlockWrite(11, text("T2")), new BlockWrite(12, text("T2")),
            new BlockWrite(13, text("T2"))));
      } catch (DiskError e) {
        return null; // the crash
      }
      throw new AssertionError("the commit should have crashed");
    });
    crashed.get(BOUND_MS, TimeUnit.MILLISECONDS);
    BlockDevice reader = disk.member("reader");
    assertThat(reader.read(11)).as("half applied on the disk before recovery").isEqualTo(text("T2"));
    assertThat(reader.read(12)).isEqualTo(new byte[BS]);

    long before = cluster.lockspace(0).generation();
    cluster.kill(2);

    // One survivor replays n3's journal (held at its first in-place write); the other finds it busy.
    until("both survivors are in the recovery of jid 2", () -> events.subList(0, 2).stream().allMatch(l -> l.stream()
        .anyMatch(e -> e.equals(new JournalEvent.Busy(2)) || (e instanceof JournalEvent.Replaying r && r.jid() == 2))));
    int replayer = events.get(0).stream().anyMatch(e -> e instanceof JournalEvent.Replaying) ? 0 : 1;
    int other = 1 - replayer;
    JournalEvent.Replaying replaying = (JournalEvent.Replaying) events.get(replayer).stream()
        .filter(e -> e instanceof JournalEvent.Replaying).findFirst().orElseThrow();
    assertThat(replaying.owner()).isEqualTo(cluster.nodeId(2).name());
    assertThat(replaying.lockspaceRunning()).as("the lockspace recovered before the replay").isTrue();
    assertThat(replaying.generation()).isGreaterThan(before);
    assertThat(events.get(other)).contains(new JournalEvent.Busy(2));

    // A user task on each survivor asks for an inode glock: blocked, waiting for journal recovery.
    List<CompletableFuture<Glocks.NqResult>> readers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Glocks g = glocks.get(i);
      readers.add(onTask(kernels.get(i), "stat", () -> {
        Glocks.NqResult r = g.nq(GlockName.of(GlockType.INODE, 0x10), GlockState.SH, Set.of());
        if (r instanceof Glocks.Granted granted) {
          g.dq(granted.holder());
        }
        return r;
      }));
    }
    for (int i = 0; i < 2; i++) {
      Kernel k = kernels.get(i);
      until("the stat task on n" + (i + 1) + " waits for journal recovery", () -> {
        TaskSnapshot t = task(k, "stat");
        return t != null && t.waitEdge() != null && t.waitEdge().label().equals("waits-reply(journal recovery)");
      });
      assertThat(task(k, "stat").waitEdge().targets()).containsExactly("journal:gfs1/2");
      assertThat(mounts.get(i).blocked()).isTrue();
    }
    Thread.sleep(200);
    assertThat(readers).allMatch(r -> !r.isDone());

    replayMayWrite.complete(null);
    for (CompletableFuture<Glocks.NqResult> r : readers) {
      assertThat(r.get(BOUND_MS, TimeUnit.MILLISECONDS)).isInstanceOf(Glocks.Granted.class);
    }
    until("both survivors unblocked", () -> !mounts.get(0).blocked() && !mounts.get(1).blocked());

    // The synced T1 and the committed-but-half-applied T2 are whole on the disk; n3's journal is clean.
    assertThat(reader.read(10)).isEqualTo(text("T1"));
    for (int b = 11; b <= 13; b++) {
      assertThat(reader.read(b)).as("block %d", b).isEqualTo(text("T2"));
    }
    assertThat(JournalDisk.header(reader, layout.region(2)).dirty()).isFalse();
    assertThat(events.get(replayer)).contains(new JournalEvent.Replayed(2, 1));
    assertThat(events.get(other)).contains(new JournalEvent.Replayed(2, 0));
    assertThatThrownBy(() -> disk.member("n3").write(12, text("late"))).isInstanceOf(DiskError.class)
        .hasMessageContaining("pre-empted");

    // The order on the member that fenced: fence, (lockspace recovery), replay, unblock, hook done.
    until("the journal recovery hook finished", () -> order.stream().anyMatch(s -> s.endsWith("journal recovery done")));
    String fencer = order.stream().filter(s -> s.contains(" fenced ")).findFirst().orElseThrow().substring(0, 2);
    List<String> steps = order.stream().filter(s -> s.startsWith(fencer + " ")).toList();
    int fenced = indexOf(steps, " fenced ");
    int asked = indexOf(steps, "journal recovery asked");
    int replayOrBusy = Math.max(indexOf(steps, "Replaying[jid=2"), indexOf(steps, "Busy[jid=2"));
    int unblocked = lastIndexOf(steps, "Unblocked[");
    int done = indexOf(steps, "journal recovery done");
    assertThat(List.of(fenced, asked, replayOrBusy, unblocked, done)).as("steps on %s: %s", fencer, steps)
        .doesNotContain(-1).isSorted();
    for (int i = 0; i < 2; i++) {
      int member = i;
      onTask(kernels.get(i), "umount", () -> {
        try {
          mounts.get(member).close();
        } catch (DiskError e) {
          throw new IllegalStateException(e);
        }
        return null;
      }).get(BOUND_MS, TimeUnit.MILLISECONDS);
    }
    assertThat(JournalDisk.header(reader, layout.region(0)).dirty()).as("unmount marks the journal clean").isFalse();
  }

  /**
   * The replaying survivor dies too, half way through the replay (held at its first in-place
   * write, then fenced and killed): the next lockspace recovery purges its journal glock, a
   * survivor that waited for it ("Busy") gets the glock, finds the journal still LIVE and replays
   * it again; the dead replayer's own journal is recovered too, and locks are unblocked only after
   * both. Five members, so that three survive (keep-majority).
   */
  @Test
  void whenTheReplayingSurvivorDiesTooAnotherReplaysTheJournalAgain() throws Exception {
    int n = 5;
    int victim = 4;
    cluster = InprocCluster.start(n, "gfs2", LockspaceSettings.defaults(), ConfigFactory.empty());
    MemoryBlockDevice disk = new MemoryBlockDevice("sda", BS, DATA + n * 24);
    JournalLayout layout = JournalLayout.contiguous(DATA, n, 24);
    FsSettings fs = FsSettings.from(ConfigFactory.defaultReference().resolve());
    JournalSettings js = JournalSettings.from(ConfigFactory.defaultReference().resolve());
    List<List<JournalEvent>> events = new ArrayList<>();
    List<CompletableFuture<Void>> mayWrite = new ArrayList<>();
    List<MountedJournals> mounts = new ArrayList<>();
    CrashingDevice victimDisk = new CrashingDevice(disk.member("n" + (victim + 1)), Long.MAX_VALUE);
    for (int i = 0; i < n; i++) {
      int member = i;
      String name = "n" + (i + 1);
      Kernel k = Kernel.start(name, Kernel.Settings.from(ConfigFactory.parseString(
          "jdlm.kernel.memory.kswapd.enabled = off").withFallback(ConfigFactory.defaultReference()).resolve()),
          Kernel.systemClock(), false);
      kernels.add(k);
      Glocks g = Glocks.mount(cluster.system(i), "gfs2", k, new DlmLockModule(cluster.lockspace(i)),
          cluster.lockspace(i).lvbLength(), GlockCacheOps.NONE, fs);
      glocks.add(g);
      CompletableFuture<Void> latch = new CompletableFuture<>();
      mayWrite.add(latch);
      BlockDevice view = i == victim ? victimDisk : new HeldDevice(disk.member(name), latch);
      List<JournalEvent> mine = new CopyOnWriteArrayList<>();
      events.add(mine);
      mounts.add(onTask(k, "mount", () -> {
        try {
          return MountedJournals.mount(cluster.system(member), "gfs2", view, layout, g,
              LockspaceView.of(cluster.lockspace(member)), js, mine::add);
        } catch (DiskError e) {
          throw new IllegalStateException(e);
        }
      }).get(BOUND_MS, TimeUnit.MILLISECONDS));
    }
    int victimJid = mounts.get(victim).jid();
    MountedJournals dying = mounts.get(victim);
    onTask(kernels.get(victim), "write", () -> {
      try {
        dying.writer().commit(List.of(new BlockWrite(10, text("T1")), new BlockWrite(11, text("T1"))));
        victimDisk.crashAfter(5 + 1);
        dying.writer().commit(List.of(new BlockWrite(11, text("T2")), new BlockWrite(12, text("T2")),
            new BlockWrite(13, text("T2"))));
      } catch (DiskError crashed) {
        return null;
      }
      throw new AssertionError("the second commit should have crashed");
    }).get(BOUND_MS, TimeUnit.MILLISECONDS);

    cluster.kill(victim);
    until("a survivor replays the victim's journal", () -> replayer(events, victimJid) >= 0);
    int first = replayer(events, victimJid);
    int firstJid = mounts.get(first).jid();
    // The replayer dies half way: fenced off the disk, then killed; its held write is refused.
    disk.fence("n" + (first + 1));
    cluster.kill(first);
    mayWrite.get(first).complete(null);
    for (int i = 0; i < n; i++) {
      if (i != first) {
        mayWrite.get(i).complete(null);
      }
    }
    List<Integer> survivors = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (i != victim && i != first) {
        survivors.add(i);
      }
    }
    until("every survivor unblocked after both recoveries", () -> survivors.stream()
        .allMatch(i -> !mounts.get(i).blocked() && mounts.get(i).acknowledged() > 2));
    BlockDevice reader = disk.member("reader");
    assertThat(reader.read(10)).isEqualTo(text("T1"));
    for (int b = 11; b <= 13; b++) {
      assertThat(reader.read(b)).as("block %d", b).isEqualTo(text("T2"));
    }
    assertThat(JournalDisk.header(reader, layout.region(victimJid)).dirty()).isFalse();
    assertThat(JournalDisk.header(reader, layout.region(firstJid)).dirty())
        .as("the dead replayer's own journal is recovered too").isFalse();
    assertThat(survivors.stream().filter(i -> events.get(i).contains(new JournalEvent.Replayed(victimJid, 1))))
        .as("a second survivor replayed the victim's committed transaction again").isNotEmpty();
    Glocks g = glocks.get(survivors.get(0));
    Glocks.NqResult r = onTask(kernels.get(survivors.get(0)), "stat", () -> {
      Glocks.NqResult x = g.nq(GlockName.of(GlockType.INODE, 0x10), GlockState.SH, Set.of());
      g.dq(((Glocks.Granted) x).holder());
      return x;
    }).get(BOUND_MS, TimeUnit.MILLISECONDS);
    assertThat(r).isInstanceOf(Glocks.Granted.class);
  }

  private static int replayer(List<List<JournalEvent>> events, int jid) {
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).stream().anyMatch(e -> e instanceof JournalEvent.Replaying r && r.jid() == jid)) {
        return i;
      }
    }
    return -1;
  }

  private static int indexOf(List<String> l, String part) {
    for (int i = 0; i < l.size(); i++) {
      if (l.get(i).contains(part)) {
        return i;
      }
    }
    return -1;
  }

  private static int lastIndexOf(List<String> l, String part) {
    for (int i = l.size() - 1; i >= 0; i--) {
      if (l.get(i).contains(part)) {
        return i;
      }
    }
    return -1;
  }

  static <T> CompletableFuture<T> onTask(Kernel kernel, String name, Supplier<T> body) {
    CompletableFuture<T> result = new CompletableFuture<>();
    kernel.spawn(name, EnumSet.noneOf(TaskFlag.class), () -> {
      try {
        result.complete(body.get());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    });
    return result;
  }

  static TaskSnapshot task(Kernel kernel, String name) {
    return kernel.tasks().stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
  }

  static void until(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + BOUND_MS * 1_000_000;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + BOUND_MS + " ms: " + what);
      }
      Thread.sleep(5);
    }
  }

  /** A survivor's disk whose writes to the data area wait until {@code release} (holds a replay mid-way). */
  private static final class HeldDevice extends ForwardingDevice {
    private final CompletableFuture<Void> release;

    HeldDevice(BlockDevice inner, CompletableFuture<Void> release) {
      super(inner);
      this.release = release;
    }

    @Override
    public void write(int block, byte[] data) throws DiskError {
      if (block < DATA) {
        release.orTimeout(BOUND_MS, TimeUnit.MILLISECONDS).join();
      }
      inner.write(block, data);
    }
  }
}
