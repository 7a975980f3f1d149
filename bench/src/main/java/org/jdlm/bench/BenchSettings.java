package org.jdlm.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;

/**
 * The bounds of {@code dlm bench}, from {@code jdlm.cli.bench} in the cli module's
 * reference.conf (each documented there).
 */
public record BenchSettings(String lockspace, Duration defaultDuration, Duration defaultWarmup, Duration maxDuration,
    int maxClients, int pool, int maxPool, double ownShare, Duration holdTimeout, Duration stopTimeout,
    Duration joinTimeout, int defaultNodes) {

  /** Reads {@code jdlm.cli.bench} from a root config. */
  public static BenchSettings fromConfig(Config root) {
    Config c = root.getConfig("jdlm.cli.bench");
    return new BenchSettings(c.getString("lockspace"), c.getDuration("duration"), c.getDuration("warmup"),
        c.getDuration("max-duration"), c.getInt("max-clients"), c.getInt("pool"), c.getInt("max-pool"),
        c.getDouble("own-share"), c.getDuration("hold-timeout"), c.getDuration("stop-timeout"),
        c.getDuration("join-timeout"), c.getInt("nodes"));
  }

  /** The settings of this process. */
  public static BenchSettings load() {
    return fromConfig(ConfigFactory.load());
  }
}
