package org.jdlm.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.jdlm.kernel.core.waits.LivelockMonitor;
import org.jdlm.kernel.core.waits.Vertex;
import org.jdlm.kernel.core.waits.WaitGraph;
import org.junit.jupiter.api.Test;

class DetectorSettingsTest {

  @Test
  void referenceConfHasEveryKey() {
    DetectorSettings s = DetectorSettings.from(ConfigFactory.load());
    assertThat(s.stallBound()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.scanInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.breakDeadlocksIn()).isEmpty();
    assertThat(s.livelock()).isEqualTo(new LivelockMonitor.Settings(5_000_000_000L, 100, 1000));
    assertThat(s.deadlock(List.of("F-a1")).stallBoundNanos()).isEqualTo(60_000_000_000L);
  }

  @Test
  void overridesAndBadValuesNameTheirKey() {
    DetectorSettings s = DetectorSettings.from(ConfigFactory.parseString(
        "jdlm.kernel.detector.break-deadlocks-in = [app]").withFallback(ConfigFactory.load()));
    assertThat(s.breakDeadlocksIn()).isEqualTo(Set.of("app"));
    assertThatThrownBy(() -> DetectorSettings.from(ConfigFactory.parseString(
        "jdlm.kernel.detector.livelock.min-activity = 0").withFallback(ConfigFactory.load())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jdlm.kernel.detector.livelock").hasMessageContaining("min-activity must be positive, got 0");
    assertThatThrownBy(() -> DetectorSettings.from(ConfigFactory.parseString(
        "jdlm.kernel.detector.stall-bound = 0s").withFallback(ConfigFactory.load())))
        .hasMessageContaining("jdlm.kernel.detector.stall-bound must be positive");
  }

  @Test
  void vertexNamesParseAndPrintBack() {
    for (String name : List.of("n1/task:kswapd0", "dlm/ls:gfs2fs", "glock:2/h", "n1/mem", "n2/dlm_controld",
        "n1/downconvert:ino 0x77", "n2/nfs-client:page 0x9f/12", "n1/glock:2/805b", "n1/task:kworker/glock:0#6")) {
      assertThat(Vertex.parse(name).name()).isEqualTo(name);
    }
    assertThat(Vertex.parse("dlm/ls:gfs2fs").member()).isEmpty();
    assertThat(Vertex.parse("glock:2/h").member()).isEmpty();
    assertThat(Vertex.parse("n1/mem").member()).contains("n1");
    assertThat(Vertex.local("n1", "ls:gfs2fs").name()).isEqualTo("dlm/ls:gfs2fs");
    assertThatThrownBy(() -> Vertex.parse("mem")).hasMessageContaining("neither a scope nor a kind:id");
    assertThatThrownBy(() -> WaitGraph.builder().join(Vertex.parse("n1/mem"), org.jdlm.kernel.core.Join.OR)
        .join(Vertex.parse("n1/mem"), org.jdlm.kernel.core.Join.AND)).hasMessageContaining("reported as OR and as AND");
  }
}
