package org.jdlm.dlm.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An immutable lock value block (semantics §4): exactly {@code lvblen} bytes. A never-written
 * resource LVB reads as all zeros (semantics §11.8: the Java spec fixes the kernel's local/remote
 * difference to zeros).
 */
public final class ValueBlock {

  private final byte[] bytes;

  /** For the wire format only (Kryo sets the field): a value block always crosses nodes whole. */
  @SuppressWarnings("unused")
  private ValueBlock() {
    this.bytes = new byte[0];
  }

  private ValueBlock(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A copy of {@code data}, zero-padded to {@code lvblen}; longer data is a caller bug here
   *  (user input is checked by {@link OwnerLocks} and reported as EINVAL). */
  public static ValueBlock of(byte[] data, int lvblen) {
    if (data.length > lvblen) {
      throw new IllegalArgumentException(
          "value block of " + data.length + " bytes exceeds the lockspace lvblen " + lvblen);
    }
    return new ValueBlock(Arrays.copyOf(data, lvblen));
  }

  /** The ASCII bytes of {@code text}, zero-padded (the scenario language's {@code lvb=TEXT}). */
  public static ValueBlock ofAscii(String text, int lvblen) {
    return of(text.getBytes(StandardCharsets.US_ASCII), lvblen);
  }

  /** {@code lvblen} zero bytes. */
  public static ValueBlock zeros(int lvblen) {
    return new ValueBlock(new byte[lvblen]);
  }

  /** A copy of the bytes. */
  public byte[] toByteArray() {
    return bytes.clone();
  }

  public int length() {
    return bytes.length;
  }

  public boolean isZero() {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ValueBlock other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** Printable ASCII up to the first zero byte when the rest is zero padding, otherwise hex. */
  @Override
  public String toString() {
    int end = bytes.length;
    while (end > 0 && bytes[end - 1] == 0) {
      end--;
    }
    if (end == 0) {
      return "zero";
    }
    boolean printable = true;
    for (int i = 0; i < end; i++) {
      if (bytes[i] < 0x20 || bytes[i] > 0x7e) {
        printable = false;
        break;
      }
    }
    if (printable) {
      return "\"" + new String(bytes, 0, end, StandardCharsets.US_ASCII) + "\"";
    }
    StringBuilder sb = new StringBuilder("0x");
    for (int i = 0; i < end; i++) {
      sb.append(String.format("%02x", bytes[i] & 0xff));
    }
    return sb.toString();
  }
}
