package org.jdlm.fs.core;

import java.util.Set;

/**
 * Request options of one glock holder ({@code LM_FLAG_*}, {@code GL_*}; fs-cycles §1.3), with the
 * letter {@code hflags2str} prints in the {@code f:} field of an {@code H:} dump line. Declaration
 * order is the order of the letters in that field. The internal bits {@code HIF_HOLDER} (H) and
 * {@code HIF_WAIT} (W) are not options: they are the holder's state ({@link Holder#granted()}) and
 * are printed between {@code c} and {@code s}, where {@code hflags2str} prints them.
 *
 * <p>Left out on purpose: {@code LM_FLAG_PRIORITY} (removed from Linux in 2023),
 * {@code HIF_MAY_DEMOTE} (reworked upstream, fs-cycles Appendix A), {@code GL_NOBLOCK} (RCU
 * path walk, no equivalent here).
 */
public enum HolderFlag {
  /** Fail with TRYAGAIN ({@code GLR_TRYFAILED}) instead of waiting; DLM: NOQUEUE. */
  TRY('t'),
  /** Like TRY, but the DLM also sends one blocking callback to the holders (NOQUEUE + NOQUEUEBAST). */
  TRY_1CB('T'),
  /** Journal recovery: must not be held back by recovery. */
  NOEXP('e'),
  /** An SH request may be granted as DF and vice versa (DLM ALTCW / ALTPR). */
  ANY('A'),
  /** Several local EX holders that all carry this flag may share the glock (rgrps). */
  NODE_SCOPE('n'),
  /** The caller does not wait for the grant; it is told later. */
  ASYNC('a'),
  /** Grant only if the glock is in exactly the requested state (no EX → SH sharing). */
  EXACT('E'),
  /** On dequeue, demote the glock to UN at once instead of caching it. */
  NOCACHE('c'),
  /** Do not run the instantiate callback (do not read the object on grant). */
  SKIP('s'),
  /** The holder belongs to no task (exempt from the recursion check); not printed. */
  NOPID('\0');

  private final char letter;

  HolderFlag(char letter) {
    this.letter = letter;
  }

  /** The dump letter, or {@code '\0'} for a flag that is not printed. */
  public char letter() {
    return letter;
  }

  /** Whether the set asks for a try-lock (TRY or TRY_1CB). */
  public static boolean isTry(Set<HolderFlag> flags) {
    return flags.contains(TRY) || flags.contains(TRY_1CB);
  }

  /** The {@code f:} field of an {@code H:} line: option letters, then H or W, then s. */
  public static String dumpLetters(Set<HolderFlag> flags, boolean granted) {
    StringBuilder sb = new StringBuilder();
    for (HolderFlag f : values()) {
      if (f == SKIP) {
        sb.append(granted ? 'H' : 'W');
      }
      if (flags.contains(f) && f.letter != '\0') {
        sb.append(f.letter);
      }
    }
    return sb.toString();
  }
}
