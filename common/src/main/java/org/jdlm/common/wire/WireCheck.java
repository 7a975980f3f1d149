package org.jdlm.common.wire;

import java.util.Objects;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;

/**
 * Test helper (in main scope so that every module's tests can use it without a test-jar): checks
 * that a message goes through the jdlm wire format and comes back equal. This is the check that
 * style rule 4 calls "passes verifySerialization".
 *
 * <pre>
 *   WireCheck.verifySerialization(testKit.system(), new LockResource.Request(...));
 * </pre>
 * Failures are {@link AssertionError}s whose message names the class and what went wrong.
 */
public final class WireCheck {

  private WireCheck() {}

  /**
   * Serializes {@code message} with {@code system}'s serialization, checks that it is a
   * {@link WireMessage} handled by {@link KryoWireSerializer}, reads it back and asserts that the
   * copy equals the original. Returns the copy.
   */
  public static <T> T verifySerialization(org.apache.pekko.actor.typed.ActorSystem<?> system, T message) {
    T copy = roundTrip(system, message);
    if (!Objects.equals(message, copy)) {
      throw new AssertionError(message.getClass().getName() + " does not survive the wire unchanged:"
          + "\n  sent:     " + message + "\n  received: " + copy);
    }
    return copy;
  }

  /**
   * Like {@link #verifySerialization} without the equality check, for messages whose
   * {@code equals} cannot hold across a copy (for example records with array fields): the caller
   * compares what matters.
   */
  @SuppressWarnings("unchecked")
  public static <T> T roundTrip(org.apache.pekko.actor.typed.ActorSystem<?> system, T message) {
    ActorSystem classic = Adapter.toClassic(system);
    if (!(message instanceof WireMessage)) {
      throw new AssertionError(message.getClass().getName() + " does not implement "
          + WireMessage.class.getName() + ", so it would not use the jdlm wire format");
    }
    Serialization serialization = SerializationExtension.get(classic);
    Serializer serializer = serialization.findSerializerFor(message);
    if (!(serializer instanceof KryoWireSerializer)) {
      throw new AssertionError(message.getClass().getName() + " is bound to "
          + serializer.getClass().getName() + " instead of " + KryoWireSerializer.class.getName()
          + "; check pekko.actor.serialization-bindings");
    }
    byte[] bytes;
    Object copy;
    try {
      // serialize/deserialize set the transport information, so actor refs are written with the
      // system's own address, as they would be when sent to another node.
      bytes = serialization.serialize(message).get();
      copy = serialization.deserialize(bytes, serializer.identifier(), "").get();
    } catch (WireFormatException e) {
      throw new AssertionError(message.getClass().getName() + " cannot cross the wire: "
          + e.getMessage(), e);
    }
    if (copy == null || copy.getClass() != message.getClass()
        && !sameFamily(message.getClass(), copy.getClass())) {
      throw new AssertionError(message.getClass().getName() + " came back as "
          + (copy == null ? "null" : copy.getClass().getName()));
    }
    return (T) copy;
  }

  private static boolean sameFamily(Class<?> sent, Class<?> received) {
    Class<?> family = WireFormat.familyOf(sent);
    return family != null && family.isAssignableFrom(received);
  }
}
