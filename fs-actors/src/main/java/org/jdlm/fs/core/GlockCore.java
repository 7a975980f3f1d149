package org.jdlm.fs.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.core.ModeTables;
import org.jdlm.fs.core.GlockEffect.HolderError;
import org.jdlm.fs.core.GlockPhase.Demoting;
import org.jdlm.fs.core.GlockPhase.InFlight;
import org.jdlm.fs.core.GlockPhase.Promoting;
import org.jdlm.fs.core.GlockPhase.Stable;
import org.jdlm.fs.core.GlockPhase.Stage;

/**
 * One glock on one node: its holder queue, demote request, DLM state and references, and every
 * decision of GFS2's glock state machine ({@code fs/gfs2/glock.c}; fs-cycles §1.3–§1.7). Each input
 * method takes the current time of the injected clock and returns the effects the shell must carry
 * out, in order; {@link #checkInvariants()} runs at the end of every input.
 *
 * <p>The GFS2 functions each input corresponds to:
 * <pre>
 *   enqueue      gfs2_glock_nq: add_to_queue (try-lock and recursion checks), run_queue(nonblock)
 *   dequeue      gfs2_glock_dq: NOCACHE demote request, re-queue work when the last holder goes
 *   bast         gdlm_bast + gfs2_glock_cb: demote target, minimum-hold-time delay, handle_callback
 *   dlmReply     gdlm_ast + gfs2_glock_complete: store the reply (GLF_HAVE_REPLY), queue work
 *   runWork      glock_work_func: finish_xmote, pending demote → due, run_queue(blocking), last put
 *   glopsDone    the end of go_sync/go_inval in do_xmote: now call the DLM
 *   get / put    gfs2_glock_hold / gfs2_glock_put: the last put caches on the LRU or frees
 *   putAsync     gfs2_glock_put_async: the last put only queues the work, which decides
 *   reclaim      the glock shrinker's request_demote(UN) for an LRU glock
 * </pre>
 *
 * <p>Reference counting: {@link #totalRefs()} = explicit references ({@link #get()}) plus one per
 * queued holder (GFS2 takes one at holder init). Queued work does not hold a reference here; the
 * shell's work timer is covered by the rule that the last put never frees while work is queued or a
 * flight is in progress (the work does it when it finishes).
 *
 * <p>Deliberate deviations from GFS2, each for a stated reason:
 * <ul>
 *   <li>A granted holder must always be covered by the glock state (see {@link HolderRules}).</li>
 *   <li>A demote to T is satisfied by UN as well as by T: a BAST arriving while we are UN must not
 *       start a "demote" that is really a promote.</li>
 *   <li>A due demote replaces a pending one instead of both bits being set.</li>
 *   <li>Dequeuing a waiting holder cancels it locally but sends no DLM cancel; a promote in flight
 *       completes and its state is cached.</li>
 *   <li>A demote that reaches UN is done, whatever its target (GFS2 would re-acquire the target
 *       after a refused SH → DF went through UN).</li>
 *   <li>ANY is not passed to the DLM with EXACT, and a promote retried after a refusal uses the
 *       options of the holder now at the head (both loops were found by
 *       {@code GlockClusterProperties}).</li>
 *   <li>Frozen replies during recovery ({@code GLF_HAVE_FROZEN_REPLY}) and withdraw on a failed
 *       sync come with the recovery wiring.</li>
 * </ul>
 */
public final class GlockCore {

  private final GlockName name;
  private final GlockOps ops;
  private final GlockSettings settings;

  private GlockPhase phase = GlockPhase.UNLOCKED;
  private final List<Holder> holders = new ArrayList<>();
  private int refs;
  /** GLF_INITIAL: a DLM lock (lkb) exists; requests must convert it. */
  private boolean lkbExists;
  private boolean onLru;
  /** gl_demote_state; {@code null} is GFS2's "EX = no demote requested" sentinel. */
  private GlockState demoteState;
  private boolean demoteDue;
  private boolean demotePending;
  private long demoteTime;
  /** gl_target: where the current (or last) flight is finally going. */
  private GlockState target = GlockState.UN;
  /** Options of the flight in progress (those of the holder that drove it). */
  private Set<HolderFlag> flightFlags = Set.of();
  private Set<CacheWork> flightSync = Set.of();
  private Set<CacheWork> flightInvalidate = Set.of();
  private boolean blocking;
  private DlmReply pendingReply;
  /** gl_tchange: time of the last state change. */
  private long stateChangedAt;
  private long holdMillis;
  private boolean dirty;
  private boolean instantiateNeeded;
  private final EnumSet<GlockFlag> deleteFlags = EnumSet.noneOf(GlockFlag.class);
  private GlockObject object;
  /** When the queued work is due, or {@code null} if none is queued. */
  private Long workDueAt;
  private long dlmRequests;

