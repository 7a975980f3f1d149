package org.jdlm.kernel.core;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Decides one step of one allocation: grant it (above the min watermark, or from the reserve),
 * reclaim in the caller's own task, wait for memory, or fail. The {@code Memory} object loops over
 * these steps; every rule is here so the tables in the tests cover all of them.
 *
 * <pre>
 *   free after the allocation ...      KERNEL/NOFS/NOIO   ATOMIC               MEMALLOC task
 *   >= min                              GRANT              GRANT                GRANT
 *   >= min/2, < min                     no                 GRANT_FROM_RESERVE   GRANT_FROM_RESERVE
 *   >= 0, < min/2                       no                 no                   GRANT_FROM_RESERVE
 *   not granted, first try              DIRECT_RECLAIM     FAIL (may not wait)  FAIL (no recursion)
 *   not granted, after own reclaim      WAIT (bounded)     -                    -
 *   not granted, retries exhausted      FAIL               -                    -
 * </pre>
 *
 * <p>Why MEMALLOC fails instead of reclaiming: a PF_MEMALLOC task is already freeing memory
 * (kswapd, a task inside direct reclaim); reclaiming again would recurse. Linux's slow path does
 * {@code if (current->flags & PF_MEMALLOC) goto nopage} for the same reason. A task that is inside
 * reclaim without MEMALLOC (possible only when {@code memalloc-during-reclaim} is switched off for
 * an experiment) waits instead of recursing, so it can become its own only reclaimer: the
 * self-loop of fs-cycles §5.1.
 *
 * <p>kswapd is woken whenever free memory falls below the low watermark, granted or not, as
 * {@code wake_all_kswapds} does on the slow path.
 */
public final class AllocationPolicy {
  private AllocationPolicy() {}

  /** What to do next with an allocation. */
  public enum Step {
    /** Take the pages; free memory stays at or above min. */
    GRANT,
    /** Take the pages from below min: only MEMALLOC tasks (all of it) and ATOMIC (half of it). */
    GRANT_FROM_RESERVE,
    /** Run the shrinkers in the allocating task, then plan again. */
    DIRECT_RECLAIM,
    /** Wait (a {@code waits-memory} OR edge) until memory is freed or a bounded interval passes. */
    WAIT,
    /** Give up: the caller gets a failed allocation with the reason. */
    FAIL
  }

  /**
   * One planning input. {@code reclaimedThisAttempt}: the task already ran direct reclaim since
   * its last wait. {@code inReclaim}: the task is executing reclaim right now (a nested allocation
   * from a shrinker). {@code attempt}: waits so far.
   */
  public record Input(long totalPages, long freePages, MemoryBudget.Watermarks watermarks, long pages,
                      GfpMask mask, Set<TaskFlag> flags, boolean inReclaim, boolean reclaimedThisAttempt,
                      int attempt, int maxRetries) {
    public Input {
      Objects.requireNonNull(watermarks, "watermarks");
      Objects.requireNonNull(mask, "mask");
      flags = flags.isEmpty() ? Set.of() : Set.copyOf(flags);
      if (pages <= 0) {
        throw new IllegalArgumentException("an allocation needs at least one page, got " + pages);
      }
    }
  }

  /** The decision, the mask actually in force, whether to wake kswapd, and why (for FAIL). */
  public record Plan(Step step, GfpMask effective, boolean wakeKswapd, String reason) {}

  /**
   * The mask in force: scoped task flags narrow what the call site asked for
   * ({@code memalloc_nofs_save}, {@code memalloc_noio_save}, PR_SET_IO_FLUSHER). They never widen
   * it, and never turn a non-waiting ATOMIC call into a waiting one.
   */
  public static GfpMask effectiveMask(GfpMask mask, Set<TaskFlag> flags) {
    if (!mask.mayWait()) {
      return mask; // ATOMIC, NOWAIT: a scope must never turn a non-waiting call into a waiting one
    }
    if (flags.contains(TaskFlag.NOIO) || flags.contains(TaskFlag.IO_FLUSHER)) {
      return GfpMask.NOIO;
    }
    if (flags.contains(TaskFlag.NOFS) && mask == GfpMask.KERNEL) {
      return GfpMask.NOFS;
    }
    return mask;
  }

  /** Flags as they are in force: IO_FLUSHER implies NOIO and LOCAL_THROTTLE, as the prctl sets both. */
  public static Set<TaskFlag> effectiveFlags(Set<TaskFlag> flags) {
    if (!flags.contains(TaskFlag.IO_FLUSHER)) {
      return flags;
    }
    EnumSet<TaskFlag> all = EnumSet.copyOf(flags);
    all.add(TaskFlag.NOIO);
    all.add(TaskFlag.LOCAL_THROTTLE);
    return all;
  }

  public static Plan plan(Input in) {
    GfpMask eff = effectiveMask(in.mask(), in.flags());
    MemoryBudget.Watermarks wm = in.watermarks();
    if (in.pages() > in.totalPages()) {
      return new Plan(Step.FAIL, eff, false,
          "request of " + in.pages() + " pages exceeds the node's total of " + in.totalPages());
    }
    long after = in.freePages() - in.pages();
    boolean wake = after < wm.low();
    boolean memalloc = in.flags().contains(TaskFlag.MEMALLOC);
    if (after >= wm.min()) {
      return new Plan(Step.GRANT, eff, wake, "");
    }
    // Below min: the reserve. PF_MEMALLOC may drain it (it frees memory in return); an atomic
    // caller gets half of it (ALLOC_HARDER), so interrupts cannot starve memory-freeing tasks.
    if (memalloc && after >= 0) {
      return new Plan(Step.GRANT_FROM_RESERVE, eff, true, "");
    }
    if (!memalloc && eff == GfpMask.ATOMIC && after >= wm.min() / 2) {
      return new Plan(Step.GRANT_FROM_RESERVE, eff, true, "");
    }
    if (!eff.mayWait()) {
      return new Plan(Step.FAIL, eff, true, "atomic allocation of " + in.pages() + " pages with only "
          + in.freePages() + " free (reserve floor " + (wm.min() / 2) + ")");
    }
    if (memalloc) {
      return new Plan(Step.FAIL, eff, true, "reserve exhausted: PF_MEMALLOC task needs " + in.pages()
          + " pages, " + in.freePages() + " free, and may not reclaim recursively");
    }
    if (!in.inReclaim() && !in.reclaimedThisAttempt()) {
      return new Plan(Step.DIRECT_RECLAIM, eff, true, "");
    }
    if (in.attempt() >= in.maxRetries()) {
      return new Plan(Step.FAIL, eff, true, "no memory after " + in.attempt() + " waits for " + in.pages()
          + " pages (" + in.freePages() + " free, min " + wm.min() + ", max-retries=" + in.maxRetries() + ")");
    }
    return new Plan(Step.WAIT, eff, true, "");
  }
}
