package org.jdlm.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The parser's bounds come from reference.conf and can be overridden like any setting. */
class LimitsTest {

  @Test
  void referenceConfDeclaresEveryScenarioLimit() {
    assertThat(ScenarioParser.Limits.fromConfig(ConfigFactory.defaultReference()))
        .isEqualTo(new ScenarioParser.Limits(32, 256, Duration.ofHours(1), 50));
  }

  @Test
  void anOverrideChangesWhatTheParserAccepts() throws Exception {
    var config = ConfigFactory.parseString("jdlm.cli.scenario.max-nodes = 64")
        .withFallback(ConfigFactory.defaultReference());
    assertThat(ScenarioParser.parse("x", "nodes 64\n", ScenarioParser.Limits.fromConfig(config))
        .header().nodes()).isEqualTo(64);
  }
}
