package org.jdlm.fs.core;

/**
 * The inode lifecycle's decisions as tables (fs-cycles §2; {@code fs/inode.c: iput_final},
 * {@code gfs2_drop_inode}, {@code evict_should_delete}, {@code gfs2_upgrade_iopen_glock}).
 *
 * <h2>Last reference dropped: drop or keep? ({@link #onLastPut})</h2>
 * <pre>
 *   nlink  in reclaim  iopen held  sb active  →  decision
 *   > 0        any         any        yes        KEEP_CACHED   (inode LRU)
 *   > 0        any         any        no         EVICT         (unmount evicts everything)
 *   0          yes         yes        any        DEFER_DELETE  (keep; delete work later)
 *   0          yes         no         any        EVICT
 *   0          no          any        any        EVICT
 * </pre>
 * Deleting means locks, I/O and allocations; under memory pressure ({@code PF_MEMALLOC}) it is
 * handed to the delete workqueue instead (upstream 6a1c8f6dcf81, fs-cycles §2.4).
 *
 * <h2>Evict: where to start ({@link #evictStart})</h2>
 * <pre>
 *   nlink  read-only  in reclaim or DEFER_DELETE  →  start
 *   > 0      any            any                      CACHE_DROP            (case A)
 *   0        yes            any                      CACHE_DROP            (case A)
 *   0        no             yes                      DEFER                 (case D)
 *   0        no             no                       TRY_IOPEN_EXCLUSIVE   (case B, if we get iopen EX)
 * </pre>
 *
 * <h2>iopen upgrade answers ({@link #afterIopen})</h2>
 * <pre>
 *   TRY_GRANTED             → DEALLOCATE            we are the last user anywhere
 *   TRY_FAILED              → WAIT_IOPEN_EXCLUSIVE  holders were poked (TRY_1CB); wait up to the timeout
 *   WAIT_GRANTED            → DEALLOCATE
 *   WAIT_TIMED_OUT          → CACHE_DROP            still open elsewhere: that node deletes (case C)
 *   INODE_DEMOTE_REQUESTED  → CACHE_DROP            another node is using the inode right now (case C)
 * </pre>
 */
public final class InodeRules {

  /** What {@code iput_final} does with an inode whose count reached zero. */
  public enum DropDecision { KEEP_CACHED, EVICT, DEFER_DELETE }

  /** Where eviction starts. */
  public enum EvictStart { CACHE_DROP, TRY_IOPEN_EXCLUSIVE, DEFER }

  /** An answer while trying to upgrade the iopen glock to EX. */
  public enum IopenOutcome { TRY_GRANTED, TRY_FAILED, WAIT_GRANTED, WAIT_TIMED_OUT, INODE_DEMOTE_REQUESTED }

  /** The next eviction step after an iopen answer. */
  public enum EvictNext { DEALLOCATE, WAIT_IOPEN_EXCLUSIVE, CACHE_DROP }

  private static final DropDecision K = DropDecision.KEEP_CACHED;
  private static final DropDecision E = DropDecision.EVICT;
  private static final DropDecision D = DropDecision.DEFER_DELETE;

  // Index: [nlink==0][inReclaim][iopenHeld][sbActive]
  private static final DropDecision[][][][] DROP = {
      { // nlink > 0
          {{E, K}, {E, K}}, // not in reclaim: iopen not held / held; sb inactive / active
          {{E, K}, {E, K}}, // in reclaim
      },
      { // nlink == 0
          {{E, E}, {E, E}}, // not in reclaim
          {{E, E}, {D, D}}, // in reclaim: iopen held -> defer
      },
  };

  private static final EvictNext[] AFTER_IOPEN = {
      /* TRY_GRANTED */ EvictNext.DEALLOCATE,
      /* TRY_FAILED */ EvictNext.WAIT_IOPEN_EXCLUSIVE,
      /* WAIT_GRANTED */ EvictNext.DEALLOCATE,
      /* WAIT_TIMED_OUT */ EvictNext.CACHE_DROP,
      /* INODE_DEMOTE_REQUESTED */ EvictNext.CACHE_DROP,
  };

  private InodeRules() {}

  public static DropDecision onLastPut(long nlink, boolean inReclaim, boolean iopenHeld, boolean sbActive) {
    requireNlink(nlink);
    return DROP[nlink == 0 ? 1 : 0][inReclaim ? 1 : 0][iopenHeld ? 1 : 0][sbActive ? 1 : 0];
  }

  public static EvictStart evictStart(long nlink, boolean readOnly, boolean inReclaimOrDeferDelete) {
    requireNlink(nlink);
    if (nlink > 0 || readOnly) {
      return EvictStart.CACHE_DROP;
    }
    return inReclaimOrDeferDelete ? EvictStart.DEFER : EvictStart.TRY_IOPEN_EXCLUSIVE;
  }

  public static EvictNext afterIopen(IopenOutcome outcome) {
    return AFTER_IOPEN[outcome.ordinal()];
  }

  private static void requireNlink(long nlink) {
    if (nlink < 0) {
      throw new IllegalArgumentException("link count " + nlink + " is negative");
    }
  }
}
