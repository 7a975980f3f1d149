package org.jdlm.fs.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.jdlm.fs.core.InodeEffect.CacheDropStep;
import org.jdlm.fs.core.InodeEffect.DeallocStep;
import org.jdlm.fs.core.InodeRules.DropDecision;
import org.jdlm.fs.core.InodeRules.EvictNext;
import org.jdlm.fs.core.InodeRules.EvictStart;
import org.jdlm.fs.core.InodeRules.IopenOutcome;

/**
 * One inode in one node's inode cache (fs-cycles §2): lookups and puts, the drop-or-keep decision,
 * and eviction as cache drop or deallocation through the iopen glock. Decisions are in
 * {@link InodeRules}; this class holds the state and emits {@link InodeEffect}s.
 *
 * <pre>
 *   NEW ──instantiated──> IN_USE <──iget── CACHED
 *                           │  └──last iput, keep──^  │
 *                           └──last iput, evict──> FREEING <──shrinker evicts──┘
 *                                                    │ (cache drop | try iopen EX → wait → dealloc | cache drop)
 *                                                    v
 *                                                  FREED
 * </pre>
 */
public final class InodeCore {

  /** Cache states ({@code I_NEW}, in use, unused on the LRU, {@code I_FREEING}, gone). */
  public enum State {
    NEW, IN_USE, CACHED, FREEING, FREED;

    private static final Map<State, EnumSet<State>> LEGAL = Map.of(
        NEW, EnumSet.of(IN_USE),
        IN_USE, EnumSet.of(CACHED, FREEING),
        CACHED, EnumSet.of(IN_USE, FREEING),
        FREEING, EnumSet.of(FREED),
        FREED, EnumSet.noneOf(State.class));

    /** The next state; throws naming the legal ones otherwise. */
    public State transitionTo(State next) {
      if (!LEGAL.get(this).contains(next)) {
        throw new IllegalStateException("illegal inode transition " + this + " -> " + next + "; legal: " + LEGAL.get(this));
      }
      return next;
    }
  }

  /** Where an eviction is. */
  public enum EvictStage { NONE, AWAIT_TRY, AWAIT_WAIT, CACHE_DROP, DEALLOCATE }

  /**
   * The caller's situation.
   *
   * @param inReclaim the task is reclaiming memory ({@code PF_MEMALLOC})
   * @param sbActive  the filesystem is mounted and not shutting down
   * @param readOnly  the filesystem is read-only (nothing is ever deleted)
   */
  public record Context(boolean inReclaim, boolean sbActive, boolean readOnly) {
    public static final Context NORMAL = new Context(false, true, false);
    public static final Context RECLAIM = new Context(true, true, false);
  }

  private final long ino;
  private final long iopenTimeoutMillis;
  private State state = State.NEW;
  private int count = 1;
  private long nlink = 1;
  private boolean iopenHeld;
  private boolean dirty;
  private boolean deleteQueued;
  private EvictStage stage = EvictStage.NONE;
  private boolean evictInReclaim;

  /** {@code iget_locked} found nothing: a new inode with the caller's reference, to be read in. */
  public InodeCore(long ino, long iopenTimeoutMillis) {
    if (iopenTimeoutMillis <= 0) {
      throw new IllegalArgumentException("iopen upgrade timeout " + iopenTimeoutMillis + " ms must be positive");
    }
    this.ino = ino;
    this.iopenTimeoutMillis = iopenTimeoutMillis;
  }

  /** The dinode was read: {@code nlink} links, and whether we now hold the iopen glock SH. */
  public List<InodeEffect> instantiated(long nlink, boolean iopenHeld) {
    requireNlink(nlink);
    state = state.transitionTo(State.IN_USE);
    this.nlink = nlink;
    this.iopenHeld = iopenHeld;
    return checked(new ArrayList<>());
  }

  /** A lookup hit this inode. */
  public List<InodeEffect> iget() {
    List<InodeEffect> effects = new ArrayList<>();
    switch (state) {
      case NEW:
        effects.add(new InodeEffect.WaitOnInode(ino, InodeEffect.WaitReason.NEW));
        break;
      case FREEING:
        effects.add(new InodeEffect.WaitOnInode(ino, InodeEffect.WaitReason.FREEING));
        break;
      case IN_USE:
        count++;
        break;
      case CACHED:
        // Stays on the LRU: the LRU scan drops in-use entries lazily, as list_lru does.
        state = state.transitionTo(State.IN_USE);
        count = 1;
        break;
      default:
        throw new IllegalStateException("iget of freed inode " + ino + ": the cache must create a new one");
    }
    return checked(effects);
  }