  public GlockCore(GlockName name, GlockOps ops, GlockSettings settings, long now) {
    if (ops.type() != name.type()) {
      throw new IllegalArgumentException("glock " + name + " given operations for type " + ops.type());
    }
    this.name = name;
    this.ops = ops;
    this.settings = settings;
    this.holdMillis = settings.defaultHoldMillis();
    this.stateChangedAt = now;
    // gfs2_glock_get returns the new glock with a reference for the caller.
    this.refs = 1;
    // gfs2_glock_get: a new glock's object has never been read.
    this.instantiateNeeded = !ops.instantiate().isEmpty();
  }

  /** A glock with the operations GFS2 would pick for its name. */
  public static GlockCore create(GlockName name, GlockSettings settings, long now) {
    // The creator holds the one reference a new glock starts with (gfs2_glock_get).
    return new GlockCore(name, Glops.forName(name), settings, now);
  }

  // ---------------------------------------------------------------- inputs

  /**
   * {@code gfs2_glock_nq}: queue a holder and grant it if the glock allows. The holder's grant or
   * failure comes as an effect, now or later. Recursive locking (the same task queued twice) is a
   * bug in the caller and throws with the glock dump, as GFS2's BUG does.
   */
  public List<GlockEffect> enqueue(HolderId id, GlockState state, Set<HolderFlag> flags, long pid, String comm,
                                   String caller, long now) {
    requireLive("enqueue " + id);
    Holder h = Holder.request(id, state, flags, pid, comm, caller, now);
    for (Holder other : holders) {
      if (other.id().equals(id)) {
        throw new IllegalArgumentException("holder " + id + " is already queued on glock " + name);
      }
    }
    // add_to_queue's trap_recursive: flock glocks and holders without a task are exempt.
    if (h.pidMeaningful() && name.type() != GlockType.FLOCK) {
      for (Holder other : holders) {
        if (other.pidMeaningful() && other.pid() == pid) {
          throw new IllegalStateException("recursive glock request: pid " + pid + " queues " + id + " (" + state
              + ") while " + other.id() + " (" + other.state() + ", " + (other.granted() ? "granted" : "waiting")
              + ") is queued\n" + GlockDump.format(this, now));
        }
      }
    }
    List<GlockEffect> effects = new ArrayList<>();
    if (holders.size() >= settings.maxHolders()) {
      effects.add(new GlockEffect.FailHolder(id, HolderError.TOO_MANY_HOLDERS));
      return checked(effects);
    }
    if (onLru) {
      onLru = false;
      effects.add(new GlockEffect.RemoveFromLru(name));
    }
    if (h.isTry() && tryIsFutile(h)) {
      effects.add(new GlockEffect.FailHolder(id, HolderError.TRYAGAIN));
      afterRefDrop(effects);
      return checked(effects);
    }
    holders.add(h);
    runQueue(true, now, effects);
    return checked(effects);
  }

  /**
   * {@code gfs2_glock_dq}: drop a granted holder, or cancel a waiting one (which then gets
   * {@code CANCELED}). The holder's reference goes with it.
   */
  public List<GlockEffect> dequeue(HolderId id, long now) {
    requireLive("dequeue " + id);
    int idx = indexOf(id);
    if (idx < 0) {
      throw new IllegalArgumentException("holder " + id + " is not queued on glock " + name);
    }
    List<GlockEffect> effects = new ArrayList<>();
    Holder h = holders.remove(idx);
    if (!h.granted()) {
      effects.add(new GlockEffect.FailHolder(id, HolderError.CANCELED));
      runQueue(true, now, effects);
      afterRefDrop(effects);
      return checked(effects);
    }
    if (h.flags().contains(HolderFlag.NOCACHE)) {
      requestDemote(GlockState.UN, 0, false, now, effects);
    }
    if (firstGranted() == null && (demoteDue || demotePending || !holders.isEmpty())) {
      // The last holder is gone: let the work run the demote or promote it was blocking. A pending
      // demote waits out what is left of the hold time (the work recomputes it anyway).
      long delay = demotePending && !demoteDue && name.type() == GlockType.INODE ? holdRemaining(now) : 0;
      queueWork(delay, now, effects);
    }
    afterRefDrop(effects);
    return checked(effects);
  }

