package org.jdlm.scenario.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.jdlm.kernel.Kernel;
import org.jdlm.member.MemberFilesystems;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link FsAgent}'s wire (the parameters of {@code POST /scenario/fs}): bad input is a
 * {@link ScenarioWire.BadRequest} naming the value and the reason (HTTP 400), never an exception
 * from inside the filesystem; and the one-line replies the runner reads.
 */
class FsAgentTest {
  private static ActorTestKit testKit;
  private static Kernel kernel;
  private static FsAgent agent;

  @BeforeAll
  static void start() {
    // No mount here (that needs a cluster: FsScenarioRunnerTest), so a local actor system will do.
    testKit = ActorTestKit.create("fsagent", ConfigFactory.parseString("pekko.actor.provider = local")
        .withFallback(ConfigFactory.load()));
    kernel = Kernel.start("n1", Kernel.Settings.from(ConfigFactory.load()), Kernel.systemClock(), false);
    agent = new FsAgent("n1", new MemberFilesystems(testKit.system(), kernel, ConfigFactory.load()), id -> "n1");
  }

  @AfterAll
  static void stop() {
    kernel.close();
    testKit.shutdownTestKit();
  }

  @Test
  void badRequestsNameTheValueAndTheReason() {
    assertThatThrownBy(() -> agent.fs(Map.of("run", "r1"))).isInstanceOf(ScenarioWire.BadRequest.class)
        .hasMessage("missing parameter 'op'");
    assertThatThrownBy(() -> agent.fs(Map.of("op", "frob", "run", "r1"))).isInstanceOf(ScenarioWire.BadRequest.class)
        .hasMessageContaining("unknown op 'frob'");
    assertThatThrownBy(() -> agent.fs(Map.of("op", "memview", "run", "r 1"))).isInstanceOf(ScenarioWire.BadRequest.class)
        .hasMessageContaining("'r 1'");
    assertThatThrownBy(() -> agent.fs(Map.of("op", "cached", "run", "r1", "fs", "nofs", "ino", "1")))
        .isInstanceOf(ScenarioWire.BadRequest.class).hasMessage("filesystem nofs is not mounted on n1 (mount it first: 'nX mount FS')");
    assertThatThrownBy(() -> agent.fs(Map.of("op", "memory", "run", "r1", "total", "10", "min", "1", "low", "2", "high", "30")))
        .isInstanceOf(ScenarioWire.BadRequest.class).hasMessageContaining("30");
    assertThatThrownBy(() -> agent.fs(Map.of("op", "task", "run", "r1", "task", "T", "call", "alloc", "pages", "1",
        "mask", "GFP_HIGHUSER"))).isInstanceOf(ScenarioWire.BadRequest.class).hasMessageContaining("GFP_HIGHUSER");
    assertThatThrownBy(() -> agent.fs(Map.of("op", "task", "run", "r1", "task", "T", "call", "teleport")))
        .isInstanceOf(ScenarioWire.BadRequest.class).hasMessageContaining("unknown call 'teleport'");
    assertThatThrownBy(() -> agent.fs(Map.of("op", "mount", "run", "r1", "fs", "bad/name")))
        .isInstanceOf(ScenarioWire.BadRequest.class).hasMessageContaining("'bad/name'");
  }

  @Test
  void memoryAndTaskRepliesAreOneLineAndAResetPutsTheBudgetBack() {
    assertThat(agent.fs(Map.of("op", "memory", "run", "r2", "total", "1000", "min", "10", "low", "20", "high", "30")))
        .matches("memory \\d+ 1000 10 20 30");
    assertThat(agent.fs(Map.of("op", "task", "run", "r2", "task", "A", "call", "alloc", "pages", "5", "wait", "5000")))
        .isEqualTo("code OK");
    assertThat(agent.fs(Map.of("op", "taskview", "run", "r2", "task", "A"))).isEqualTo("task done OK");
    assertThat(agent.fs(Map.of("op", "taskview", "run", "r2", "task", "B"))).isEqualTo("notask");
    assertThat(agent.fs(Map.of("op", "reset", "run", "r2"))).isEqualTo("reset");
    assertThat(agent.fs(Map.of("op", "memview", "run", "r3")))
        .endsWith(" " + kernel.settings().memory().totalPages() + " " + kernel.settings().memory().watermarks().min()
            + " " + kernel.settings().memory().watermarks().low() + " " + kernel.settings().memory().watermarks().high());
  }

  @Test
  void aGlockDumpIsReadAsStateAndHoldersInQueueOrder() {
    String dump = """
        G:  s:SH n:2/1 f: t:SH d:EX/0 a:0 v:0 r:1 m:20 p:0
        G:  s:EX n:2/1c00 f:aq t:EX d:EX/0 a:0 v:0 r:3 m:20 p:0
         H: s:EX f:H e:0 p:19 [A] scenario_nq
         H: s:SH f:W e:0 p:20 [B] scenario_nq
        G:  s:UN n:5/1c00 f: t:UN d:EX/0 a:0 v:0 r:1 m:20 p:0
        """;
    assertThat(FsAgent.glockLines(dump, "2/1c00")).isEqualTo("glock EX\nholder A:EX:H\nholder B:SH:W\n");
    assertThat(FsAgent.glockLines(dump, "2/1")).isEqualTo("glock SH\n");
    assertThat(FsAgent.glockLines(dump, "2/1c0")).isEqualTo("noglock");
  }
}
