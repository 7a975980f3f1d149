package org.jdlm.fs.core;

import java.util.Set;

/**
 * When a holder may be granted locally, as two tables (style rule 3; {@code may_grant} in
 * {@code fs/gfs2/glock.c}, fs-cycles §1.3). A waiting holder is granted when the glock's state
 * <em>covers</em> it and it may <em>share</em> with the holders already granted.
 *
 * <h2>Covers: may the glock, in its current state, serve the request without the DLM?</h2>
 * Columns are the requested state with its modifier: E = {@code GL_EXACT}, A = {@code LM_FLAG_ANY}
 * (EXACT wins over ANY; ANY with EX is rejected as bad input by {@link Holder#request}).
 * <pre>
 *   glock \ req   SH  SH/E  SH/A   DF  DF/E  DF/A   EX  EX/E
 *   UN             0    0     0     0    0     0     0    0
 *   SH             1    1     1     0    0     1     0    0
 *   DF             0    0     1     1    1     1     0    0
 *   EX             1    0     1     1    0     1     1    1
 * </pre>
 * Same state: yes. EX serves SH and DF locally (a node-internal downgrade) unless EXACT. ANY is
 * served by any locked state.
 *
 * <h2>Share: may the request be granted beside an already granted holder?</h2>
 * n = {@code LM_FLAG_NODE_SCOPE}. Symmetric.
 * <pre>
 *   granted \ req   SH  DF  EX  EX/n
 *   SH               1   0   0    0
 *   DF               0   1   0    0
 *   EX               0   0   0    0
 *   EX/n             0   0   0    1
 * </pre>
 * SH with SH, DF with DF; EX only among holders that all agreed to share node-wide.
 *
 * <p><b>Deviation.</b> GFS2 checks only the share rule when holders are granted, so an SH holder
 * may join an SH holder that was itself granted under DF through ANY, leaving a granted SH holder
 * on a DF glock. Here both rules always apply, so every granted holder is covered by the glock's
 * state without exception ({@link GlockCore#checkInvariants()}); such a holder waits for the
 * others instead.
 */
public final class HolderRules {

  /** The column of the covers table a request falls in. */
  public enum RequestKind { SH, SH_EXACT, SH_ANY, DF, DF_EXACT, DF_ANY, EX, EX_EXACT }

  /** The row/column of the share table a holder falls in. */
  public enum ShareKind { SH, DF, EX, EX_NODE_SCOPE }

  private static final boolean T = true;
  private static final boolean F = false;

  //                                    SH SH/E SH/A DF DF/E DF/A EX EX/E   <- requested
  private static final boolean[][] COVERS = {
      /* UN */                         {F, F,   F,   F, F,   F,   F, F},
      /* SH */                         {T, T,   T,   F, F,   T,   F, F},
      /* DF */                         {F, F,   T,   T, T,   T,   F, F},
      /* EX */                         {T, F,   T,   T, F,   T,   T, T},
  };

  //                                    SH DF EX EX/n   <- requested
  private static final boolean[][] SHARE = {
      /* SH */                         {T, F, F, F},
      /* DF */                         {F, T, F, F},
      /* EX */                         {F, F, F, F},
      /* EX/n */                       {F, F, F, T},
  };

  private HolderRules() {}

  /** The covers-table column of a request. */
  public static RequestKind requestKind(GlockState requested, Set<HolderFlag> flags) {
    boolean exact = flags.contains(HolderFlag.EXACT);
    boolean any = !exact && flags.contains(HolderFlag.ANY);
    switch (requested) {
      case SH:
        return exact ? RequestKind.SH_EXACT : any ? RequestKind.SH_ANY : RequestKind.SH;
      case DF:
        return exact ? RequestKind.DF_EXACT : any ? RequestKind.DF_ANY : RequestKind.DF;
      case EX:
        if (any) {
          throw new IllegalArgumentException("ANY has no meaning for an EX request");
        }
        return exact ? RequestKind.EX_EXACT : RequestKind.EX;
      default:
        throw new IllegalArgumentException("a holder never requests " + requested);
    }
  }

  /** The share-table row/column of a holder. */
  public static ShareKind shareKind(GlockState state, Set<HolderFlag> flags) {
    switch (state) {
      case SH:
        return ShareKind.SH;
      case DF:
        return ShareKind.DF;
      case EX:
        return flags.contains(HolderFlag.NODE_SCOPE) ? ShareKind.EX_NODE_SCOPE : ShareKind.EX;
      default:
        throw new IllegalArgumentException("a holder never holds " + state);
    }
  }

  /** One cell of the covers table. */
  public static boolean covers(GlockState glock, RequestKind request) {
    return COVERS[glock.ordinal()][request.ordinal()];
  }

  /** Whether a glock in {@code glock} serves the holder's request. */
  public static boolean covers(GlockState glock, Holder holder) {
    return covers(glock, requestKind(holder.state(), holder.flags()));
  }

  /** One cell of the share table. */
  public static boolean share(ShareKind granted, ShareKind requested) {
    return SHARE[granted.ordinal()][requested.ordinal()];
  }

  /** Whether two holders may be granted at the same time. */
  public static boolean share(Holder granted, Holder requested) {
    return share(shareKind(granted.state(), granted.flags()), shareKind(requested.state(), requested.flags()));
  }

  /**
   * {@code may_grant}: may {@code waiter} be granted on a glock in {@code glock} whose first
   * granted holder is {@code firstGranted} ({@code null} if none)?
   */
  public static boolean mayGrant(GlockState glock, Holder firstGranted, Holder waiter) {
    return covers(glock, waiter) && (firstGranted == null || share(firstGranted, waiter));
  }
}
