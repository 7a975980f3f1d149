package org.jdlm.fs.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jdlm.fs.journal.JournalRecoveryClusterTest.onTask;
import static org.jdlm.fs.journal.JournalRecoveryClusterTest.task;
import static org.jdlm.fs.journal.JournalRecoveryClusterTest.until;

import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.jdlm.fs.FsSettings;
import org.jdlm.fs.GlockCacheOps;
import org.jdlm.fs.Glocks;
import org.jdlm.fs.NolockModule;
import org.jdlm.fs.core.GlockName;
import org.jdlm.fs.core.GlockState;
import org.jdlm.fs.core.GlockType;
import org.jdlm.fs.core.HolderFlag;
import org.jdlm.fs.disk.BlockWrite;
import org.jdlm.fs.disk.DiskError;
import org.jdlm.fs.disk.MemoryBlockDevice;
import org.jdlm.fs.journal.core.JournalHeader;
import org.jdlm.fs.journal.core.JournalLayout;
import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.core.TaskSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The journal layer of one member over {@code lock_nolock} with a lockspace view the test drives:
 * which journal a mount claims and what it replays first, which other journals it recovers, and
 * the BLOCK_LOCKS gate.
 */
class MountedJournalsTest {
  private static final int BS = 128;
  private static final int DATA = 32;
  private static final long BOUND_MS = 20_000;

