package org.jdlm.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdlm.dlm.api.FencingPort;
import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.core.TaskSnapshot;
import org.jdlm.kernel.core.waits.Edge;
import org.jdlm.kernel.core.waits.Vertex;
import org.jdlm.kernel.core.waits.WaitGraph;
import org.junit.jupiter.api.Test;

/** The fence agent as a kernel task: its memory, its facts, one agent per target, and the fix switches. */
class KernelFencingTest {

  /** A fence device that answers when the test says so, counting runs. */
  private static final class Device implements FencingPort {
    final CompletableFuture<Long> answer = new CompletableFuture<>();
    final AtomicInteger runs = new AtomicInteger();

    @Override
    public CompletionStage<Long> fence(String node, String address, long incarnation) {
      runs.incrementAndGet();
      return answer;
    }

    @Override
    public CompletionStage<Long> advanceGeneration(long atLeast, String reason) {
      return CompletableFuture.completedFuture(atLeast);
    }
  }

  private static Kernel kernel() {
    return Kernel.start("n1", Kernel.Settings.from(ConfigFactory.parseString("""
        jdlm.kernel.memory { total-pages = 128, page-size = 4096, min-pages = 8, low-pages = 12, high-pages = 16 }
        jdlm.kernel.memory.kswapd.enabled = off
        """).withFallback(ConfigFactory.defaultReference()).resolve()), Kernel.systemClock(), false);
  }

  private static KernelFencing.Settings settings(String overrides) {
    return KernelFencing.Settings.fromConfig(ConfigFactory.parseString("jdlm.fencing.memory.working-bytes = 64KiB\n"
        + overrides).withFallback(ConfigFactory.defaultReference()).resolve());
  }

  private static void until(String what, java.util.function.BooleanSupplier c) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 10 s: " + what);
      }
      Thread.sleep(5);
    }
  }

  private static TaskSnapshot agent(Kernel k) {
    return k.tasks().stream().filter(t -> t.name().equals("fence_agent")).findFirst().orElse(null);
  }

  @Test
  void theAgentIsAKernelTaskHoldingItsWorkingMemoryAndTheFenceIsRunByIt() throws Exception {
    try (Kernel k = kernel()) {
      Device device = new Device();
      try (KernelFencing f = new KernelFencing(k, device, settings(""), id -> id.equals("h:3") ? "n3" : id)) {
        long free = k.memory().freePages();
        CompletableFuture<Long> first = f.fence("h:3", "pekko://x@h:3", 7).toCompletableFuture();
        CompletableFuture<Long> second = f.fence("h:3", "pekko://x@h:3", 7).toCompletableFuture();
        until("the agent waiting for the device", () -> agent(k) != null && agent(k).waitEdge() != null);
        assertThat(agent(k).waitEdge().label()).isEqualTo("waits-reply(fence n3)");
        assertThat(k.memory().freePages()).as("16 pages of working memory held").isEqualTo(free - 16);

        WaitGraph.Builder b = WaitGraph.builder();
        k.feedWaits(0, b);
        WaitGraph g = b.build();
        Vertex fence = Vertex.fence("n1", "n3");
        assertThat(g.out(fence)).extracting(Edge::to).containsExactly(Vertex.local("n1", agent(k).endpoint()));
        assertThat(g.withState(fence)).isEqualTo("n1/fence:n3[actor=n1 agent=#" + agent(k).id() + "]");

        device.answer.complete(42L);
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(42L);
        assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(42L);
        assertThat(device.runs).as("one agent for both lockspaces' requests").hasValue(1);
        until("memory freed and the agent gone", () -> k.memory().freePages() == free && agent(k) == null);
        WaitGraph.Builder after = WaitGraph.builder();
        k.feedWaits(0, after);
        assertThat(after.build().vertices()).doesNotContain(fence);
      }
    }
  }

  @Test
  void withAReserveTheAgentTakesThePoolAndNoAgentRunsUnderWatchdogFencing() throws Exception {
    try (Kernel k = kernel()) {
      Device device = new Device();
      device.answer.complete(1L);
      try (KernelFencing f = new KernelFencing(k, device, settings("jdlm.fencing.memory.reserve = 1"), id -> id)) {
        assertThat(f.fence("n3", "a", 1).toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(1L);
        assertThat(k.memory().snapshot().mempools()).singleElement().satisfies(p -> {
          assertThat(p.name()).isEqualTo("fence");
          assertThat(p.served()).isEqualTo(1);
        });
      }
      KernelFencing.Settings watchdog = settings("jdlm.fencing.watchdog-fencing { enabled = on, timeout = 200ms }");
      assertThat(watchdog.fixSwitches()).isEqualTo(List.of("watchdog-fencing"));
      try (KernelFencing f = new KernelFencing(k, device, watchdog, id -> id)) {
        long start = System.nanoTime();
        assertThat(f.fence("n3", "a", 2).toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(1L);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(200_000_000L);
        assertThat(agent(k)).isNull();
      }
    }
  }

  @Test
  void anAgentWithoutMemoryFailsTheFenceWithTheReason() throws Exception {
    try (Kernel k = Kernel.start("n1", Kernel.Settings.from(ConfigFactory.parseString("""
        jdlm.kernel.memory { total-pages = 16, page-size = 4096, min-pages = 2, low-pages = 3, high-pages = 4 }
        jdlm.kernel.memory.kswapd.enabled = off
        jdlm.kernel.memory.reclaim { max-retries = 2, retry-wait = 10ms }
        """).withFallback(ConfigFactory.defaultReference()).resolve()), Kernel.systemClock(), false)) {
      try (KernelFencing f = new KernelFencing(k, new Device(), settings(""), id -> id)) {
        CompletableFuture<Long> r = f.fence("n3", "a", 1).toCompletableFuture();
        assertThat(r).failsWithin(java.time.Duration.ofSeconds(10)).withThrowableThat()
            .withMessageContaining("fence agent for n3 on n1 got no working memory");
      }
    }
  }
}