  /**
   * {@code gdlm_bast} + {@code gfs2_glock_cb}: another node asks for {@code requested}. For inode
   * glocks with holders, the demote waits until the minimum hold time since the last state change
   * has passed (a full hold time if a DLM reply is also pending), so that a lock bouncing between
   * nodes lets each make progress.
   */
  public List<GlockEffect> bast(LockMode requested, long now) {
    GlockState to = GlockState.demoteTargetForBast(requested);
    List<GlockEffect> effects = new ArrayList<>();
    if (phase.isDead()) {
      return checked(effects); // our lock is being unlocked anyway
    }
    long delay = 0;
    if (!holders.isEmpty() && name.type() == GlockType.INODE) {
      delay = holdRemaining(now);
      if (pendingReply != null) {
        delay = holdMillis;
      }
    }
    requestDemote(to, delay, true, now, effects);
    queueWork(delay, now, effects);
    return checked(effects);
  }

  /** {@code gdlm_ast} → {@code gfs2_glock_complete}: keep the reply for the work function. */
  public List<GlockEffect> dlmReply(DlmReply reply, long now) {
    List<GlockEffect> effects = new ArrayList<>();
    if (reply instanceof DlmReply.UnlockDone) {
      if (!(phase instanceof GlockPhase.Freeing)) {
        throw new IllegalStateException("EUNLOCK for glock " + name + " in " + phase + ": no unlock was sent");
      }
      phase = phase.transitionTo(GlockPhase.FREED);
      lkbExists = false;
      effects.add(new GlockEffect.Freed(name));
      return checked(effects);
    }
    if (!(phase instanceof InFlight) || ((InFlight) phase).stage() != Stage.DLM || pendingReply != null) {
      throw new IllegalStateException("DLM reply " + reply + " for glock " + name + " in " + phase
          + (pendingReply != null ? " with a reply already pending" : "") + ": no request in flight");
    }
    if (reply instanceof DlmReply.Granted) {
      lkbExists = true;
    }
    pendingReply = reply;
    queueWork(0, now, effects);
    return checked(effects);
  }

  /** {@code glock_work_func}: the glock workqueue ran this glock's work. */
  public List<GlockEffect> runWork(long now) {
    List<GlockEffect> effects = new ArrayList<>();
    workDueAt = null;
    if (phase.isDead()) {
      return checked(effects);
    }
    if (pendingReply != null) {
      finishXmote(now, effects);
    }
    long delay = 0;
    if (demotePending && demoteSatisfied()) {
      clearDemote();
    } else if (demotePending) {
      long remaining = holdRemaining(now);
      if (remaining > 0) {
        delay = remaining;
      } else {
        demotePending = false;
        demoteDue = true;
      }
    }
    runQueue(false, now, effects);
    if (delay > 0) {
      queueWork(name.type() == GlockType.INODE ? delay : 0, now, effects);
    }
    afterRefDrop(effects);
    return checked(effects);
  }

  /** {@code go_sync}/{@code go_inval} of the flight in progress finished: call the DLM. */
  public List<GlockEffect> glopsDone(long now) {
    if (!(phase instanceof InFlight) || ((InFlight) phase).stage() != Stage.GLOPS) {
      throw new IllegalStateException("glops finished for glock " + name + " in " + phase + ": none were running");
    }
    List<GlockEffect> effects = new ArrayList<>();
    if (!flightSync.isEmpty()) {
      dirty = false;
    }
    if (flightInvalidate.contains(CacheWork.TRUNCATE_METADATA) && !ops.instantiate().isEmpty()) {
      instantiateNeeded = true;
    }
    InFlight f = (InFlight) phase;
    phase = phase.transitionTo(f instanceof Promoting ? new Promoting(f.from(), f.to(), Stage.DLM)
        : new Demoting(f.from(), f.to(), Stage.DLM));
    sendDlm(effects);
    return checked(effects);
  }

  /** {@code gfs2_glock_hold}: a new reference (lookup, inode pointer). A dying glock cannot be revived. */
  public List<GlockEffect> get() {
    requireLive("get a reference");
    List<GlockEffect> effects = new ArrayList<>();
    refs++;
    if (onLru) {
      onLru = false;
      effects.add(new GlockEffect.RemoveFromLru(name));
    }
    return checked(effects);
  }

  /**
   * {@code gfs2_glock_put}: drop a reference. The last one caches a locked glock on the LRU with no
   * DLM traffic; an unlocked glock is freed, which unlocks its DLM lock.
   */
  public List<GlockEffect> put(long now) {
    if (refs == 0) {
      throw new IllegalStateException("glock " + name + " put with no reference left (holders hold their own)");
    }
    refs--;
    List<GlockEffect> effects = new ArrayList<>();
    afterRefDrop(effects);
    return checked(effects);
  }

