package org.jdlm.dlm.api;

import com.typesafe.config.Config;
import org.jdlm.dlm.core.SyncStatus;

/**
 * How one lockspace takes send buffers for the messages that leave this member (docs/kernel.md,
 * "The DLM's send buffers"): read from {@code jdlm.dlm-actors.comm}, overridable per lockspace in
 * {@link LockspaceSettings#comm()}. Only used when a {@link CommMemory} is installed.
 *
 * @param mask        {@link Mask#FS} ({@code GFP_KERNEL}: reclaim may enter filesystem shrinkers,
 *                    the seed's chain) or {@link Mask#NOFS} ({@code ls_allocation = GFP_NOFS},
 *                    fix F-a3, scenario switch {@code nofs-comm})
 * @param reserve     comm buffers reserved in a per-lockspace mempool (fix F-a4, scenario switch
 *                    {@code comm-reserve}); 0 = no reserve
 * @param bufferBytes bytes one message's send buffer takes (lowcomms writes page-sized buffers)
 */
public record CommSettings(Mask mask, int reserve, long bufferBytes) {

  /** The allocation mask of a lockspace's send path. */
  public enum Mask {
    /** {@code GFP_KERNEL}: reclaim may call filesystem shrinkers (the cycle of fs-cycles §5.1 closes). */
    FS,
    /** {@code GFP_NOFS}: reclaim skips filesystem shrinkers (F-a3, breaks the direct recursion only). */
    NOFS
  }

  public CommSettings {
    if (mask == null) {
      throw new DlmException(SyncStatus.EINVAL, null, "comm mask must be FS or NOFS");
    }
    if (reserve < 0) {
      throw new DlmException(SyncStatus.EINVAL, reserve, "comm reserve must be 0 (off) or a number of buffers");
    }
    if (bufferBytes <= 0) {
      throw new DlmException(SyncStatus.EINVAL, bufferBytes, "comm buffer-bytes must be positive");
    }
  }

  /** Reads {@code jdlm.dlm-actors.comm} from a full config; names the key of a bad value. */
  public static CommSettings fromConfig(Config config) {
    Config c = config.getConfig("jdlm.dlm-actors.comm");
    String mask = c.getString("mask");
    Mask m;
    try {
      m = Mask.valueOf(mask.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("jdlm.dlm-actors.comm.mask must be FS or NOFS, got " + mask);
    }
    int reserve = c.getInt("reserve");
    if (reserve < 0) {
      throw new IllegalArgumentException("jdlm.dlm-actors.comm.reserve must be >= 0, got " + reserve);
    }
    long bytes = c.getBytes("buffer-bytes");
    if (bytes <= 0) {
      throw new IllegalArgumentException("jdlm.dlm-actors.comm.buffer-bytes must be positive, got " + bytes);
    }
    return new CommSettings(m, reserve, bytes);
  }

  /** The same settings with another mask ({@code nofs-comm}). */
  public CommSettings withMask(Mask newMask) {
    return new CommSettings(newMask, reserve, bufferBytes);
  }

  /** The same settings with another reserve ({@code comm-reserve}). */
  public CommSettings withReserve(int buffers) {
    return new CommSettings(mask, buffers, bufferBytes);
  }
}
