package org.jdlm.common.wire;

import com.typesafe.config.Config;

/**
 * The bounds of the wire format, read from {@code jdlm.wire} (documented in common's
 * {@code reference.conf}).
 *
 * @param poolSize idle Kryo instances kept for reuse; more are created under load and dropped
 * @param initialBufferSize bytes each pooled output buffer starts with
 * @param maxMessageSize largest serialized message; a larger one is refused on the sender
 * @param maxDepth deepest nesting of objects inside one message
 */
public record WireSettings(int poolSize, int initialBufferSize, int maxMessageSize, int maxDepth) {

  public WireSettings {
    require(poolSize >= 1, "jdlm.wire.kryo-pool-size", poolSize, "must be at least 1");
    require(initialBufferSize >= 64, "jdlm.wire.initial-buffer-size", initialBufferSize,
        "must be at least 64 bytes");
    require(maxMessageSize >= initialBufferSize, "jdlm.wire.max-message-size", maxMessageSize,
        "must be at least jdlm.wire.initial-buffer-size (" + initialBufferSize + ")");
    require(maxDepth >= 4, "jdlm.wire.max-depth", maxDepth, "must be at least 4");
  }

  /** Reads the settings from the root config. */
  public static WireSettings fromConfig(Config config) {
    Config wire = config.getConfig("jdlm.wire");
    return new WireSettings(wire.getInt("kryo-pool-size"),
        toInt(wire.getBytes("initial-buffer-size"), "jdlm.wire.initial-buffer-size"),
        toInt(wire.getBytes("max-message-size"), "jdlm.wire.max-message-size"),
        wire.getInt("max-depth"));
  }

  private static int toInt(long bytes, String key) {
    require(bytes <= Integer.MAX_VALUE, key, bytes, "must be below 2 GiB");
    return (int) bytes;
  }

  private static void require(boolean ok, String key, long value, String reason) {
    if (!ok) {
      throw new IllegalArgumentException(key + " = " + value + " " + reason);
    }
  }
}
