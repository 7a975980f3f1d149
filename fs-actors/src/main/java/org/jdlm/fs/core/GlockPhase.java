package org.jdlm.fs.core;

/**
 * Where one glock is in its life (style rule 5). Stable phases hold a DLM mode; the in-flight
 * phases own the single flight ({@code GLF_LOCK}): first the glops run (write back, invalidate),
 * then one DLM request is outstanding.
 *
 * <pre>
 *                 ┌──── holder needs more ────┐        ┌── demote request due, no holders ──┐
 *                 v                           │        v                                    │
 *   Unlocked ─> Promoting(from, to, stage) ─> Shared / Deferred / Exclusive / Unlocked  <─ Demoting(from, to, stage)
 *      │             stage: GLOPS ─> DLM                                                        stage: GLOPS ─> DLM
 *      │ final put (refs 0)
 *      ├── DLM lock exists ──> Freeing ── EUNLOCK ──> Freed
 *      └── never locked ─────────────────────────────> Freed
 * </pre>
 * An in-flight phase ends in whatever stable state the DLM answered (a try-lock fails and stays, a
 * conversion deadlock leaves the old mode, an ANY request may land in the ALT mode); the core then
 * starts a new flight if the target was not reached.
 */
public sealed interface GlockPhase {

  /** Stage of an in-flight phase. */
  enum Stage {
    /** {@code go_sync}/{@code go_inval} running before the DLM request. */
    GLOPS,
    /** The DLM request is outstanding. */
    DLM
  }

  /** A stable phase: the DLM lock is held in {@link #state()}'s mode. */
  sealed interface Stable extends GlockPhase {}

  /** A flight: from the held state to the requested one. */
  sealed interface InFlight extends GlockPhase {
    GlockState from();

    GlockState to();

    Stage stage();
  }

  record Unlocked() implements Stable {}

  record Shared() implements Stable {}

  record Deferred() implements Stable {}

  record Exclusive() implements Stable {}

  /** Driven by a waiting holder that the current state does not cover. */
  record Promoting(GlockState from, GlockState to, Stage stage) implements InFlight {}

  /** Driven by a due demote request (remote BAST, NOCACHE, the shrinker). */
  record Demoting(GlockState from, GlockState to, Stage stage) implements InFlight {}

  /** The final put sent the DLM unlock; waiting for EUNLOCK. A lookup must wait for Freed. */
  record Freeing() implements GlockPhase {}

  /** Gone. */
  record Freed() implements GlockPhase {}

  Unlocked UNLOCKED = new Unlocked();
  Shared SHARED = new Shared();
  Deferred DEFERRED = new Deferred();
  Exclusive EXCLUSIVE = new Exclusive();
  Freeing FREEING = new Freeing();
  Freed FREED = new Freed();

  /** The stable phase for a state. */
  static Stable of(GlockState state) {
    switch (state) {
      case UN:
        return UNLOCKED;
      case SH:
        return SHARED;
      case DF:
        return DEFERRED;
      default:
        return EXCLUSIVE;
    }
  }

  /** The DLM-held state: a stable phase's state, an in-flight phase's {@code from}, UN when dying. */
  default GlockState state() {
    if (this instanceof InFlight) {
      return ((InFlight) this).from();
    }
    if (this instanceof Shared) {
      return GlockState.SH;
    }
    if (this instanceof Deferred) {
      return GlockState.DF;
    }
    if (this instanceof Exclusive) {
      return GlockState.EX;
    }
    return GlockState.UN;
  }

  default boolean isDead() {
    return this instanceof Freeing || this instanceof Freed;
  }

  /**
   * The phase after this one; throws {@link IllegalStateException} naming the legal targets if
   * {@code next} is not one of them.
   */
  default GlockPhase transitionTo(GlockPhase next) {
    if (!legal(this, next)) {
      throw new IllegalStateException("illegal glock transition " + this + " -> " + next + "; legal: " + legalTargets(this));
    }
    return next;
  }

  private static boolean legal(GlockPhase from, GlockPhase next) {
    if (from instanceof Stable) {
      GlockState s = from.state();
      if (next instanceof Promoting) {
        Promoting p = (Promoting) next;
        return p.from() == s && p.to() != s;
      }
      if (next instanceof Demoting) {
        Demoting d = (Demoting) next;
        // UN satisfies every demote; nothing demotes to EX. DF -> SH is GFS2's sideways demote
        // (we hold CW, another node wants PR).
        return d.from() == s && s != GlockState.UN && d.to() != s && d.to() != GlockState.EX;
      }
      return s == GlockState.UN && (next instanceof Freeing || next instanceof Freed);
    }
    if (from instanceof InFlight) {
      InFlight f = (InFlight) from;
      if (f.stage() == Stage.GLOPS) {
        return next instanceof InFlight && next.getClass() == from.getClass() && ((InFlight) next).from() == f.from()
            && ((InFlight) next).to() == f.to() && ((InFlight) next).stage() == Stage.DLM;
      }
      return next instanceof Stable;
    }
    if (from instanceof Freeing) {
      return next instanceof Freed;
    }
    return false;
  }

  private static String legalTargets(GlockPhase from) {
    if (from instanceof Stable) {
      return "Promoting(" + from.state() + ", another state)" + (from.state() == GlockState.UN
          ? ", Freeing, Freed" : ", Demoting(" + from.state() + ", UN/SH/DF other than " + from.state() + ")");
    }
    if (from instanceof InFlight) {
      return ((InFlight) from).stage() == Stage.GLOPS ? "the same flight at stage DLM" : "any stable phase";
    }
    return from instanceof Freeing ? "Freed" : "none";
  }
}
