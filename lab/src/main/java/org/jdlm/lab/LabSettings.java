package org.jdlm.lab;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The lab supervisor's bounds, from {@code jdlm.cli.lab} in the cli module's reference.conf. */
public record LabSettings(
    Path defaultDir,
    int maxNodes,
    Duration upTimeout,
    Duration restartTimeout,
    Duration controlTimeout,
    Duration pollInterval,
    Duration downGrace,
    Duration killTimeout,
    List<String> memberJvmOptions,
    Duration storeStartTimeout,
    List<String> storeJvmOptions) {

  public LabSettings {
    memberJvmOptions = List.copyOf(memberJvmOptions);
    storeJvmOptions = List.copyOf(storeJvmOptions);
  }

  /** Reads {@code jdlm.cli.lab} from a root config. */
  public static LabSettings fromConfig(Config root) {
    Config c = root.getConfig("jdlm.cli.lab");
    return new LabSettings(Path.of(c.getString("default-dir")), c.getInt("max-nodes"), c.getDuration("up-timeout"),
        c.getDuration("restart-timeout"), c.getDuration("control-timeout"), c.getDuration("poll-interval"),
        c.getDuration("down-grace"), c.getDuration("kill-timeout"), c.getStringList("member-jvm-options"),
        c.getDuration("store.start-timeout"), c.getStringList("store.jvm-options"));
  }

  /** The settings of this process (reference.conf, application.conf, -D). */
  public static LabSettings load() {
    return fromConfig(ConfigFactory.load());
  }
}
