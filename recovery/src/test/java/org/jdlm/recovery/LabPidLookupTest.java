package org.jdlm.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.jdlm.fencing.FenceAgent;
import org.jdlm.fencing.PowerAgent;
import org.jdlm.fencing.core.FenceOperation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabPidLookupTest {

  private static FenceOperation.Target target(String node, long incarnation) {
    return new FenceOperation.Target(node, incarnation, "pekko://jdlm@127.0.0.1:1", 0);
  }

  @Test
  void aFenceOfAnOldIncarnationNeverNamesTheRestartedProcess(@TempDir Path dir) throws Exception {
    long self = ProcessHandle.current().pid();
    Files.writeString(dir.resolve("n3.pid"), self + " " + ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli());
    Files.writeString(dir.resolve("n3.incarnations"), "4242 111\n" + self + " 222\n");
    LabPidLookup lookup = new LabPidLookup(dir);
    assertThat(lookup.forTarget(target("n3", 111))).isEqualTo(OptionalLong.of(4242)); // the old process, not ours
    assertThat(lookup.forTarget(target("n3", 222))).isEqualTo(OptionalLong.of(self));
    assertThat(lookup.forTarget(target("n3", 999))).isEqualTo(OptionalLong.of(PowerAgent.REPLACED));
  }

  @Test
  void withoutAnnouncementsThePidFileDecidesAsBefore(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("n2.pid"), "999999999 0");
    assertThat(new LabPidLookup(dir).forTarget(target("n2", 5))).isEqualTo(OptionalLong.of(999999999));
    assertThat(new LabPidLookup(dir).forTarget(target("../n2", 5))).isEmpty();
  }

  @Test
  void thePowerAgentConfirmsAReplacedIncarnationWithoutRunningItsCommand() throws Exception {
    PowerAgent.Settings settings = PowerAgent.Settings.fromConfig(com.typesafe.config.ConfigFactory.load());
    PowerAgent agent = new PowerAgent("power", Runnable::run, settings, t -> OptionalLong.of(PowerAgent.REPLACED));
    FenceAgent.Result r = agent.fence(target("n3", 111)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(r).isInstanceOf(FenceAgent.Done.class);
    assertThat(r.toString()).contains("runs no process any more");
  }
}
