package org.jdlm.dlm.core;

import java.util.Locale;

/**
 * The six VMS/Linux lock modes (semantics §1). The declaration order is the kernel's numeric order
 * {@code NL=0 < CR=1 < CW=2 < PR=3 < PW=4 < EX=5}; the "max of modes" used for BAST bookkeeping
 * ({@code high}, {@code highbast}) is this numeric order even though the modes form a lattice
 * (CW and PR are mutually incompatible). "No mode" ({@code IV}, -1 in the kernel) is represented
 * by {@code null} wherever a mode may be absent.
 *
 * <p>All mode relations (compatibility, QUECVT, LVB direction) live in {@link ModeTables}.
 */
public enum LockMode {
  /** Null: no access, but pins the resource and its value block. */
  NL,
  /** Concurrent read. */
  CR,
  /** Concurrent write. */
  CW,
  /** Protected read. */
  PR,
  /** Protected write. */
  PW,
  /** Exclusive. */
  EX;

  private static final LockMode[] BY_VALUE = values();

  /** The kernel's numeric value ({@code DLM_LOCK_NL} = 0 … {@code DLM_LOCK_EX} = 5). */
  public int value() {
    return ordinal();
  }

  /** The mode with the kernel value {@code value}; a value outside 0..5 is a caller bug here
   *  (user input is range-checked by {@link OwnerLocks} and reported as EINVAL). */
  public static LockMode ofValue(int value) {
    if (value < 0 || value >= BY_VALUE.length) {
      throw new IllegalArgumentException("lock mode value " + value + " is outside 0..5 (NL..EX)");
    }
    return BY_VALUE[value];
  }

  /** Parses a mode name (case-insensitive); an unknown name is reported with the accepted names. */
  public static LockMode parse(String name) {
    if (name != null) {
      String upper = name.trim().toUpperCase(Locale.ROOT);
      for (LockMode m : BY_VALUE) {
        if (m.name().equals(upper)) {
          return m;
        }
      }
    }
    throw new IllegalArgumentException(
        "unknown lock mode '" + name + "': expected one of NL, CR, CW, PR, PW, EX");
  }

  /** Kernel value of a possibly absent mode: {@code null} (IV) is -1. */
  static int valueOf(LockMode mode) {
    return mode == null ? -1 : mode.ordinal();
  }

  /** Name of a possibly absent mode, "IV" for none, as {@code dlm_dump_rsb} prints it. */
  static String nameOf(LockMode mode) {
    return mode == null ? "IV" : mode.name();
  }
}
