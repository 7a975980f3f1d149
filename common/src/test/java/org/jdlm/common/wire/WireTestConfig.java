package org.jdlm.common.wire;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/** Configuration shared by the wire tests. */
final class WireTestConfig {

  private WireTestConfig() {}

  /** The default configuration plus the test messages' registrations. */
  static Config withTestRegistrations() {
    return ConfigFactory.parseString("""
        jdlm.wire.registrations.tests = "org.jdlm.common.wire.TestWire"
        pekko.loglevel = INFO
        """).withFallback(ConfigFactory.load());
  }

  /** A registry over the default configuration plus the test messages, built without Pekko. */
  static WireRegistry registry() {
    return WireRegistry.fromConfig(withTestRegistrations(), WireTestConfig.class.getClassLoader());
  }
}