  private final ActorTestKit testKit = ActorTestKit.create();
  private final Kernel kernel = Kernel.start("n1", Kernel.Settings.from(ConfigFactory.parseString(
      "jdlm.kernel.memory.kswapd.enabled = off").withFallback(ConfigFactory.defaultReference()).resolve()),
      Kernel.systemClock(), false);
  private final Glocks glocks = Glocks.mount(testKit.system(), "fs1", kernel, new NolockModule(), 32,
      GlockCacheOps.NONE, FsSettings.from(ConfigFactory.defaultReference().resolve()));
  private final MemoryBlockDevice disk = new MemoryBlockDevice("sda", BS, DATA + 2 * 16);
  private final JournalLayout layout = JournalLayout.contiguous(DATA, 2, 16);
  private final JournalSettings settings = new JournalSettings(1, Duration.ofSeconds(10), Duration.ofSeconds(20),
      Duration.ofMillis(20));
  private final FakeView view = new FakeView("me");
  private final List<JournalEvent> events = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    glocks.close();
    testKit.shutdownTestKit();
    kernel.close();
  }

  static final class FakeView implements LockspaceView {
    final String self;
    volatile boolean running = true;
    volatile long generation = 1;
    volatile Set<String> members = Set.of("me");

    @Override
    public String name() {
      return "fs1";
    }

    FakeView(String self) {
      this.self = self;
    }

    @Override
    public String self() {
      return self;
    }

    @Override
    public boolean running() {
      return running;
    }

    @Override
    public long generation() {
      return generation;
    }

    @Override
    public Set<String> members() {
      return members;
    }
  }

  private static byte[] text(String s) {
    return Arrays.copyOf(s.getBytes(StandardCharsets.UTF_8), BS);
  }

  /** Leaves journal {@code jid} LIVE, owned by {@code owner}, with one transaction committed but not in place. */
  private void crashedWriter(int jid, String owner, int block, String contents) throws DiskError {
    JournalLayout.Region r = layout.region(jid);
    JournalHeader live = JournalHeader.fresh(jid, r.logBlocks()).mountedBy(owner);
    JournalDisk.writeHeader(disk.member(owner), r, live);
    JournalWriter w = new JournalWriter("fs1", new CrashingDevice(disk.member(owner), 3), layout, r, live, 1,
        Duration.ofSeconds(1));
    assertThatThrownBy(() -> w.commit(List.of(new BlockWrite(block, text(contents))))).isInstanceOf(DiskError.class);
    assertThat(disk.member("x").read(block)).as("logged, not in place").isEqualTo(new byte[BS]);
  }

  private MountedJournals mount() throws Exception {
    return mount(view);
  }

  private MountedJournals mount(FakeView as) throws Exception {
    return onTask(kernel, "mount", () -> {
      try {
        return MountedJournals.mount(testKit.system(), "fs1", disk.member(as.self()), layout, glocks, as, settings,
            events::add);
      } catch (DiskError e) {
        throw new IllegalStateException(e);
      }
    }).get(BOUND_MS, TimeUnit.MILLISECONDS);
  }

  @Test
  void aMountClaimsTheFirstFreeJournalAndReplaysWhatItsLastOwnerLeft() throws Exception {
    crashedWriter(0, "me", 3, "mine"); // an earlier incarnation of this member
    MountedJournals m = mount();
    assertThat(m.jid()).isZero();
    assertThat(events).startsWith(new JournalEvent.Claimed(0, 1));
    assertThat(disk.member("x").read(3)).isEqualTo(text("mine"));
    JournalHeader h = JournalDisk.header(disk.member("x"), layout.region(0));
    assertThat(h.dirty()).isTrue();
    assertThat(h.owner()).isEqualTo("me");
    onTask(kernel, "umount", () -> {
      try {
        m.close();
      } catch (DiskError e) {
        throw new IllegalStateException(e);
      }
      return null;
    }).get(BOUND_MS, TimeUnit.MILLISECONDS);
    assertThat(JournalDisk.header(disk.member("x"), layout.region(0)).dirty()).isFalse();
  }

  @Test
  void theFirstMounterRecoversTheJournalOfAMemberThatIsGoneAndLeavesALiveMembersAlone() throws Exception {
    crashedWriter(1, "ghost", 5, "ghost's");
    mount();
    assertThat(events).contains(new JournalEvent.Replaying(1, "ghost", 1, true), new JournalEvent.Replayed(1, 1),
        new JournalEvent.Unblocked(1));
    assertThat(disk.member("x").read(5)).isEqualTo(text("ghost's"));
    assertThat(JournalDisk.header(disk.member("x"), layout.region(1)).dirty()).isFalse();
  }

  @Test
  void aLiveMembersJournalIsNotReplayed() throws Exception {
    crashedWriter(1, "other", 6, "other's");
    view.members = Set.of("me", "other");
    // "other" is mounted: it holds its journal glock (lock_nolock: a holder on this member stands for it).
    CompletableFuture<Void> unmountOther = new CompletableFuture<>();
    CompletableFuture<Void> holding = new CompletableFuture<>();
    CompletableFuture<Void> other = onTask(kernel, "other", () -> {
      Glocks.NqResult r = glocks.nq(GlockName.of(GlockType.JOURNAL, 1), GlockState.EX, EnumSet.of(HolderFlag.NOEXP));
      holding.complete(null);
      unmountOther.join();
      glocks.dq(((Glocks.Granted) r).holder());
      return null;
    });
    holding.get(BOUND_MS, TimeUnit.MILLISECONDS);
    mount();
    assertThat(events).noneMatch(e -> e instanceof JournalEvent.Replaying);
    assertThat(disk.member("x").read(6)).isEqualTo(new byte[BS]);
    unmountOther.complete(null);
    other.get(BOUND_MS, TimeUnit.MILLISECONDS);
  }

  @Test
  void aMembersLiveJournalWhoseGlockIsFreeIsItsDeadPredecessorsAndIsReplayed() throws Exception {
    // "other" restarted at the same address (same node id) and rejoined, but has not mounted yet.
    crashedWriter(1, "other", 6, "other's");
    view.members = Set.of("me", "other");
    mount();
    assertThat(events).contains(new JournalEvent.Replayed(1, 1));
    assertThat(disk.member("x").read(6)).isEqualTo(text("other's"));
  }

  @Test
  void gatedRequestsWaitUntilTheNewGenerationIsCheckedAndNoexpOnesPass() throws Exception {
    MountedJournals m = mount();
    view.running = false; // the lockspace stopped for a membership change
    assertThat(m.blocked()).isTrue();
    GlockName inode = GlockName.of(GlockType.INODE, 0x42);
    CompletableFuture<Glocks.NqResult> stat = onTask(kernel, "stat", () -> {
      Glocks.NqResult r = glocks.nq(inode, GlockState.SH, Set.of());
      glocks.dq(((Glocks.Granted) r).holder());
      return r;
    });
    until("stat waits for journal recovery", () -> {
      TaskSnapshot t = task(kernel, "stat");
      return t != null && t.waitEdge() != null && t.waitEdge().label().equals("waits-reply(journal recovery)");
    });
    assertThat(task(kernel, "stat").waitEdge().targets()).containsExactly("journal:fs1");
    Glocks.NqResult noexp = onTask(kernel, "recovery-side", () -> {
      Glocks.NqResult r = glocks.nq(GlockName.of(GlockType.INODE, 0x43), GlockState.SH, EnumSet.of(HolderFlag.NOEXP));
      glocks.dq(((Glocks.Granted) r).holder());
      return r;
    }).get(BOUND_MS, TimeUnit.MILLISECONDS);
    assertThat(noexp).as("NOEXP passes the gate").isInstanceOf(Glocks.Granted.class);
    Thread.sleep(100);
    assertThat(stat).isNotDone();

    view.generation = 2; // resumed at a new generation: the poll starts a check, then the gate opens
    view.running = true;
    assertThat(stat.get(BOUND_MS, TimeUnit.MILLISECONDS)).isInstanceOf(Glocks.Granted.class);
    assertThat(m.acknowledged()).isEqualTo(2);
    assertThat(events).containsSubsequence(new JournalEvent.Blocked(2), new JournalEvent.Unblocked(2));
  }

  @Test
  void aMountFindsNoJournalWhenEveryOneIsHeldAndSaysSo() throws Exception {
    // Three members sharing this member's glocks (lock_nolock stands for the DLM here).
    Set<String> all = Set.of("me", "you", "they");
    FakeView you = new FakeView("you");
    FakeView they = new FakeView("they");
    for (FakeView v : List.of(view, you, they)) {
      v.members = all;
    }
    MountedJournals first = mount(view);
    MountedJournals second = mount(you);
    assertThat(List.of(first.jid(), second.jid())).containsExactly(0, 1);
    assertThatThrownBy(() -> mount(they)).hasRootCauseInstanceOf(IllegalStateException.class)
        .rootCause().hasMessageContaining("all 2 journals are held by mounted members");
  }
}
