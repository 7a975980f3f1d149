package org.jdlm.common.wire;

/**
 * Marker for every message that may cross from one node to another.
 *
 * <p>{@code common}'s {@code reference.conf} binds this interface to {@link KryoWireSerializer}
 * ({@code pekko.actor.serialization-bindings}), so a message that implements it is written with Kryo
 * and a class id, never with Java serialization or a class name. Implementing it is not enough: the
 * concrete class (and every record or enum it carries) must also be registered in its module's
 * {@link WireRegistrations}, or sending it fails with a {@link WireFormatException} naming the class.
 */
public interface WireMessage {}
