package org.jdlm.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The lab's fencing choice, read back the way a member reads its -D options over jdlm-node.conf. */
class LabFencingTest {

  @ParameterizedTest(name = "{0} -> agents {1}, require {2}")
  @CsvSource({"power, power, any", "storage, storage, any", "both, storage;power, all", "BOTH, storage;power, all"})
  void eachChoiceSelectsItsAgentsOverTheNodeDefaults(String choice, String agents, String require) {
    Properties props = new Properties();
    for (String option : LabFencing.parse("test", choice).memberOptions()) {
      String kv = option.substring("-D".length());
      props.setProperty(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
    }
    Config node = ConfigFactory.parseResources("jdlm-node.conf");
    Config member = ConfigFactory.parseProperties(props).withFallback(node).resolve();
    assertThat(member.getStringList("jdlm.fencing.agents")).isEqualTo(List.of(agents.split(";")));
    assertThat(member.getString("jdlm.fencing.require")).isEqualTo(require);
  }

  @org.junit.jupiter.api.Test
  void theChoiceOfClusterUpIsRememberedForRestartsAndForgottenByAnUpWithoutIt(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    assertThat(LabFencing.recorded(dir)).isEmpty();
    LabFencing.remember(dir, java.util.Optional.of(LabFencing.STORAGE));
    assertThat(LabFencing.recorded(dir)).contains(LabFencing.STORAGE);
    LabFencing.remember(dir, java.util.Optional.empty());
    assertThat(LabFencing.recorded(dir)).isEmpty();
  }

  @org.junit.jupiter.api.Test
  void anUnknownChoiceIsRefusedWithTheValue() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> LabFencing.parse("cluster up", "fire"))
        .hasMessage("cluster up: unknown --fencing 'fire' (expected power, storage or both)");
  }
}