  /**
   * {@code gfs2_glock_put_async} (upstream's fix for cycle (a), fs-cycles §3.3): drop a reference
   * without ever reaching the DLM in the caller's context. If it is the last one, the glock work
   * is queued and decides there (cache on the LRU, or the final put and its DLM unlock), so a
   * reclaiming task that evicts an inode never waits for a network send.
   */
  public List<GlockEffect> putAsync(long now) {
    if (refs == 0) {
      throw new IllegalStateException("glock " + name + " put with no reference left (holders hold their own)");
    }
    refs--;
    List<GlockEffect> effects = new ArrayList<>();
    if (totalRefs() == 0 && !phase.isDead()) {
      queueWork(0, now, effects);
    }
    return checked(effects);
  }

  /**
   * The shrinker chose this LRU glock: take it off the LRU and demote it to UN on the workqueue;
   * the free and its DLM unlock follow. A choice that went stale is ignored (no effects).
   */
  public List<GlockEffect> reclaim(long now) {
    List<GlockEffect> effects = new ArrayList<>();
    if (!reclaimable()) {
      return checked(effects);
    }
    onLru = false;
    effects.add(new GlockEffect.RemoveFromLru(name));
    requestDemote(GlockState.UN, 0, false, now, effects);
    queueWork(0, now, effects);
    return checked(effects);
  }

  /** The holder of an EX lock dirtied data or metadata in a transaction ({@code GLF_DIRTY}). */
  public List<GlockEffect> markDirty() {
    Holder first = firstGranted();
    if (first == null || first.state() != GlockState.EX || !state().mayDirty()) {
      throw new IllegalStateException("glock " + name + " dirtied without a granted EX holder (state " + state() + ")");
    }
    dirty = true;
    return checked(new ArrayList<>());
  }

  /** Attach the protected object (the {@code o} flag; its {@code I:}/{@code R:} dump line). */
  public void attachObject(GlockObject object) {
    this.object = object;
    checkInvariants();
  }

  public void detachObject() {
    this.object = null;
    checkInvariants();
  }

  /** The delete work queued by {@link GlockEffect.QueueDeleteWork} finished. */
  public List<GlockEffect> deleteWorkDone(long now) {
    if (!deleteFlags.remove(GlockFlag.TRY_TO_EVICT)) {
      throw new IllegalStateException("delete work done for glock " + name + " but none was queued");
    }
    refs--;
    List<GlockEffect> effects = new ArrayList<>();
    afterRefDrop(effects);
    return checked(effects);
  }

  // ---------------------------------------------------------------- the state machine

  /**
   * {@code run_queue}: if nobody is in flight, run a due demote (only once no holder is granted;
   * from a caller's context hand it to the workqueue), else grant what the state allows and, if the
   * head waiter needs more, start a promote (in the caller's context, so a caller can end up
   * waiting inside the DLM, fs-cycles §1.6).
   */
  private void runQueue(boolean nonblock, long now, List<GlockEffect> effects) {
    if (!(phase instanceof Stable)) {
      return;
    }
    GlockState st = state();
    if (demoteDue && !demoteSatisfied()) {
      if (firstGranted() != null) {
        return; // the last dequeue re-queues the work
      }
      if (nonblock) {
        queueWork(0, now, effects);
        return;
      }
      target = demoteState;
      startXmote(demoteState, true, now, effects);
      return;
    }
    if (demoteDue) {
      clearDemote();
    }
    if (!doPromote(now, effects)) {
      return;
    }
    Holder head = holders.get(0);
    if (!head.isTry()) {
      failWaitingTries(effects); // they would only wait behind the head's DLM request
    }
    flightFlags = head.flags();
    target = head.state();
    startXmote(head.state(), false, now, effects);
  }

  /**
   * {@code do_promote}: grant waiters in queue order while {@link HolderRules#mayGrant} allows;
   * returns true if the head of the queue needs the DLM. A waiter that cannot join the granted
   * holders waits for them, and the try-locks behind it fail.
   */
  private boolean doPromote(long now, List<GlockEffect> effects) {
    Holder first = firstGranted();
    for (int i = 0; i < holders.size(); i++) {
      Holder h = holders.get(i);
      if (h.granted()) {
        continue;
      }
      if (!HolderRules.mayGrant(state(), first, h)) {
        if (i == 0) {
          return true;
        }
        failWaitingTries(effects);
        break;
      }
      Holder granted = h.grant();
      holders.set(i, granted);
      if (first == null) {
        first = granted;
      }
      Set<CacheWork> instantiate = Set.of();
      if (instantiateNeeded && !h.flags().contains(HolderFlag.SKIP)) {
        instantiate = ops.instantiate();
        instantiateNeeded = false;
      }
      if (now - h.queuedAt() > settings.longWaitMillis()) {
        // A holder that waited long: hold the lock a little longer next time (gfs2_glock_wait).
        holdMillis = Math.min(holdMillis + settings.holdIncrementMillis(), settings.defaultHoldMillis());
      }
      effects.add(new GlockEffect.GrantHolder(h.id(), state(), instantiate));
    }
    return false;
  }

