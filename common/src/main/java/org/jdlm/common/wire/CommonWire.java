package org.jdlm.common.wire;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code common}'s wire registrations (ids 100-199). Besides common's own value types, this is
 * where JDK value classes that messages of every module may carry get their ids, so that no two
 * modules register the same JDK class.
 */
public final class CommonWire implements WireRegistrations {

  @Override public void register(Registrar registrar) {
    // 100-119: JDK value types shared by all modules (Kryo's default serializers for them).
    registrar.register(Optional.class, 100)
        .register(UUID.class, 101)
        .register(Duration.class, 102)
        .register(Instant.class, 103)
        .register(long[].class, 104)
        .register(int[].class, 105);
    // 120-199: common's own value types.
  }
}
