package org.jdlm.kernel;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.jdlm.kernel.core.waits.DeadlockDetector;
import org.jdlm.kernel.core.waits.LivelockMonitor;

/**
 * {@code jdlm.kernel.detector.*} from reference.conf: the stall bound, how often the cluster-wide
 * detector runs, which lockspaces break DLM-only deadlocks, and the livelock window. Reading it is
 * the only thing here that touches configuration; the cores take the plain values.
 */
public record DetectorSettings(Duration stallBound, Duration scanInterval, Set<String> breakDeadlocksIn,
                               LivelockMonitor.Settings livelock) {

  public DetectorSettings {
    if (stallBound.isNegative() || stallBound.isZero()) {
      throw new IllegalArgumentException("jdlm.kernel.detector.stall-bound must be positive, got " + stallBound);
    }
    if (scanInterval.isNegative() || scanInterval.isZero()) {
      throw new IllegalArgumentException("jdlm.kernel.detector.scan-interval must be positive, got " + scanInterval);
    }
    breakDeadlocksIn = Set.copyOf(breakDeadlocksIn);
  }

  /** Reads {@code jdlm.kernel.detector} of {@code root}; a bad value names its key. */
  public static DetectorSettings from(Config root) {
    Config d = root.getConfig("jdlm.kernel.detector");
    Config l = d.getConfig("livelock");
    LivelockMonitor.Settings live;
    try {
      live = new LivelockMonitor.Settings(l.getDuration("window").toNanos(), l.getLong("min-activity"),
          l.getInt("max-samples"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("jdlm.kernel.detector.livelock: " + e.getMessage(), e);
    }
    return new DetectorSettings(d.getDuration("stall-bound"), d.getDuration("scan-interval"),
        Set.copyOf(d.getStringList("break-deadlocks-in")), live);
  }

  /** The deadlock detector's settings for a run with these fix switches. */
  public DeadlockDetector.Settings deadlock(List<String> fixSwitches) {
    return new DeadlockDetector.Settings(fixSwitches, breakDeadlocksIn, stallBound.toNanos());
  }
}