  /**
   * {@code do_xmote}: start a flight to {@code to}. Going to UN or DF with a {@code go_inval} fails
   * queued try-locks (they would see a half-invalidated cache); the request is marked blocking
   * unless it is an unlock, a demote from EX or a try.
   */
  private void startXmote(GlockState to, boolean demote, long now, List<GlockEffect> effects) {
    GlockState from = state();
    if (demote) {
      flightFlags = Set.of();
    }
    Set<CacheWork> sync = ops.sync(from, to, dirty);
    Set<CacheWork> inval = to == GlockState.UN || to == GlockState.DF ? ops.invalidate(from, to) : Set.of();
    if (!inval.isEmpty()) {
      failWaitingTries(effects);
    }
    blocking = !(to == GlockState.UN || from == GlockState.EX || HolderFlag.isTry(flightFlags));
    flightSync = sync;
    flightInvalidate = inval;
    Stage stage = sync.isEmpty() && inval.isEmpty() ? Stage.DLM : Stage.GLOPS;
    phase = phase.transitionTo(demote ? new Demoting(from, to, stage) : new Promoting(from, to, stage));
    if (stage == Stage.GLOPS) {
      effects.add(new GlockEffect.RunGlops(from, to, sync, inval));
      return;
    }
    sendDlm(effects);
  }

  /** {@code gdlm_lock} + {@code make_flags}: the DLM request for the flight in progress. */
  private void sendDlm(List<GlockEffect> effects) {
    InFlight f = (InFlight) phase;
    EnumSet<LockFlag> flags = EnumSet.noneOf(LockFlag.class);
    if (name.type().hasLvb()) {
      flags.add(LockFlag.VALBLK);
    }
    if (flightFlags.contains(HolderFlag.TRY)) {
      flags.add(LockFlag.NOQUEUE);
    }
    if (flightFlags.contains(HolderFlag.TRY_1CB)) {
      flags.add(LockFlag.NOQUEUE);
      flags.add(LockFlag.NOQUEUEBAST);
    }
    if (flightFlags.contains(HolderFlag.ANY) && !flightFlags.contains(HolderFlag.EXACT)) {
      // An SH (PR) request may be granted as DF (CW) and vice versa. Not with EXACT, which wins
      // over ANY (HolderRules): the ALT mode would not serve the holder, and the flight would go
      // back through UN and ask again for ever (found by GlockClusterProperties).
      if (f.to() == GlockState.SH) {
        flags.add(LockFlag.ALTCW);
      } else if (f.to() == GlockState.DF) {
        flags.add(LockFlag.ALTPR);
      }
    }
    dlmRequests++;
    if (lkbExists) {
      flags.add(LockFlag.CONVERT);
      if (blocking && ModeTables.quecvtAllowed(f.from().dlmMode(), f.to().dlmMode())) {
        flags.add(LockFlag.QUECVT);
      }
      effects.add(new GlockEffect.ConvertDlm(f.to().dlmMode(), flags));
    } else {
      effects.add(new GlockEffect.RequestDlm(f.to().dlmMode(), flags));
    }
  }

