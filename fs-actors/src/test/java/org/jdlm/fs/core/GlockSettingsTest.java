package org.jdlm.fs.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

/** reference.conf carries GFS2's defaults, and bad bounds are refused with the reason. */
class GlockSettingsTest {

  private final Config config = ConfigFactory.load();

  @Test
  void referenceConfHasGfs2Defaults() {
    assertThat(org.jdlm.fs.FsSettings.glock(config.getConfig("jdlm.fs.glock"))).isEqualTo(GlockSettings.defaults());
    assertThat(org.jdlm.fs.FsSettings.glockLru(config.getConfig("jdlm.fs.glock-lru")))
        .isEqualTo(new GlockLru.Settings(100000, 128, 0));
  }

  @Test
  void badBoundsAreRefusedWithTheValues() {
    assertThatThrownBy(() -> new GlockSettings(50, 100, 50, 25, 1000, 10, 100))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("min-hold-time (100 ms)");
    assertThatThrownBy(() -> new GlockSettings(200, 100, 50, 25, 1000, 0, 100))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max-holders (0)");
  }
}
