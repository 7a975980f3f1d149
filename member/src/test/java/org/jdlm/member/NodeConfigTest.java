package org.jdlm.member;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jdlm.recovery.NodeName;
import org.junit.jupiter.api.Test;

class NodeConfigTest {
  private final Config config = NodeConfig.build(new NodeSettings("n2", new HostPort("127.0.0.1", 40003),
      List.of(new HostPort("127.0.0.1", 40001), new HostPort("127.0.0.1", 40003)), 40004, Path.of("/tmp/n2")));

  @Test
  void commandLineSetsAddressSeedsAndNameRole() {
    assertThat(config.getInt("pekko.remote.artery.canonical.port")).isEqualTo(40003);
    assertThat(config.getStringList("pekko.cluster.seed-nodes"))
        .containsExactly("pekko://jdlm@127.0.0.1:40001", "pekko://jdlm@127.0.0.1:40003");
    assertThat(config.getStringList("pekko.cluster.roles")).containsExactly("node:n2");
  }

  @Test
  void labDefaultsOverridePekkoReferenceForFailureHandling() {
    assertThat(config.getString("pekko.actor.provider")).isEqualTo("cluster");
    assertThat(config.getString("pekko.cluster.downing-provider-class"))
        .isEqualTo("org.jdlm.fencing.UpOnlyDowningProvider"); // the SBR, started once this member is Up
    assertThat(config.getString("pekko.cluster.split-brain-resolver.active-strategy")).isEqualTo("keep-majority");
    assertThat(config.getDuration("pekko.cluster.split-brain-resolver.stable-after")).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.getDuration("pekko.cluster.failure-detector.acceptable-heartbeat-pause"))
        .isEqualTo(Duration.ofSeconds(2));
    // `dlm node` exits itself after termination, with a status that says why.
    assertThat(config.getBoolean("pekko.coordinated-shutdown.exit-jvm")).isFalse();
  }

  @Test
  void nameRoleRoundTrips() {
    assertThat(NodeName.fromRoles(List.of("dc-default", NodeName.role("n7")))).contains("n7");
    assertThat(NodeName.fromRoles(List.of("dc-default"))).isEmpty();
    assertThat(NodeName.problem("n1")).isNull();
    assertThat(NodeName.problem("../x")).contains("invalid");
  }
}
