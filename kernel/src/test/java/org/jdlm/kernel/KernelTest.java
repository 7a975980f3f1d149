package org.jdlm.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jdlm.kernel.KernelFixture.PAGE;
import static org.jdlm.kernel.KernelFixture.until;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.GfpMask;
import org.jdlm.kernel.core.HungTaskCheck;
import org.jdlm.kernel.core.ManualClock;
import org.jdlm.kernel.core.TaskState;
import org.jdlm.kernel.core.WaitEdge;
import org.junit.jupiter.api.Test;

class KernelTest {

  @Test
  void referenceConfigurationLoadsAndBadValuesNameTheirKey() {
    Kernel.Settings defaults = Kernel.Settings.from(ConfigFactory.defaultReference());
    assertThat(defaults.memory().totalPages()).isEqualTo(65536);
    assertThat(defaults.hungTaskTimeout()).isEqualTo(Duration.ofSeconds(120));
    assertThat(defaults.workerBytes()).isEqualTo(8192);
    assertThatThrownBy(() -> Kernel.Settings.from(ConfigFactory.parseString("jdlm.kernel.memory.reclaim.batch = 0")
        .withFallback(ConfigFactory.defaultReference())))
        .hasMessageContaining("jdlm.kernel.memory.reclaim.batch must be positive, got 0");
    assertThatThrownBy(() -> Kernel.Settings.from(ConfigFactory.parseString("jdlm.kernel.memory.dirty.background-percent = 30")
        .withFallback(ConfigFactory.defaultReference())))
        .hasMessageContaining("background-percent 30");
  }

  @Test
  void khungtaskdReportsALongWaitOnItsOwn() {
    Kernel.Settings settings = Kernel.Settings.from(ConfigFactory.parseString("""
        jdlm.kernel.watchdog { check-interval = 5ms, hung-task-timeout = 120s }
        jdlm.kernel.memory.kswapd.enabled = off
        """).withFallback(ConfigFactory.defaultReference()));
    ManualClock clock = new ManualClock();
    try (Kernel kernel = Kernel.start("n2", settings, clock, true)) {
      List<HungTaskCheck.HungTask> reports = new CopyOnWriteArrayList<>();
      kernel.onHungTask(reports::add);
      kernel.spawn("cp", Set.of(), () -> Task.current().await(
          WaitEdge.of(EdgeKind.WAITS_DLM_RUNNING, "", "ls:gfs2fs"), new CompletableFuture<>()));
      until(() -> kernel.tasks().stream().anyMatch(t -> t.name().equals("cp") && t.state() == TaskState.WAITING),
          "cp to wait");
      clock.advance(Duration.ofSeconds(121));
      until(() -> !reports.isEmpty(), "khungtaskd to report cp");
      assertThat(reports).singleElement().satisfies(h -> assertThat(h.task().name()).isEqualTo("cp"));
      assertThat(kernel.tasks()).filteredOn(t -> t.name().equals("khungtaskd"))
          .singleElement().satisfies(t -> assertThat(t.state()).isIn(TaskState.IDLE, TaskState.RUNNING));
    }
  }

  @Test
  void kswapdWithNothingToReclaimGivesUpUntilPagesAreFreed() {
    try (KernelFixture f = new KernelFixture("jdlm.kernel.memory.kswapd.max-failures = 3\n")) {
      Allocation hog = f.hog(85); // free 15 < low: kswapd wakes, finds no shrinker
      until(() -> f.memory().snapshot().kswapd().contains("gave up"), "kswapd to give up");
      assertThat(f.memory().snapshot().counters().kswapdRounds()).isEqualTo(3);
      assertThat(f.task("kswapd0").state()).isIn(TaskState.IDLE, TaskState.RUNNING);
      assertThat(f.memory().allocate(PAGE, GfpMask.NOWAIT)).isInstanceOf(Allocation.class);
      assertThat(f.memory().snapshot().counters().kswapdRounds()).as("not woken while hopeless").isEqualTo(3);
      hog.close();
      assertThat(f.memory().snapshot().kswapd()).doesNotContain("gave up");
    }
  }

  @Test
  void layersAddFactsBesideTheRegistryAndABrokenLayerHidesNoOneElse() throws Exception {
    Kernel.Settings settings = Kernel.Settings.from(ConfigFactory.parseString(
        "jdlm.kernel.memory.kswapd.enabled = off").withFallback(ConfigFactory.defaultReference()));
    ManualClock clock = new ManualClock();
    try (Kernel kernel = Kernel.start("n1", settings, clock, false)) {
      org.jdlm.kernel.core.waits.Vertex ls = org.jdlm.kernel.core.waits.Vertex.lockspace("gfs2fs");
      org.jdlm.kernel.core.waits.Vertex fence = org.jdlm.kernel.core.waits.Vertex.fence("n1", "n3");
      AutoCloseable handle = kernel.addFactSource("dlm", (sink, toDetector) -> sink
          .state(ls, "STOPPED gen 7").waits(ls, EdgeKind.WAITS_FENCING, "n3", fence));
      kernel.addFactSource("broken", (sink, toDetector) -> {
        throw new IllegalStateException("feeding bug");
      });
      assertThatThrownBy(() -> kernel.addFactSource("dlm", (sink, toDetector) -> { }))
          .hasMessageContaining("fact source 'dlm' is already registered");

      org.jdlm.kernel.core.waits.WaitGraph.Builder b = org.jdlm.kernel.core.waits.WaitGraph.builder();
      kernel.feedWaits(clock.nanos(), b);
      org.jdlm.kernel.core.waits.WaitGraph g = b.build();
      assertThat(g.out(ls)).singleElement().satisfies(e -> assertThat(e.to()).isEqualTo(fence));
      assertThat(g.withState(ls)).contains("STOPPED gen 7");
      assertThat(g.vertices()).contains(org.jdlm.kernel.core.waits.Vertex.mem("n1"));

      handle.close();
      org.jdlm.kernel.core.waits.WaitGraph.Builder after = org.jdlm.kernel.core.waits.WaitGraph.builder();
      kernel.feedWaits(clock.nanos(), after);
      assertThat(after.build().vertices()).doesNotContain(ls);
    }
  }
}
