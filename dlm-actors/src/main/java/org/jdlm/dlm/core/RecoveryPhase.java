package org.jdlm.dlm.core;

import java.util.EnumSet;
import java.util.Set;

/**
 * The phases of one lockspace recovery, in the order the coordinator runs them (semantics §6.3,
 * {@code recoverd.c: ls_recover}; style rule 10). Each phase ends in a barrier: every surviving
 * member reports it done before the next phase starts.
 *
 * <pre>
 *   AWAIT_FENCING ──► MEMBERS ──► DIRECTORY ──► REMASTER ──► REBUILD_LOCKS ──► FINALIZE ──► RESUME ──► DONE
 *        │               │            │ (join only: straight to RESUME)                        ▲
 *        └───────────────┴────────────┴──── any phase ──► ABORTED (a newer membership change)   │
 *                                     └──────────────────────────────────────────────────────────┘
 * </pre>
 *
 * <ul>
 *   <li>AWAIT_FENCING: nothing may move until every failed member is fenced (semantics §6.1: recovery
 *       cannot begin before fencing). A join or clean leave skips it.</li>
 *   <li>MEMBERS: every member adopts the new member list and generation (steps 4–6).</li>
 *   <li>DIRECTORY: directory records are rebuilt from what each master holds (step 7); in-flight
 *       operations to departed nodes are marked for resend (step 8).</li>
 *   <li>REMASTER: dead members' master copies are purged (step 9) and resources whose master died
 *       get a new master: the first survivor to ask the new directory node (step 10).</li>
 *   <li>REBUILD_LOCKS: survivors resend their own copies of locks on remastered resources
 *       (step 11).</li>
 *   <li>FINALIZE: PR/CW conversion fix-ups and value-block recovery (step 12).</li>
 *   <li>RESUME: callbacks resume, parked calls run, held messages replay, in-flight requests are
 *       resent and what is grantable is granted (steps 15–18).</li>
 * </ul>
 */
public enum RecoveryPhase {
  AWAIT_FENCING, MEMBERS, DIRECTORY, REMASTER, REBUILD_LOCKS, FINALIZE, RESUME, DONE, ABORTED;

  /** Legal successors; anything else is a bug in the coordinator. */
  public Set<RecoveryPhase> successors() {
    return switch (this) {
      case AWAIT_FENCING -> EnumSet.of(MEMBERS, ABORTED);
      case MEMBERS -> EnumSet.of(DIRECTORY, ABORTED);
      case DIRECTORY -> EnumSet.of(REMASTER, RESUME, ABORTED); // RESUME directly when nobody left
      case REMASTER -> EnumSet.of(REBUILD_LOCKS, ABORTED);
      case REBUILD_LOCKS -> EnumSet.of(FINALIZE, ABORTED);
      case FINALIZE -> EnumSet.of(RESUME, ABORTED);
      case RESUME -> EnumSet.of(DONE, ABORTED);
      case DONE, ABORTED -> EnumSet.noneOf(RecoveryPhase.class);
    };
  }

  /** Returns {@code next} if it is a legal successor, else throws (style rule 5). */
  public RecoveryPhase transitionTo(RecoveryPhase next) {
    if (!successors().contains(next)) {
      throw new IllegalStateException("illegal recovery transition " + this + " -> " + next);
    }
    return next;
  }

  /** Whether this phase ends in a barrier over the survivors. */
  public boolean hasBarrier() {
    return this != AWAIT_FENCING && this != DONE && this != ABORTED;
  }
}
