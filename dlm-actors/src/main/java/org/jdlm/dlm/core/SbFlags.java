package org.jdlm.dlm.core;

/**
 * The status-block flags reported with a completion callback ({@code DLM_SBF_*}, semantics §2.9):
 * {@link #DEMOTED} 0x01, {@link #VALNOTVALID} 0x02, {@link #ALTMODE} 0x04. They are reset at the
 * start of every operation on a lock and reported with its next CAST.
 *
 * @param bits the Linux flag byte
 */
public record SbFlags(int bits) {

  /** CONVDEADLK demoted the granted mode to NL before the grant. */
  public static final int DEMOTED = 0x01;
  /** The value block returned (or the resource's) is not valid. */
  public static final int VALNOTVALID = 0x02;
  /** Granted in the alternate mode of ALTPR/ALTCW. */
  public static final int ALTMODE = 0x04;

  /** No flags. */
  public static final SbFlags NONE = new SbFlags(0);

  public SbFlags {
    if ((bits & ~(DEMOTED | VALNOTVALID | ALTMODE)) != 0) {
      throw new IllegalArgumentException("sbflags 0x" + Integer.toHexString(bits)
          + " has bits other than DEMOTED(0x1), VALNOTVALID(0x2), ALTMODE(0x4)");
    }
  }

  /** Interned for the eight possible values, so the grant path does not allocate. */
  private static final SbFlags[] ALL = new SbFlags[8];

  static {
    ALL[0] = NONE;
    for (int i = 1; i < 8; i++) {
      ALL[i] = new SbFlags(i);
    }
  }

  /** The flags for a Linux flag byte. */
  public static SbFlags of(int bits) {
    if (bits >= 0 && bits < ALL.length) {
      return ALL[bits];
    }
    return new SbFlags(bits); // throws with the reason
  }

  public boolean demoted() {
    return (bits & DEMOTED) != 0;
  }

  public boolean valNotValid() {
    return (bits & VALNOTVALID) != 0;
  }

  public boolean altMode() {
    return (bits & ALTMODE) != 0;
  }

  @Override
  public String toString() {
    if (bits == 0) {
      return "none";
    }
    StringBuilder sb = new StringBuilder();
    if (demoted()) {
      sb.append("DEMOTED");
    }
    if (valNotValid()) {
      sb.append(sb.length() > 0 ? "," : "").append("VALNOTVALID");
    }
    if (altMode()) {
      sb.append(sb.length() > 0 ? "," : "").append("ALTMODE");
    }
    return sb.toString();
  }
}
