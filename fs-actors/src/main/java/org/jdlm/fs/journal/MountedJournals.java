package org.jdlm.fs.journal;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.jdlm.fs.Glocks;
import org.jdlm.fs.LockGate;
import org.jdlm.fs.core.GlockEffect;
import org.jdlm.fs.core.GlockName;
import org.jdlm.fs.core.GlockState;
import org.jdlm.fs.core.GlockType;
import org.jdlm.fs.core.HolderFlag;
import org.jdlm.fs.disk.BlockDevice;
import org.jdlm.fs.disk.DiskError;
import org.jdlm.fs.disk.MetadataWriter;
import org.jdlm.fs.journal.core.JournalHeader;
import org.jdlm.fs.journal.core.JournalLayout;
import org.jdlm.fs.journal.core.JournalReplay;
import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.Task;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.TaskFlag;
import org.jdlm.kernel.core.WaitEdge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journals of one mounted filesystem on this member (GFS2's {@code sd_jdesc} and
 * {@code gfs2_recover}): the journal this member claimed and writes through ({@link #writer()}),
 * the recovery of departed members' journals, and the BLOCK_LOCKS gate it installs in the glock
 * layer.
 *
 * <p><b>Which journal is whose.</b> A mounting member takes the journal glock (type 9, number =
 * jid) of the first journal it can get in EX with TRY and keeps it while mounted; a live member's
 * journal glock is therefore always held EX by it. It writes its DLM node id ({@code host:port})
 * into the journal's header with the state LIVE; unmount writes CLEAN. So every member can read
 * from the disk which journal a departed member used: a LIVE header whose owner is not in the
 * lockspace any more. (GFS2 takes the jid from the mount group; this needs no extra service and
 * survives the loss of any member.)
 *
 * <p><b>Recovery</b> (fs-cycles §4.1 steps 9–11), run on a kernel task {@code gfs2_recovery-<fs>}
 * whenever the lockspace resumed at a generation this mount has not checked yet: wait until the
 * lockspace runs (lockspace recovery, fencing included, is over), then for each LIVE journal of a
 * non-member (or of an earlier incarnation of this member) take its glock EX with
 * {@code TRY|NOEXP|NOCACHE}: the winner replays it and marks it clean; a loser ("Busy") waits for
 * the same glock without TRY and then finds it clean — or, if the winner died half way, still
 * LIVE, and replays it itself (replay is idempotent; the dead winner's lock was purged by the next
 * lockspace recovery). A LIVE journal of a member is tried too, without waiting: its glock is free
 * only when that member is a new incarnation (same address) that has not mounted yet, and then the
 * journal is its dead predecessor's. Only then, if no newer generation began meanwhile, the gate
 * opens.
 *
 * <p><b>BLOCK_LOCKS.</b> The gate is closed whenever the lockspace is stopped, or resumed at a
 * generation whose journal check has not finished, or a journal is being replayed: gated glock
 * requests wait in their task with {@code waits-reply(journal recovery)} on
 * {@code journal:<fs>/<jid>} (see {@link LockGate}). Because the generation is read from the
 * lockspace itself at every {@code nq}, a grant cannot slip through between the resume and the
 * moment this mount notices it. The DLM API has no recover_done callback, so a mount polls the
 * lockspace ({@code jdlm.fs.journal.recovery-poll}) to start recovery on members where no task
 * happens to ask; the member that fenced also starts it through {@code NodeRecovery}'s hook
 * ({@link JournalRecoveries}).
 */
public final class MountedJournals implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MountedJournals.class);

  private final String fsName;
  private final BlockDevice device;
  private final JournalLayout layout;
  private final Glocks glocks;
  private final LockspaceView view;
  private final JournalSettings settings;
  private final Consumer<JournalEvent> events;
  private final Kernel kernel;
  private final Gate gate = new Gate();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  /** The lockspace generation whose journal check finished (the gate is open at it). */
  private volatile long acknowledged = -1;
  /** Journals being replayed or waited for now: the targets of a gated task's edge. */
  private volatile Set<Integer> recovering = Set.of();
  private volatile boolean closed;
  private boolean runActive;
  private final List<Waiter> waiters = new ArrayList<>();
  // Set by the mounting task, read by recovery tasks and the poll on other threads.
  private volatile JournalRecoveries registry;
  private volatile Cancellable watcher;
  private volatile JournalWriter writer;
  private volatile Glocks.GlockHolder own;

  private record Waiter(long after, CompletableFuture<Void> done) {}

  private MountedJournals(String fsName, BlockDevice device, JournalLayout layout, Glocks glocks, LockspaceView view,
                          JournalSettings settings, Consumer<JournalEvent> events) {
    this.fsName = fsName;
    this.device = device;
    this.layout = layout;
    this.glocks = glocks;
    this.view = view;
    this.settings = settings;
    this.events = events;
    this.kernel = glocks.kernel();
  }

  /**
   * Mounts the journal layer, in the calling kernel task: installs the gate (closed until the
   * first check), claims a journal and replays what its last owner left, writes it LIVE, recovers
   * the journals of departed members (the first mounter after a crash of everyone), opens the
   * gate and registers with this member's {@link JournalRecoveries}. Fails with the reason when
   * every journal is held by a mounted member.
   */
  public static MountedJournals mount(ActorSystem<?> system, String fsName, BlockDevice device, JournalLayout layout,
                                      Glocks glocks, LockspaceView view, JournalSettings settings,
                                      Consumer<JournalEvent> events) throws DiskError {
    MountedJournals m = new MountedJournals(fsName, device, layout, glocks, view, settings, events);
    glocks.useGate(m.gate);
    synchronized (m) {
      m.runActive = true; // the mount's own check below is the first run
    }
    try {
      m.claim();
      m.recoverDeparted();
    } catch (DiskError | RuntimeException e) {
      glocks.useGate(LockGate.OPEN);
      if (m.own != null) {
        glocks.dq(m.own);
      }
      throw e;
    } finally {
      synchronized (m) {
        m.runActive = false;
      }
    }
    m.registry = JournalRecoveries.get(system);
    m.registry.add(m);
    m.watcher = system.scheduler().scheduleAtFixedRate(settings.recoveryPoll(), settings.recoveryPoll(), m::watch,
        system.executionContext());
    return m;
  }

  /** This member's metadata writer: its own journal. */
  public MetadataWriter writer() {
    return writer;
  }

  /** The journal writer itself (bookkeeping for dumps and tests). */
  public JournalWriter journal() {
    return writer;
  }

  /** The journal id this member claimed. */
  public int jid() {
    return writer.jid();
  }

  public String fsName() {
    return fsName;
  }

  LockspaceView view() {
    return view;
  }

  /** Whether glock requests on this filesystem are blocked now (BLOCK_LOCKS). */
  public boolean blocked() {
    return !view.running() || view.generation() > acknowledged || !recovering.isEmpty();
  }

  /** The lockspace generation at which locks were last unblocked. */
  public long acknowledged() {
    return acknowledged;
  }

  private void claim() throws DiskError {
    for (int jid = 0; jid < layout.journals(); jid++) {
      Glocks.NqResult r = glocks.nq(GlockName.of(GlockType.JOURNAL, jid), GlockState.EX,
          EnumSet.of(HolderFlag.TRY, HolderFlag.NOEXP));
      if (r instanceof Glocks.Granted g) {
        own = g.holder();
        JournalLayout.Region region = layout.region(jid);
        // The journal may be LIVE: its owner died and nobody replayed it yet, or it was an earlier
        // incarnation of this member. Holding its glock EX, this member may replay it.
        JournalReplay.Plan plan = JournalDisk.replay(device, region);
        JournalHeader live = JournalDisk.header(device, region).mountedBy(view.self());
        JournalDisk.writeHeader(device, region, live);
        writer = new JournalWriter(fsName, device, layout, region, live, settings.checkpointEvery(),
            settings.commitWait());
        emit(new JournalEvent.Claimed(jid, plan.committed().size()));
        return;
      }
    }
    throw new IllegalStateException("cannot mount " + fsName + " on " + view.self() + ": all " + layout.journals()
        + " journals are held by mounted members; the filesystem needs one journal per member");
  }

  /** The recovery run: until the gate could open at the generation it checked. */
  private void recoverDeparted() throws DiskError {
    while (!closed) {
      awaitRunning();
      long g = view.generation();
      Set<String> members = view.members();
      if (g > acknowledged) {
        emit(new JournalEvent.Blocked(g));
      }
      for (int jid = 0; jid < layout.journals(); jid++) {
        if (own != null && jid == own.glock().name().number()) {
          continue;
        }
        JournalHeader h = JournalDisk.header(device, layout.region(jid));
        if (h.dirty()) {
          // A non-member's journal (or an earlier incarnation of this member's) must be recovered:
          // wait for it if another member replays it. A member's journal is normally held by that
          // member; if its glock is free, the owner is a new incarnation that has not mounted yet
          // and the journal is its dead predecessor's: replay it too (TRY only).
          boolean departed = !members.contains(h.owner()) || h.owner().equals(view.self());
          recoverJournal(jid, departed);
        }
      }
      lock.lock();
      try {
        if (view.running() && view.generation() == g) {
          acknowledged = Math.max(acknowledged, g);
          changed.signalAll();
        } else {
          continue; // a newer recovery began: check again for it
        }
      } finally {
        lock.unlock();
      }
      emit(new JournalEvent.Unblocked(g));
      completeWaiters(g);
      return;
    }
  }

  /**
   * {@code gfs2_recover_func} for one journal: TRY; if busy and {@code waitIfBusy}, wait for the
   * glock; replay if still LIVE.
   */
  private void recoverJournal(int jid, boolean waitIfBusy) throws DiskError {
    GlockName name = GlockName.of(GlockType.JOURNAL, jid);
    if (waitIfBusy) {
      setRecovering(jid, true);
    }
    Glocks.GlockRef ref = glocks.get(name);
    try {
      Glocks.NqResult r = glocks.nq(ref, GlockState.EX, EnumSet.of(HolderFlag.TRY, HolderFlag.NOEXP,
          HolderFlag.NOCACHE), "gfs2_recover_journal", settings.recoveryWait());
      if (r instanceof Glocks.Failed f && f.error() == GlockEffect.HolderError.TRYAGAIN) {
        if (!waitIfBusy) {
          return; // its live owner holds it
        }
        LOG.info("{}: jid={}: Busy (another member replays it); waiting for it", fsName, jid);
        emit(new JournalEvent.Busy(jid));
        r = glocks.nq(ref, GlockState.EX, EnumSet.of(HolderFlag.NOEXP, HolderFlag.NOCACHE), "gfs2_recover_journal",
            settings.recoveryWait());
      }
      if (!(r instanceof Glocks.Granted granted)) {
        throw new IllegalStateException(fsName + ": the glock of journal " + jid + " was not granted: " + r);
      }
      try {
        JournalHeader h = JournalDisk.header(device, layout.region(jid));
        if (h.dirty()) {
          emit(new JournalEvent.Replaying(jid, h.owner(), view.generation(), view.running()));
          JournalReplay.Plan plan = JournalDisk.replay(device, layout.region(jid));
          LOG.info("{}: jid={}: replayed {} transactions of {}{}", fsName, jid, plan.committed().size(), h.owner(),
              plan.torn() == null ? "" : "; ignored a cut-off one (" + plan.torn().why() + ")");
          emit(new JournalEvent.Replayed(jid, plan.committed().size()));
        } else {
          emit(new JournalEvent.Replayed(jid, 0));
        }
      } finally {
        glocks.dq(granted.holder());
      }
    } finally {
      glocks.put(ref);
      if (waitIfBusy) {
        setRecovering(jid, false);
      }
    }
  }

  private void setRecovering(int jid, boolean on) {
    lock.lock();
    try {
      Set<Integer> s = new HashSet<>(recovering);
      if (on) {
        s.add(jid);
      } else {
        s.remove(jid);
      }
      recovering = Set.copyOf(s);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Waits, with {@code waits-dlm-running} on the lockspace, until lockspace recovery is over. */
  private void awaitRunning() {
    if (view.running()) {
      return;
    }
    Task task = Task.current();
    WaitEdge edge = WaitEdge.of(EdgeKind.WAITS_DLM_RUNNING, view.name(), "lockspace:" + view.name());
    lock.lock();
    try {
      if (!task.awaitCondition(edge, lock, changed, () -> view.running() || closed, settings.recoveryWait())) {
        throw new Task.WaitTimedOut(task, edge, settings.recoveryWait());
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Completes once locks were unblocked at a generation above {@code after} (journal recovery for
   * a lockspace recovery that has not resumed yet, or is under way); starts a recovery run.
   */
  CompletableFuture<Void> unblockedAfter(long after) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    synchronized (this) {
      if (acknowledged > after && !blocked()) {
        done.complete(null);
        return done;
      }
      waiters.add(new Waiter(after, done));
    }
    kick();
    return done;
  }

  private void completeWaiters(long g) {
    List<CompletableFuture<Void>> due = new ArrayList<>();
    synchronized (this) {
      waiters.removeIf(w -> {
        if (g > w.after()) {
          due.add(w.done());
          return true;
        }
        return false;
      });
    }
    due.forEach(f -> f.complete(null));
  }

  /** Starts a recovery run on its own kernel task unless one is running. */
  private void kick() {
    synchronized (this) {
      if (runActive || closed) {
        return;
      }
      runActive = true;
    }
    try {
      kernel.spawn("gfs2_recovery-" + fsName, EnumSet.noneOf(TaskFlag.class), () -> {
        try {
          recoverDeparted();
        } catch (Throwable t) {
          // Locks stay blocked (the safe side); the watcher starts another run after the poll.
          LOG.error("{}: journal recovery failed; locks stay blocked and it is tried again: {}", fsName, t.toString());
          failWaiters(t);
        } finally {
          synchronized (this) {
            runActive = false;
          }
        }
      });
    } catch (IllegalStateException e) {
      synchronized (this) {
        runActive = false;
      }
      LOG.warn("{}: cannot start journal recovery: {}", fsName, e.getMessage());
    }
  }

  private void failWaiters(Throwable t) {
    List<CompletableFuture<Void>> due = new ArrayList<>();
    synchronized (this) {
      waiters.forEach(w -> due.add(w.done()));
      waiters.clear();
    }
    due.forEach(f -> f.completeExceptionally(t));
  }

  /** The poll: a new generation starts a run; waiting tasks re-read the lockspace. */
  private void watch() {
    if (closed) {
      return;
    }
    if (blocked()) {
      kick();
      lock.lock();
      try {
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  private void emit(JournalEvent e) {
    LOG.debug("{}: {}", fsName, e);
    events.accept(e);
  }

  /** Unmount, in a kernel task: the journal marked clean, its glock released, the gate removed. */
  @Override
  public void close() throws DiskError {
    closed = true;
    if (watcher != null) {
      watcher.cancel();
    }
    if (registry != null) {
      registry.remove(this);
    }
    try {
      writer.close();
    } finally {
      glocks.useGate(LockGate.OPEN);
      glocks.dq(own);
      lock.lock();
      try {
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /** BLOCK_LOCKS as the glock layer's {@link LockGate}. */
  private final class Gate implements LockGate {
    @Override
    public void await(GlockName name, String caller) {
      if (!blocked()) {
        return;
      }
      kick();
      Task task = Task.current();
      Set<Integer> jids = recovering;
      String[] targets = jids.isEmpty() ? new String[] {"journal:" + fsName}
          : jids.stream().sorted().map(j -> JournalWriter.endpoint(fsName, j)).toArray(String[]::new);
      WaitEdge edge = WaitEdge.of(EdgeKind.WAITS_REPLY, "journal recovery", targets);
      lock.lock();
      try {
        if (!task.awaitCondition(edge, lock, changed, () -> !blocked() || closed, settings.recoveryWait())) {
          throw new Task.WaitTimedOut(task, edge, settings.recoveryWait());
        }
      } finally {
        lock.unlock();
      }
    }
  }
}