  /** {@code iput}; the last one decides between keeping the inode cached and evicting it now. */
  public List<InodeEffect> iput(Context ctx) {
    if (state != State.IN_USE || count == 0) {
      throw new IllegalStateException("iput of inode " + ino + " in " + state + " with count " + count);
    }
    List<InodeEffect> effects = new ArrayList<>();
    count--;
    if (count > 0) {
      return checked(effects);
    }
    DropDecision d = InodeRules.onLastPut(nlink, ctx.inReclaim(), iopenHeld, ctx.sbActive());
    switch (d) {
      case KEEP_CACHED:
        state = state.transitionTo(State.CACHED);
        effects.add(new InodeEffect.AddToLru(ino));
        break;
      case DEFER_DELETE:
        state = state.transitionTo(State.CACHED);
        effects.add(new InodeEffect.AddToLru(ino));
        queueDelete(effects);
        break;
      default:
        startEvict(ctx, effects);
    }
    return checked(effects);
  }

  /** The inode shrinker chose this unused inode; a stale choice (in use again) does nothing. */
  public List<InodeEffect> evictFromLru(Context ctx) {
    List<InodeEffect> effects = new ArrayList<>();
    if (state == State.CACHED) {
      startEvict(ctx, effects);
    }
    return checked(effects);
  }

  /** The answer to {@link InodeEffect.TryIopenExclusive} or {@link InodeEffect.WaitIopenExclusive}. */
  public List<InodeEffect> iopen(IopenOutcome outcome) {
    boolean tryAnswer = outcome == IopenOutcome.TRY_GRANTED || outcome == IopenOutcome.TRY_FAILED;
    EvictStage expected = tryAnswer ? EvictStage.AWAIT_TRY : EvictStage.AWAIT_WAIT;
    if (stage != expected) {
      throw new IllegalStateException("iopen answer " + outcome + " for inode " + ino + " in stage " + stage);
    }
    List<InodeEffect> effects = new ArrayList<>();
    EvictNext next = InodeRules.afterIopen(outcome);
    switch (next) {
      case DEALLOCATE:
        stage = EvictStage.DEALLOCATE;
        effects.add(new InodeEffect.Deallocate(ino, List.of(DeallocStep.values())));
        break;
      case WAIT_IOPEN_EXCLUSIVE:
        stage = EvictStage.AWAIT_WAIT;
        effects.add(new InodeEffect.WaitIopenExclusive(ino, iopenTimeoutMillis));
        break;
      default:
        stage = EvictStage.CACHE_DROP;
        effects.add(new InodeEffect.CacheDrop(ino, cacheDropSteps()));
    }
    return checked(effects);
  }

  /** The cache drop or deallocation finished: let go of the glocks, the inode is gone. */
  public List<InodeEffect> evictStepsDone() {
    if (stage != EvictStage.CACHE_DROP && stage != EvictStage.DEALLOCATE) {
      throw new IllegalStateException("eviction steps done for inode " + ino + " in stage " + stage);
    }
    List<InodeEffect> effects = new ArrayList<>();
    boolean dropped = stage == EvictStage.CACHE_DROP;
    if (!dropped) {
      deleteQueued = false; // deleted here: any queued delete work will find nothing to do
    }
    state = state.transitionTo(State.FREED);
    stage = EvictStage.NONE;
    dirty = false;
    effects.add(new InodeEffect.ReleaseGlocks(ino, evictInReclaim, dropped));
    effects.add(new InodeEffect.Freed(ino));
    return checked(effects);
  }

  /** The link count changed (a local unlink, or revalidation after a remote one). */
  public List<InodeEffect> setNlink(long nlink) {
    requireNlink(nlink);
    this.nlink = nlink;
    return checked(new ArrayList<>());
  }