  /**
   * {@code finish_xmote}: record the state the DLM left us in. On success the flight ends (and a
   * demote is done); otherwise: a failed try reports TRYAGAIN; a cancel sends the head to the back;
   * a refusal from UN retries, a refusal from SH/DF goes to UN first and then retries.
   */
  private void finishXmote(long now, List<GlockEffect> effects) {
    DlmReply reply = pendingReply;
    pendingReply = null;
    InFlight f = (InFlight) phase;
    boolean demote = f instanceof Demoting;
    GlockState newState = reply instanceof DlmReply.Granted
        ? GlockState.ofDlmMode(((DlmReply.Granted) reply).mode()) : f.from();
    phase = phase.transitionTo(GlockPhase.of(newState));
    blocking = false;
    if (newState != f.from()) {
      stateChangedAt = now;
    }
    if (!newState.mayDirty()) {
      dirty = false;
    }
    if (demote && newState != GlockState.UN && demoteState == GlockState.UN) {
      target = GlockState.UN; // a demote to UN arrived during a demote to SH or DF
    }
    Holder head = firstWaiter();
    // A demote is done once we hold nothing the other node's request conflicts with: its target or
    // UN (a refused SH -> DF goes through UN; GFS2 would then re-acquire DF, which nobody asked for).
    // A promote is done when its head holder is served (ANY may land in the ALT mode).
    boolean reached = newState == target || (demote && newState == GlockState.UN)
        || (!demote && head != null && holders.get(0) == head && HolderRules.covers(newState, head));
    if (reached) {
      if (demote) {
        clearDemote();
      }
      return;
    }
    holdMillis = Math.max(holdMillis - settings.holdDecrementMillis(), settings.minHoldMillis());
    if (!demote) {
      if (reply instanceof DlmReply.Canceled) {
        if (head != null) {
          holders.remove(head);
          holders.add(head);
        }
        target = newState;
        return;
      }
      if (HolderFlag.isTry(flightFlags) || head == null) {
        // The try failed (or nobody wants the promote any more): report it, stay where we are.
        failWaitingTries(effects);
        target = newState;
        return;
      }
      // Retry for the holder now at the head, with its options (finish_xmote looks the head up
      // again): the one that started the flight may have been cancelled meanwhile, and its ANY
      // would keep asking for an ALT mode the new head cannot use.
      flightFlags = head.flags();
      target = head.state();
    }
    switch (newState) {
      case UN:
        startXmote(target, demote, now, effects);
        break;
      case SH:
      case DF:
        startXmote(GlockState.UN, demote, now, effects);
        break;
      default:
        throw new IllegalStateException("glock " + name + " left in EX short of target " + target
            + " after " + reply + "\n" + GlockDump.format(this, now));
    }
  }

  /** {@code handle_callback} / {@code request_demote}. */
  private void requestDemote(GlockState to, long delay, boolean remote, long now, List<GlockEffect> effects) {
    if (delay > 0 && !demoteDue) {
      demotePending = true;
    } else if (delay == 0) {
      demoteDue = true;
      demotePending = false;
    }
    if (demoteState == null) {
      demoteState = to;
      demoteTime = now;
    } else if (demoteState != GlockState.UN && demoteState != to) {
      demoteState = GlockState.UN; // two different requests: only UN satisfies both
    }
    if (ops.callback(state(), demoteState, remote, object) == GlockOps.CallbackAction.QUEUE_TRY_TO_EVICT
        && deleteFlags.add(GlockFlag.TRY_TO_EVICT)) {
      refs++; // the delete work holds a reference until deleteWorkDone
      if (onLru) {
        onLru = false;
        effects.add(new GlockEffect.RemoveFromLru(name));
      }
      effects.add(new GlockEffect.QueueDeleteWork(name));
    }
  }

  /** {@code gfs2_demote_wake}. */
  private void clearDemote() {
    demoteDue = false;
    demotePending = false;
    demoteState = null;
  }

  private boolean demoteSatisfied() {
    return demoteState == null || state() == demoteState || state() == GlockState.UN;
  }

  /** Fail every waiting TRY/TRY_1CB holder with TRYAGAIN ({@code do_error(gl, 0)}). */
  private void failWaitingTries(List<GlockEffect> effects) {
    for (int i = 0; i < holders.size(); ) {
      Holder h = holders.get(i);
      if (!h.granted() && h.isTry()) {
        holders.remove(i);
        effects.add(new GlockEffect.FailHolder(h.id(), HolderError.TRYAGAIN));
      } else {
        i++;
      }
    }
  }

