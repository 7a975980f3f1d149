package org.jdlm.fencing;

import org.jdlm.common.wire.WireRegistrations;
import org.jdlm.fencing.store.StoreProbe;

/**
 * {@code fencing}'s wire registrations (ids 600-699). Ids are part of the wire format and of the
 * stored journal: never renumber or reuse one.
 */
public final class FencingWire implements WireRegistrations {

  @Override public void register(Registrar registrar) {
    // 600-609: the shared store's smoke probe (org.jdlm.fencing.store).
    registrar.register(StoreProbe.Append.class, 600)
        .register(StoreProbe.Read.class, 601)
        .register(StoreProbe.Events.class, 602)
        .register(StoreProbe.Refused.class, 603)
        .register(StoreProbe.Appended.class, 604);
  }
}