  /** The inode was dirtied (needs writing back before a cache drop). */
  public List<InodeEffect> markDirty() {
    if (state != State.IN_USE) {
      throw new IllegalStateException("inode " + ino + " dirtied while " + state);
    }
    dirty = true;
    return checked(new ArrayList<>());
  }

  /** The flusher wrote the inode back (it is clean again, so the shrinker may take it). */
  public List<InodeEffect> writtenBack() {
    if (state == State.FREED) {
      throw new IllegalStateException("inode " + ino + " written back after it was freed");
    }
    dirty = false;
    return checked(new ArrayList<>());
  }

  /** The delete work queued for this inode ran (it looks the inode up itself to delete it). */
  public void deleteWorkRan() {
    deleteQueued = false;
    checkInvariants();
  }

  private void startEvict(Context ctx, List<InodeEffect> effects) {
    state = state.transitionTo(State.FREEING);
    evictInReclaim = ctx.inReclaim();
    effects.add(new InodeEffect.RemoveFromLru(ino));
    EvictStart start = InodeRules.evictStart(nlink, ctx.readOnly(), ctx.inReclaim() || deleteQueued);
    switch (start) {
      case TRY_IOPEN_EXCLUSIVE:
        stage = EvictStage.AWAIT_TRY;
        effects.add(new InodeEffect.TryIopenExclusive(ino));
        break;
      case DEFER:
        // Case D: drop only the cached copy; the delete worker looks the block up later and
        // deletes it there (a deferred delete must never be lost, fs-cycles §2.4).
        queueDelete(effects);
        stage = EvictStage.CACHE_DROP;
        effects.add(new InodeEffect.CacheDrop(ino, cacheDropSteps()));
        break;
      default:
        stage = EvictStage.CACHE_DROP;
        effects.add(new InodeEffect.CacheDrop(ino, cacheDropSteps()));
    }
  }

  private void queueDelete(List<InodeEffect> effects) {
    if (!deleteQueued) {
      deleteQueued = true;
      effects.add(new InodeEffect.QueueDeleteWork(ino));
    }
  }

  private List<CacheDropStep> cacheDropSteps() {
    List<CacheDropStep> steps = new ArrayList<>();
    steps.add(CacheDropStep.FLUSH_LOG_FOR_GLOCK);
    if (dirty) {
      steps.add(CacheDropStep.WRITE_METADATA);
      steps.add(CacheDropStep.WRITE_INODE);
    }
    steps.add(CacheDropStep.EMPTY_AIL);
    steps.add(CacheDropStep.REVOKE_TRANSACTION);
    steps.add(CacheDropStep.TRUNCATE_PAGE_CACHE);
    return steps;
  }

  private static void requireNlink(long nlink) {
    if (nlink < 0) {
      throw new IllegalArgumentException("link count " + nlink + " is negative");
    }
  }

  private List<InodeEffect> checked(List<InodeEffect> effects) {
    checkInvariants();
    return Collections.unmodifiableList(effects);
  }

  /** {@code CountMatchesState}, {@code StageOnlyWhileFreeing}, {@code NothingDirtyWhenGone}. */
  public void checkInvariants() {
    boolean referenced = state == State.NEW || state == State.IN_USE;
    if (referenced != (count > 0) || count < 0) {
      throw new IllegalStateException("inode " + ino + " invariant CountMatchesState: " + state + " count " + count);
    }
    if ((state == State.FREEING) == (stage == EvictStage.NONE)) {
      throw new IllegalStateException("inode " + ino + " invariant StageOnlyWhileFreeing: " + state + " stage " + stage);
    }
    if (state == State.FREED && dirty) {
      throw new IllegalStateException("inode " + ino + " invariant NothingDirtyWhenGone");
    }
  }

  public long ino() {
    return ino;
  }

  public State state() {
    return state;
  }

  public int count() {
    return count;
  }

  public long nlink() {
    return nlink;
  }

  public boolean dirty() {
    return dirty;
  }

  public EvictStage stage() {
    return stage;
  }

  /** Whether delete work is queued for this inode and has not run. */
  public boolean deleteQueued() {
    return deleteQueued;
  }

  /** What the inode LRU scan needs to know. */
  public InodeLru.Candidate candidate() {
    return new InodeLru.Candidate(ino, state == State.CACHED, dirty);
  }
}
