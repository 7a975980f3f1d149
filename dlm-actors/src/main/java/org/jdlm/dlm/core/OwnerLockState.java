package org.jdlm.dlm.core;

import java.util.EnumSet;
import java.util.Set;

/**
 * A lock's status as its owner (the node holding the process copy) sees it (style rule 5).
 * "In flight" states wait for the master's reply; a second operation on the lock is refused
 * with EBUSY then, except the cancel/force-unlock overlaps of semantics §2.6.
 *
 * <pre>
 *                 queued                    granted
 *   REQUESTING ─────────▶ WAITING ───────────────────────────────┐
 *       │  granted                                                ▼
 *       ├────────────────────────────────────────────────────▶ GRANTED ◀──────────┐
 *       │ EAGAIN                                    convert │  ▲  │ unlock        │
 *       ▼                                                   ▼  │  ▼               │
 *   DESTROYED ◀── EUNLOCK ── UNLOCKING            CONVERTING ──┘ UNLOCKING        │
 *       ▲                                            │ queued   (granted/EAGAIN/  │
 *       │ ECANCEL (was waiting)                      ▼           EDEADLK)         │
 *   CANCELLING ◀── cancel ── WAITING / CONVERT_QUEUED ── granted ─────────────────┘
 *       └── ECANCEL (was converting) / nothing to cancel ──▶ GRANTED
 * </pre>
 * Overlapped cancel or force-unlock (remembered while REQUESTING/CONVERTING/CANCELLING) turn a
 * reply into CANCELLING or UNLOCKING.
 */
public enum OwnerLockState {
  /** A new request was sent; no reply yet. */
  REQUESTING,
  /** The master queued the request on W. */
  WAITING,
  /** Granted, nothing in flight. */
  GRANTED,
  /** A conversion was sent; no reply yet. */
  CONVERTING,
  /** The master queued the conversion on C (the lock keeps its granted mode). */
  CONVERT_QUEUED,
  /** An unlock was sent; no reply yet. */
  UNLOCKING,
  /** A cancel was sent; no reply yet. */
  CANCELLING,
  /** Gone: unlocked, cancelled while waiting, or a failed NOQUEUE request. Its id stays known. */
  DESTROYED;

  static {
    REQUESTING.targets = EnumSet.of(WAITING, GRANTED, DESTROYED, UNLOCKING, CANCELLING);
    WAITING.targets = EnumSet.of(GRANTED, UNLOCKING, CANCELLING, DESTROYED); // DESTROYED: a deadlock victim
    GRANTED.targets = EnumSet.of(CONVERTING, UNLOCKING);
    CONVERTING.targets = EnumSet.of(CONVERT_QUEUED, GRANTED, UNLOCKING, CANCELLING);
    CONVERT_QUEUED.targets = EnumSet.of(GRANTED, UNLOCKING, CANCELLING);
    UNLOCKING.targets = EnumSet.of(DESTROYED);
    CANCELLING.targets = EnumSet.of(GRANTED, DESTROYED, UNLOCKING);
    DESTROYED.targets = EnumSet.noneOf(OwnerLockState.class);
  }

  private Set<OwnerLockState> targets;

  /** The next state, if legal from this one; an illegal transition is a bug. */
  public OwnerLockState transitionTo(OwnerLockState next) {
    if (!targets.contains(next)) {
      throw new IllegalStateException("illegal lock state transition " + this + " -> " + next
          + " (legal: " + targets + ")");
    }
    return next;
  }

  /** Whether a reply from the master is outstanding for this lock. */
  public boolean inFlight() {
    return this == REQUESTING || this == CONVERTING || this == UNLOCKING || this == CANCELLING;
  }
}