  /**
   * {@code add_to_queue}'s early failure of a try-lock: while glops invalidate, or while a flight
   * is in progress that the try could not join and a non-try holder is queued (it would wait).
   */
  private boolean tryIsFutile(Holder h) {
    if (flags().contains(GlockFlag.INVALIDATE_IN_PROGRESS)) {
      return true;
    }
    if (!(phase instanceof InFlight) || HolderRules.mayGrant(state(), firstGranted(), h)) {
      return false;
    }
    for (Holder other : holders) {
      if (!other.isTry()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The last reference may have gone: with a flight or work pending, that work decides later;
   * otherwise a locked glock is cached on the LRU (no DLM traffic), an unlocked one is freed.
   */
  private void afterRefDrop(List<GlockEffect> effects) {
    if (phase.isDead() || totalRefs() > 0 || !(phase instanceof Stable) || workDueAt != null) {
      return;
    }
    if (state() != GlockState.UN) {
      if (!onLru) {
        onLru = true;
        effects.add(new GlockEffect.AddToLru(name));
      }
      return;
    }
    if (onLru) {
      onLru = false;
      effects.add(new GlockEffect.RemoveFromLru(name));
    }
    if (lkbExists) {
      phase = phase.transitionTo(GlockPhase.FREEING);
      effects.add(new GlockEffect.UnlockDlm(name.type().hasLvb() ? Set.of(LockFlag.VALBLK) : Set.of()));
    } else {
      phase = phase.transitionTo(GlockPhase.FREED);
      effects.add(new GlockEffect.Freed(name));
    }
  }

  private void queueWork(long delay, long now, List<GlockEffect> effects) {
    long due = now + Math.max(0, delay);
    if (workDueAt == null || due < workDueAt) {
      workDueAt = due;
      effects.add(new GlockEffect.QueueWork(Math.max(0, delay)));
    }
  }

  private long holdRemaining(long now) {
    return Math.max(0, stateChangedAt + holdMillis - now);
  }

  private void requireLive(String what) {
    if (phase.isDead()) {
      throw new IllegalStateException("cannot " + what + " on glock " + name + " in " + phase
          + ": a lookup must wait until the old glock is freed (find_insert_glock)");
    }
  }

  private int indexOf(HolderId id) {
    for (int i = 0; i < holders.size(); i++) {
      if (holders.get(i).id().equals(id)) {
        return i;
      }
    }
    return -1;
  }

  private Holder firstGranted() {
    return !holders.isEmpty() && holders.get(0).granted() ? holders.get(0) : null;
  }

  private Holder firstWaiter() {
    for (Holder h : holders) {
      if (!h.granted()) {
        return h;
      }
    }
    return null;
  }

  private List<GlockEffect> checked(List<GlockEffect> effects) {
    checkInvariants();
    return Collections.unmodifiableList(effects);
  }

  // ---------------------------------------------------------------- queries

  public GlockName name() {
    return name;
  }

  public GlockOps ops() {
    return ops;
  }

  public GlockPhase phase() {
    return phase;
  }

  /** The state the DLM lock is held in ({@code gl_state}). */
  public GlockState state() {
    return phase.state();
  }

  /** {@code gl_target}. */
  public GlockState target() {
    return target;
  }

  /** The requested demote state, or {@code null} if none ({@code d:} prints EX then, as GFS2 does). */
  public GlockState demoteState() {
    return demoteState;
  }

  public long demoteRequestedAt() {
    return demoteTime;
  }

  /** The holder queue, granted holders first, in order. */
  public List<Holder> holders() {
    return List.copyOf(holders);
  }

  /** Explicit references plus one per queued holder (the dump's {@code r:}). */
  public int totalRefs() {
    return refs + holders.size();
  }

  public boolean onLru() {
    return onLru;
  }

  public boolean isDead() {
    return phase.isDead();
  }

  public long holdTimeMillis() {
    return holdMillis;
  }

  public long lastStateChange() {
    return stateChangedAt;
  }

  /** When the queued work is due, or {@code null}. */
  public Long workDueAt() {
    return workDueAt;
  }

  /** DLM requests and conversions sent so far (not counting the final unlock). */
  public long dlmRequestCount() {
    return dlmRequests;
  }

  public GlockObject object() {
    return object;
  }

  public GlockSettings settings() {
    return settings;
  }

  /** The flags as GFS2 would show them, derived from the state (style §10). */
  public Set<GlockFlag> flags() {
    EnumSet<GlockFlag> f = EnumSet.noneOf(GlockFlag.class);
    if (phase instanceof InFlight) {
      f.add(GlockFlag.LOCK);
      if (((InFlight) phase).stage() == Stage.GLOPS && !flightInvalidate.isEmpty()) {
        f.add(GlockFlag.INVALIDATE_IN_PROGRESS);
      }
      if (((InFlight) phase).stage() == Stage.DLM && blocking) {
        f.add(GlockFlag.BLOCKING);
      }
    }
    if (phase instanceof Demoting) {
      f.add(GlockFlag.DEMOTE_IN_PROGRESS);
    }
    if (demoteDue) {
      f.add(GlockFlag.DEMOTE);
    }
    if (demotePending) {
      f.add(GlockFlag.PENDING_DEMOTE);
    }
    if (dirty) {
      f.add(GlockFlag.DIRTY);
    }
    if (pendingReply != null) {
      f.add(GlockFlag.HAVE_REPLY);
    }
    if (lkbExists) {
      f.add(GlockFlag.INITIAL);
    }
    if (!holders.isEmpty()) {
      f.add(GlockFlag.QUEUED);
    }
    if (onLru) {
      f.add(GlockFlag.LRU);
    }
    if (object != null) {
      f.add(GlockFlag.OBJECT);
    }
    if (instantiateNeeded) {
      f.add(GlockFlag.INSTANTIATE_NEEDED);
    }
    f.addAll(deleteFlags);
    return f;
  }

  /**
   * May the LRU scan demote this glock now? Idle, unused, cached in a locked state, no demote
   * already requested, and the type agrees ({@code demote_ok} + {@code go_demote_ok}).
   */
  public boolean reclaimable() {
    return phase instanceof Stable && onLru && totalRefs() == 0 && state() != GlockState.UN && demoteState == null
        && ops.demoteOk(flags(), object);
  }

  /** What the LRU scan needs to know about this glock. */
  public GlockLru.Candidate candidate() {
    return new GlockLru.Candidate(name, reclaimable());
  }

  // ---------------------------------------------------------------- invariants

  /**
   * The named invariants; an {@link IllegalStateException} with the glock dump means a bug.
   * <ul>
   *   <li>{@code GrantedFirst}: granted holders form the head of the queue.</li>
   *   <li>{@code HoldersShare}: granted holders are pairwise allowed together ({@link HolderRules}).</li>
   *   <li>{@code StateCoversHolders}: every granted holder is covered by the glock state.</li>
   *   <li>{@code SingleFlight}: no holder is granted while a flight is in progress; a reply is only
   *       pending during a DLM flight.</li>
   *   <li>{@code NoRecursion}: no task has two holders on the glock (except flock and NOPID).</li>
   *   <li>{@code RefsNonNegative}, {@code LruUnused}: an LRU glock has no holders or references.</li>
   *   <li>{@code NoLeakedGlock}: an unused live glock is on the LRU or has work or a flight pending.</li>
   *   <li>{@code DirtyOnlyInEx}, {@code DemoteSane}, {@code LockBeforeState}, {@code DeadIsEmpty},
   *       {@code HoldTimeInRange}, {@code HoldersBounded}.</li>
   * </ul>
   */
  public void checkInvariants() {
    boolean seenWaiter = false;
    Holder first = null;
    Set<HolderId> ids = new HashSet<>();
    Set<Long> pids = new HashSet<>();
    for (Holder h : holders) {
      require(ids.add(h.id()), "UniqueHolders", "holder " + h.id() + " queued twice");
      if (h.pidMeaningful() && name.type() != GlockType.FLOCK) {
        require(pids.add(h.pid()), "NoRecursion", "pid " + h.pid() + " has two holders");
      }
      if (h.granted()) {
        require(!seenWaiter, "GrantedFirst", "granted " + h.id() + " behind a waiter");
        require(HolderRules.covers(state(), h), "StateCoversHolders", h.id() + " " + h.state() + h.flags()
            + " granted on " + state());
        if (first != null) {
          require(HolderRules.share(first, h), "HoldersShare", first.id() + " and " + h.id());
        }
        first = first == null ? h : first;
        require(phase instanceof Stable, "SingleFlight", h.id() + " granted while in " + phase);
      } else {
        seenWaiter = true;
      }
    }
    require(holders.size() <= settings.maxHolders(), "HoldersBounded", holders.size() + " holders");
    require(refs >= 0, "RefsNonNegative", "refs " + refs);
    require(pendingReply == null
        || (phase instanceof InFlight && ((InFlight) phase).stage() == Stage.DLM), "SingleFlight",
        "reply pending in " + phase);
    require(pendingReply == null || workDueAt != null, "ReplyProcessed", "reply pending with no work queued");
    require(!onLru || (totalRefs() == 0 && !phase.isDead()), "LruUnused", "on LRU with refs " + totalRefs());
    require(!(phase instanceof Stable) || totalRefs() > 0 || onLru || workDueAt != null, "NoLeakedGlock", "unused, idle, not on the LRU");
    require(!dirty || state().mayDirty(), "DirtyOnlyInEx", "dirty in " + state());
    require(!(demoteDue && demotePending), "DemoteSane", "due and pending at once");
    require(!(demoteDue || demotePending) || demoteState != null, "DemoteSane", "demote flag without a state");
    require(demoteState != GlockState.EX, "DemoteSane", "demote to EX");
    require(lkbExists || state() == GlockState.UN, "LockBeforeState", "state " + state() + " without a DLM lock");
    require(!phase.isDead() || (holders.isEmpty() && refs == 0 && !onLru), "DeadIsEmpty", "dead glock in use");
    require(holdMillis >= settings.minHoldMillis() && holdMillis <= settings.defaultHoldMillis(), "HoldTimeInRange",
        "hold " + holdMillis + " ms");
  }

  private void require(boolean ok, String invariant, String detail) {
    if (!ok) {
      throw new IllegalStateException("glock invariant " + invariant + " violated on " + name + ": " + detail
          + "\n" + GlockDump.format(this, stateChangedAt));
    }
  }
}
