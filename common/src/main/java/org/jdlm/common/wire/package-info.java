/**
 * The wire format: every message that crosses nodes implements {@link org.jdlm.common.wire.WireMessage}
 * and is written by {@link org.jdlm.common.wire.KryoWireSerializer} as a registered class id plus
 * Kryo fields. Each module lists its classes once, in its {@link org.jdlm.common.wire.WireRegistrations}
 * (named under {@code jdlm.wire.registrations} in its {@code reference.conf}), inside its id range;
 * {@link org.jdlm.common.wire.WireRegistry} checks the union at start-up. Unregistered classes are
 * refused on both sides, never sent by name or through Java serialization (brief §3 "Wire format").
 * Tests use {@link org.jdlm.common.wire.WireCheck#verifySerialization} for style rule 4.
 */
package org.jdlm.common.wire;
