package org.jdlm.common.wire;

import com.esotericsoftware.kryo.KryoException;

/**
 * A message could not be written to or read from the jdlm wire format: its class (or a class inside
 * it) is not registered, the bytes name an id nobody registered, or the bytes are malformed.
 *
 * <p>It extends {@link KryoException} so that Kryo appends the field path it was working on
 * ("Serialization trace: replyTo (org.jdlm...Request)") to the message while the exception travels
 * up through nested records.
 */
public final class WireFormatException extends KryoException {

  WireFormatException(String message) {
    super(message);
  }

  WireFormatException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The message for a class that nobody registered; {@code hint} says where to register it. */
  static WireFormatException unregistered(Class<?> type, String hint) {
    return new WireFormatException("class " + type.getName()
        + " is not registered for the jdlm wire format, so it cannot be sent between nodes: " + hint);
  }

  /** Raised while reading, before any object of the unknown class could be created. */
  static WireFormatException unknownId(int id) {
    return new WireFormatException("the bytes name class id " + id
        + ", which no module registered; the sender runs a build with registrations this node lacks,"
        + " or the bytes are corrupt. Nothing was instantiated.");
  }
}
