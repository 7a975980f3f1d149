package org.jdlm.scenario;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A lock value block as written in a scenario ({@code lvb=TEXT}, {@code lvb="TEXT"} or
 * {@code lvb=0x…}), holding exactly the bytes the file wrote, before padding.
 *
 * <p>The parser does not compare the length with the lockspace's {@code lvblen}: a value longer
 * than {@code lvblen} is not a syntax error but a call the API answers with EINVAL (brief §6), so
 * the runner must be able to pass it on unchanged. {@link #forBuffer(int)} does exactly that.
 */
public record Lvb(byte[] raw) {

  private static final HexFormat HEX = HexFormat.of();

  public Lvb {
    if (raw == null) {
      throw new IllegalArgumentException("lvb bytes must not be null");
    }
    raw = raw.clone();
  }

  /** The bytes the file wrote (a copy; the record stays immutable). */
  @Override
  public byte[] raw() {
    return raw.clone();
  }

  /** Number of bytes the file wrote. */
  public int length() {
    return raw.length;
  }

  /**
   * The buffer the runner hands to the API for a lockspace whose value blocks are {@code lvbLength}
   * bytes: the written bytes zero-padded to {@code lvbLength} (brief §6), or the written bytes
   * unchanged when they are longer, so the API rather than the runner rejects them.
   */
  public byte[] forBuffer(int lvbLength) {
    if (lvbLength < 0) {
      throw new IllegalArgumentException("lvb length must not be negative, got " + lvbLength);
    }
    return raw.length >= lvbLength ? raw.clone() : Arrays.copyOf(raw, lvbLength);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Lvb that && Arrays.equals(raw, that.raw);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(raw);
  }

  /** Hex form, {@code 0x…}, because a value block may hold bytes that do not print. */
  @Override
  public String toString() {
    return "0x" + HEX.formatHex(raw);
  }
}
