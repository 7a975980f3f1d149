package org.jdlm.fencing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jdlm.fencing.core.FenceOperation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PowerAgentTest {
  private static final ExecutorService BLOCKING = Executors.newCachedThreadPool();
  private Process victim;

  @AfterEach
  void killVictim() {
    if (victim != null) {
      victim.destroyForcibly();
    }
  }

  @AfterAll
  static void stopPool() {
    BLOCKING.shutdownNow();
  }

  private static FenceOperation.Target target(String node) {
    return new FenceOperation.Target(node, 7, "pekko://jdlm@127.0.0.1:25520", 0);
  }

  private static PowerAgent agent(List<String> command, Duration timeout, java.util.function.Function<String, OptionalLong> pids) {
    return new PowerAgent("power", new PowerAgent.Settings(command, timeout, true, Duration.ofSeconds(10)), pids, BLOCKING);
  }

  private static FenceAgent.Result run(PowerAgent agent, String node) throws Exception {
    return agent.fence(target(node)).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void killsARealProcessFoundThroughTheSupervisorsPidFileAndConfirmsItIsGone(@TempDir Path runDir) throws Exception {
    victim = new ProcessBuilder("sleep", "60").start();
    Files.writeString(runDir.resolve("n3.pid"), victim.pid() + "\n");
    PowerAgent agent = agent(List.of("kill", "-KILL", "{pid}"), Duration.ofSeconds(10), PidFiles.inDirectory(runDir));

    FenceAgent.Result result = run(agent, "n3");

    assertThat(result).isInstanceOfSatisfying(FenceAgent.Done.class,
        d -> assertThat(d.detail()).contains(Long.toString(victim.pid())).contains("gone"));
    assertThat(victim.isAlive()).isFalse();
    assertThat(ProcessHandle.of(victim.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void aFailingCommandIsAFailureWithItsExitCode() throws Exception {
    victim = new ProcessBuilder("sleep", "60").start();
    long pid = victim.pid();
    PowerAgent agent = agent(List.of("sh", "-c", "echo no BMC for {node} >&2; exit 3"), Duration.ofSeconds(10),
        n -> OptionalLong.of(pid));
    FenceAgent.Result result = run(agent, "n3");
    assertThat(result).isInstanceOfSatisfying(FenceAgent.Failed.class, f ->
        assertThat(f.reason()).contains("exited 3").contains("no BMC for n3"));
    assertThat(victim.isAlive()).isTrue();
  }

  @Test
  void aCommandThatHangsIsKilledAtItsTimeout() throws Exception {
    victim = new ProcessBuilder("sleep", "60").start();
    long pid = victim.pid();
    PowerAgent agent = agent(List.of("sleep", "30"), Duration.ofMillis(300), n -> OptionalLong.of(pid));
    FenceAgent.Result result = run(agent, "n3");
    assertThat(result).isInstanceOfSatisfying(FenceAgent.Failed.class,
        f -> assertThat(f.reason()).contains("did not exit within"));
  }

  @Test
  void withoutAKnownPidThePidCommandIsNotRun(@TempDir Path runDir) throws Exception {
    PowerAgent agent = agent(List.of("kill", "-KILL", "{pid}"), Duration.ofSeconds(10), PidFiles.inDirectory(runDir));
    assertThat(run(agent, "n5")).isInstanceOfSatisfying(FenceAgent.Failed.class,
        f -> assertThat(f.reason()).contains("no pid known for node n5"));
  }

  @Test
  void aVictimAlreadyGoneCountsAsFenced() throws Exception {
    Process dead = new ProcessBuilder("true").start();
    dead.waitFor();
    PowerAgent agent = agent(List.of("kill", "-KILL", "{pid}"), Duration.ofSeconds(10), n -> OptionalLong.of(dead.pid()));
    assertThat(run(agent, "n3")).isInstanceOfSatisfying(FenceAgent.Done.class,
        d -> assertThat(d.detail()).contains("already gone"));
  }

  @Test
  void placeholdersAreSubstitutedPerArgument(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("out");
    PowerAgent agent = new PowerAgent("power", new PowerAgent.Settings(
        List.of("sh", "-c", "printf '%s %s %s' \"$0\" \"$1\" \"$2\" > " + out, "{node}", "{incarnation}", "{address}"),
        Duration.ofSeconds(10), false, Duration.ofSeconds(1)), n -> OptionalLong.empty(), BLOCKING);
    assertThat(run(agent, "n3; rm -rf /")).isInstanceOf(FenceAgent.Done.class);
    // The node name arrives as one argument; nothing was interpreted by a shell.
    assertThat(Files.readString(out)).isEqualTo("n3; rm -rf / 7 pekko://jdlm@127.0.0.1:25520");
  }

  @Test
  void pidFilesRejectNamesThatArePaths(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("n1.pid"), "42");
    assertThat(PidFiles.inDirectory(dir).apply("n1")).hasValue(42);
    assertThat(PidFiles.inDirectory(dir).apply("../n1")).isEmpty();
  }
}
