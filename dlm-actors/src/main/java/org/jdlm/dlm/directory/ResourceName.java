package org.jdlm.dlm.directory;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A resource name: 1 to 64 bytes (semantics §2.8), compared by content.
 *
 * <p>A record whose {@code equals}/{@code hashCode} are overridden, because the default ones compare
 * the {@code byte[]} by identity and names are map keys on every node. The bytes are copied in and
 * out, so a name is immutable.
 */
public record ResourceName(byte[] bytes) implements Comparable<ResourceName> {

  /** Longest name the DLM accepts (semantics §2.8: {@code DLM_RESNAME_MAXLEN}). */
  public static final int MAX_LENGTH = 64;

  public ResourceName {
    bytes = bytes.clone();
  }

  /** A name from raw bytes (copied). Length is validated by the caller's synchronous checks. */
  public static ResourceName of(byte[] bytes) {
    return new ResourceName(bytes);
  }

  /** A name from the UTF-8 bytes of {@code text}. */
  public static ResourceName of(String text) {
    return new ResourceName(text.getBytes(StandardCharsets.UTF_8));
  }

  /** A copy of the name's bytes. */
  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /** Number of bytes in the name. */
  public int length() {
    return bytes.length;
  }

  /** The name as text when it is printable ASCII, else {@code 0x}-prefixed hex (as in dumps). */
  public String display() {
    for (byte b : bytes) {
      if (b < 0x20 || b > 0x7e) {
        return "0x" + HexFormat.of().formatHex(bytes);
      }
    }
    return new String(bytes, StandardCharsets.US_ASCII);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ResourceName other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public int compareTo(ResourceName o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  @Override
  public String toString() {
    return display();
  }
}
