package org.jdlm.common.wire;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorRef;

/** Messages used by the wire tests; registered by {@link TestWire} in the tests range. */
final class TestMessages {

  private TestMessages() {}

  enum Color {
    RED, GREEN,
    /** A constant with a body is a subclass of Color: it must still travel as Color. */
    BLUE {
      @Override public String toString() {
        return "blue";
      }
    }
  }

  record Inner(long id, Color color, Optional<String> note) {}

  /** A message with every supported shape of field. */
  record Ping(String text, int count, Inner inner, List<Inner> inners, Set<String> tags,
      Map<String, Integer> counts, EnumSet<Color> colors, Set<Color> colorsAsSet,
      ActorRef<Pong> replyTo) implements WireMessage {}

  record Pong(String text) implements WireMessage {}

  /** Arrays have no value equality, so this one is compared field by field. */
  record Blob(byte[] bytes, long[] longs) implements WireMessage {}

  record Bag(List<String> strings, Set<Integer> ints, Map<String, Long> longs, List<List<Integer>> nested)
      implements WireMessage {}

  /** Implements WireMessage but is registered nowhere. */
  record Stranger(String text) implements WireMessage {}

  /** A registered message that carries an unregistered one inside. */
  record Envelope(Object payload) implements WireMessage {}

  /** Set when {@link Tripwire} is initialised: proves that reading refused before loading it. */
  static final AtomicBoolean TRIPWIRE_LOADED = new AtomicBoolean();

  record Tripwire(String text) implements WireMessage {
    static {
      TRIPWIRE_LOADED.set(true);
    }
  }
}
