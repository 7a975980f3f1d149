package org.jdlm.fs.file;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Locale;
import org.jdlm.fs.core.FileLockPlan;
import org.jdlm.kernel.core.GfpMask;

/**
 * The file layer's settings ({@code jdlm.fs.file} in reference.conf).
 *
 * @param pageMask      mask of a page-cache page's memory (allocated while a glock is held)
 * @param faultOrder    the fault path's lock order (fs-cycles §5.5)
 * @param pageLockWait  bound of a task's wait for a page lock
 */
public record FileSettings(GfpMask pageMask, FileLockPlan.FaultOrder faultOrder, Duration pageLockWait) {

  public static FileSettings from(Config config) {
    Config c = config.getConfig("jdlm.fs.file");
    String mask = c.getString("page-mask").toUpperCase(Locale.ROOT);
    String order = c.getString("fault-order").toUpperCase(Locale.ROOT).replace('-', '_');
    try {
      return new FileSettings(GfpMask.valueOf(mask), FileLockPlan.FaultOrder.valueOf(order),
          c.getDuration("page-lock-wait"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("jdlm.fs.file: page-mask '" + mask + "' or fault-order '" + order
          + "' is not one of " + java.util.Arrays.toString(GfpMask.values()) + " / glock-first, page-first", e);
    }
  }
}
