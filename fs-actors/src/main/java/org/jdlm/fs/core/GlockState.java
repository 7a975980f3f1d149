package org.jdlm.fs.core;

import org.jdlm.dlm.core.LockMode;

/**
 * The four glock states ({@code LM_ST_*}), their DLM modes and what each allows the node to cache
 * (fs-cycles §1.2; {@code Documentation/filesystems/gfs2-glocks.rst}). Style rule 3: the rules are
 * literal tables, tested cell by cell in {@code GlockStateTest}.
 *
 * <h2>State → DLM mode, and the cache contents it allows</h2>
 * <pre>
 *   state  DLM   cache metadata  cache data  dirty data  dirty metadata
 *   UN     NL        no             no          no           no
 *   SH     PR        yes            yes         no           no
 *   DF     CW        yes            no          no           no
 *   EX     EX        yes            yes         yes          yes
 * </pre>
 * UN maps to NL, not to "no lock": a glock keeps its DLM lock converted to NL and only unlocks it
 * at the final put ({@code gdlm_lock}, {@code gdlm_put_lock}). DF exists for direct I/O: it shares
 * with other DF holders cluster-wide but not with SH, and caches no data because another node may
 * write the blocks under its own DF lock at any time.
 *
 * <h2>BAST requested mode → state we must drop to ({@code gdlm_bast})</h2>
 * <pre>
 *   requested by the other node   EX   CW   PR   (NL, CR, PW: never requested by GFS2)
 *   drop to                       UN   DF   SH
 * </pre>
 */
public enum GlockState {
  /** Unlocked: DLM lock at NL (or none yet); nothing cached. */
  UN,
  /** Shared: PR; clean cache of metadata and data. */
  SH,
  /** Deferred: CW; direct I/O; clean metadata only. */
  DF,
  /** Exclusive: EX; everything may be cached and dirty. */
  EX;

  /** The cache-content columns of the table above, in order. */
  public enum CacheRight { CACHE_METADATA, CACHE_DATA, DIRTY_DATA, DIRTY_METADATA }

  private static final boolean T = true;
  private static final boolean F = false;

  //                                     meta  data  dirty-data  dirty-meta
  private static final boolean[][] CACHE = {
      /* UN */                          {F,    F,    F,          F},
      /* SH */                          {T,    T,    F,          F},
      /* DF */                          {T,    F,    F,          F},
      /* EX */                          {T,    T,    T,          T},
  };

  //                                         UN           SH           DF           EX
  private static final LockMode[] DLM = {LockMode.NL, LockMode.PR, LockMode.CW, LockMode.EX};

  /** The DLM mode the glock's lock is held in while in this state. */
  public LockMode dlmMode() {
    return DLM[ordinal()];
  }

  /** The state a granted DLM mode means ({@code gdlm_ast}); CR and PW are never requested by a glock. */
  public static GlockState ofDlmMode(LockMode mode) {
    for (GlockState s : values()) {
      if (DLM[s.ordinal()] == mode) {
        return s;
      }
    }
    throw new IllegalArgumentException("DLM mode " + mode + " is not a glock mode (NL, PR, CW, EX)");
  }

  /** The state to demote to when another node's request in {@code requested} blocks us ({@code gdlm_bast}). */
  public static GlockState demoteTargetForBast(LockMode requested) {
    switch (requested) {
      case EX:
        return UN;
      case CW:
        return DF;
      case PR:
        return SH;
      default:
        throw new IllegalArgumentException("a blocking callback for mode " + requested
            + " cannot come from a glock (GFS2 requests only PR, CW and EX)");
    }
  }

  /** One cell of the cache table. */
  public boolean allows(CacheRight right) {
    return CACHE[ordinal()][right.ordinal()];
  }

  /** Whether cached metadata survives in this state. */
  public boolean mayCacheMetadata() {
    return allows(CacheRight.CACHE_METADATA);
  }

  /** Whether cached file data survives in this state. */
  public boolean mayCacheData() {
    return allows(CacheRight.CACHE_DATA);
  }

  /** Whether anything may be dirty (GLF_DIRTY) in this state. */
  public boolean mayDirty() {
    return allows(CacheRight.DIRTY_DATA) || allows(CacheRight.DIRTY_METADATA);
  }

  /** "UN", "SH", "DF", "EX" as {@code state2str} prints it. */
  public String dumpName() {
    return name();
  }
}
