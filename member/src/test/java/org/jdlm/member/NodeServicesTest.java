package org.jdlm.member;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jdlm.recovery.LabPidLookup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Planning a member's services from its command line and configuration, before anything starts. */
class NodeServicesTest {
  private static final String H2_URL = "jdbc:h2:tcp://127.0.0.1:9092/jdlm;WRITE_DELAY=0";

  @TempDir Path tmp;

  private static NodeSettings settings(Optional<String> store, Optional<Path> pidDir) {
    return new NodeSettings("n1", new HostPort("127.0.0.1", 40001), List.of(new HostPort("127.0.0.1", 40001)), 40002,
        Path.of("/tmp/n1"), store, pidDir);
  }

  @Test
  void withoutStoreOptionOrUrlTheMemberRunsWithoutPersistence() {
    NodeSettings s = settings(Optional.empty(), Optional.empty());
    NodeServices.Plan plan = NodeServices.plan(s, NodeConfig.build(s));
    assertThat(plan.store()).isEmpty();
    assertThat(plan.config().hasPath("pekko.persistence.journal.plugin")
        && !plan.config().getString("pekko.persistence.journal.plugin").isEmpty()).isFalse();
  }

  @Test
  void storeOptionSelectsTheJdbcJournalOnThatUrlAndPidDirFeedsThePowerAgent() {
    NodeSettings s = settings(Optional.of(H2_URL), Optional.of(Path.of("/run/lab")));
    NodeServices.Plan plan = NodeServices.plan(s, NodeConfig.build(s));
    assertThat(plan.store()).hasValueSatisfying(st -> assertThat(st.url()).isEqualTo(H2_URL));
    assertThat(plan.config().getString("pekko.persistence.journal.plugin")).isEqualTo("jdbc-journal");
    assertThat(plan.config().getString("pekko-persistence-jdbc.shared-databases.slick.db.url")).isEqualTo(H2_URL);
    assertThat(plan.config().getString("jdlm.fencing.power.pid-dir")).isEqualTo("/run/lab");
    // Lab members try power first (the supervisor's pid files make it real), storage as fallback.
    assertThat(plan.fencing().operation().agents()).containsExactly("power", "storage");
  }

  @Test
  void postgresUrlOnTheCommandLineSwitchesTheKind() {
    NodeSettings s = settings(Optional.of("jdbc:postgresql://db:5432/jdlm"), Optional.empty());
    assertThat(NodeServices.plan(s, NodeConfig.build(s)).store().get().kind().name()).isEqualTo("POSTGRES");
  }

  @Test
  void badStoreOrFencingSettingIsOneCliErrorNamingIt() {
    NodeSettings s = settings(Optional.of("jdbc:h2:tcp://127.0.0.1:9092/jdlm"), Optional.empty());
    assertThatThrownBy(() -> NodeServices.plan(s, NodeConfig.build(s))).isInstanceOf(CliError.class)
        .hasMessageContaining("lacks ;WRITE_DELAY=0");
    NodeSettings ok = settings(Optional.of(H2_URL), Optional.empty());
    Config unknownAgent = NodeConfig.build(ok).withValue("jdlm.fencing.agents", ConfigValueFactory.fromIterable(List.of("ipmi")));
    assertThatThrownBy(() -> NodeServices.plan(ok, unknownAgent)).isInstanceOf(CliError.class)
        .hasMessageContaining("\"ipmi\"");
    Config badTimeout = NodeConfig.build(ok).withValue("jdlm.cli.node.services.admission-timeout",
        ConfigValueFactory.fromAnyRef("1ms"));
    assertThatThrownBy(() -> NodeServices.plan(ok, badTimeout)).isInstanceOf(CliError.class)
        .hasMessageContaining("admission-timeout");
  }

  @Test
  void registrationKeysAreNonZeroAndDifferPerIncarnation() {
    Set<Long> keys = new HashSet<>();
    for (long incarnation = -500; incarnation < 500; incarnation++) {
      long key = NodeServices.registrationKey("n3", incarnation);
      assertThat(key).isNotZero();
      keys.add(key);
    }
    assertThat(keys).hasSize(1000);
    assertThat(NodeServices.registrationKey("n1", 42)).isNotEqualTo(NodeServices.registrationKey("n2", 42));
  }

  @Test
  void pidLookupHandsOutOnlyTheRecordedProcessOrAGonePid() throws Exception {
    LabPidLookup lookup = new LabPidLookup(tmp);
    Process sleeper = new ProcessBuilder("sleep", "30").start();
    try {
      long start = sleeper.toHandle().info().startInstant().map(Instant::toEpochMilli).orElseThrow();
      write("n1", sleeper.pid() + " " + start);
      assertThat(lookup.apply("n1")).hasValue(sleeper.pid());
      // Same pid, another start time: a recycled pid, never handed to `kill -KILL`.
      write("n2", sleeper.pid() + " " + (start - 60_000));
      assertThat(lookup.apply("n2")).isEmpty();
    } finally {
      sleeper.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    // The recorded process is gone: the pid is returned, the agent finds it dead and kills nothing.
    write("n3", sleeper.pid() + " 1");
    assertThat(lookup.apply("n3")).hasValue(sleeper.pid());
    assertThat(lookup.apply("n4")).as("no pid file").isEqualTo(OptionalLong.empty());
    assertThat(lookup.apply("../etc/passwd")).as("not a node name").isEmpty();
    write("n5", "garbage");
    assertThat(lookup.apply("n5")).isEmpty();
  }

  private void write(String node, String content) throws IOException {
    Files.writeString(tmp.resolve(node + ".pid"), content + "\n");
  }

}
