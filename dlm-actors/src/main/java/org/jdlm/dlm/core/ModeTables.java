package org.jdlm.dlm.core;

/**
 * Every mode relation of the DLM, as tables (style rule 3). Row = the mode already held
 * (granted), column = the mode asked for. Index {@code 0} of the first dimension of
 * {@link #LVB} is the "new request" row (granted mode IV); the other tables have no IV row
 * because IV is compatible with everything and never converts.
 *
 * <h2>Compatibility (semantics §1.1, {@code lock.c: __dlm_compat_matrix}); symmetric</h2>
 * <pre>
 *   held \ req   NL  CR  CW  PR  PW  EX
 *   NL            1   1   1   1   1   1
 *   CR            1   1   1   1   1   0
 *   CW            1   1   1   0   0   0
 *   PR            1   1   0   1   0   0
 *   PW            1   1   0   0   0   0
 *   EX            1   0   0   0   0   0
 * </pre>
 *
 * <h2>QUECVT allowed (semantics §1.2, {@code lock.c: __quecvt_compat_matrix})</h2>
 * <pre>
 *   granted \ requested  NL  CR  CW  PR  PW  EX
 *   NL                    0   1   1   1   1   1
 *   CR                    0   0   1   1   1   1
 *   CW                    0   0   0   1   1   1
 *   PR                    0   0   1   0   1   1
 *   PW                    0   0   0   0   0   1
 *   EX                    0   0   0   0   0   0
 * </pre>
 *
 * <h2>LVB direction on a grant (semantics §1.3, {@code lock.c: dlm_lvb_operations})</h2>
 * R = resource LVB copied to the caller, W = caller's LVB written to the resource, - = nothing.
 * <pre>
 *   granted \ new mode   NL  CR  CW  PR  PW  EX
 *   new (IV)              R   R   R   R   R   R
 *   NL                    R   R   R   R   R   R
 *   CR                    -   R   R   R   R   R
 *   CW                    -   -   R   R   R   R
 *   PR                    -   -   -   R   R   R
 *   PW                    W   W   W   W   W   R
 *   EX                    W   W   W   W   W   W
 * </pre>
 */
public final class ModeTables {

  /** What a grant does with the value block (one cell of {@link #LVB}). */
  public enum LvbOp {
    /** Copy the resource LVB into the caller's buffer. */
    READ,
    /** Write the caller's buffer into the resource LVB (or invalidate it with IVVALBLK). */
    WRITE,
    /** Leave both alone. */
    NONE
  }

  private static final boolean T = true;
  private static final boolean F = false;

  //                                          NL CR CW PR PW EX   <- requested
  private static final boolean[][] COMPAT = {
      /* NL */                               {T, T, T, T, T, T},
      /* CR */                               {T, T, T, T, T, F},
      /* CW */                               {T, T, T, F, F, F},
      /* PR */                               {T, T, F, T, F, F},
      /* PW */                               {T, T, F, F, F, F},
      /* EX */                               {T, F, F, F, F, F},
  };

  //                                          NL CR CW PR PW EX   <- requested
  private static final boolean[][] QUECVT = {
      /* NL */                               {F, T, T, T, T, T},
      /* CR */                               {F, F, T, T, T, T},
      /* CW */                               {F, F, F, T, T, T},
      /* PR */                               {F, F, T, F, T, T},
      /* PW */                               {F, F, F, F, F, T},
      /* EX */                               {F, F, F, F, F, F},
  };

  private static final LvbOp R = LvbOp.READ;
  private static final LvbOp W = LvbOp.WRITE;
  private static final LvbOp N = LvbOp.NONE;

  //                                          NL CR CW PR PW EX   <- new mode
  private static final LvbOp[][] LVB = {
      /* new (IV) */                         {R, R, R, R, R, R},
      /* NL */                               {R, R, R, R, R, R},
      /* CR */                               {N, R, R, R, R, R},
      /* CW */                               {N, N, R, R, R, R},
      /* PR */                               {N, N, N, R, R, R},
      /* PW */                               {W, W, W, W, W, R},
      /* EX */                               {W, W, W, W, W, W},
  };

  private ModeTables() {}

  /** May a lock in {@code requested} be granted while another lock holds {@code held}?
   *  A {@code null} (IV) on either side is compatible with everything, as in the kernel's
   *  padded matrix. */
  public static boolean compatible(LockMode held, LockMode requested) {
    if (held == null || requested == null) {
      return true;
    }
    return COMPAT[held.ordinal()][requested.ordinal()];
  }

  /** May the conversion {@code granted → requested} carry QUECVT? */
  public static boolean quecvtAllowed(LockMode granted, LockMode requested) {
    return QUECVT[granted.ordinal()][requested.ordinal()];
  }

  /** The value-block operation when a lock holding {@code granted} ({@code null} = a new
   *  request) is granted {@code newMode}. */
  public static LvbOp lvbOperation(LockMode granted, LockMode newMode) {
    return LVB[granted == null ? 0 : granted.ordinal() + 1][newMode.ordinal()];
  }

  /**
   * A down-conversion in the kernel's sense ({@code lock.c: down_conversion}): a lower
   * numeric mode that is not the PR↔CW "middle" conversion. Always grantable at once (spec
   * §2.4) and keeps the lock's fencing token.
   */
  public static boolean isDownConversion(LockMode granted, LockMode requested) {
    return !isMiddleConversion(granted, requested) && requested.ordinal() < granted.ordinal();
  }

  /** PR→CW or CW→PR ({@code lock.c: middle_conversion}): neither up nor down. */
  public static boolean isMiddleConversion(LockMode granted, LockMode requested) {
    return (granted == LockMode.PR && requested == LockMode.CW)
        || (granted == LockMode.CW && requested == LockMode.PR);
  }
}
