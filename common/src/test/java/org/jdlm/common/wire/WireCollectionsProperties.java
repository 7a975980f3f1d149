package org.jdlm.common.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.jdlm.common.wire.TestMessages.Bag;

/** The collection families, driven by random content through a bare Kryo (no ActorSystem). */
class WireCollectionsProperties {

  private static final WireRegistry REGISTRY = WireTestConfig.registry();

  private static Kryo kryo() {
    Serializer<Object> noRefs = new Serializer<>() {
      @Override public void write(Kryo kryo, Output output, Object object) {
        throw new AssertionError("no actor refs in these messages");
      }

      @Override public Object read(Kryo kryo, Input input, Class<? extends Object> type) {
        throw new AssertionError("no actor refs in these messages");
      }
    };
    return WireFormat.newKryo(REGISTRY, noRefs, noRefs, 64);
  }

  private static Object roundTrip(Object message) {
    Kryo kryo = kryo();
    Output output = new Output(256, -1);
    kryo.writeClassAndObject(output, message);
    Input input = new Input(output.toBytes());
    Object copy = kryo.readClassAndObject(input);
    assertThat(input.position()).isEqualTo(input.limit());
    return copy;
  }

  @Property(tries = 200)
  void anyBagOfCollectionsRoundTripsEqualAndInOrder(
      @ForAll @Size(max = 20) List<String> strings,
      @ForAll @Size(max = 20) Set<Integer> ints,
      @ForAll @Size(max = 20) Map<String, Long> longs,
      @ForAll @Size(max = 5) List<@Size(max = 5) List<Integer>> nested) {
    // Mutable, ordered sources: the copy must keep the order although it is a different class.
    Bag bag = new Bag(new ArrayList<>(strings), new LinkedHashSet<>(ints), new LinkedHashMap<>(longs),
        new ArrayList<>(nested));

    Bag copy = (Bag) roundTrip(bag);

    assertThat(copy).isEqualTo(bag);
    assertThat(copy.ints()).containsExactlyElementsOf(bag.ints());
    assertThat(copy.longs().keySet()).containsExactlyElementsOf(bag.longs().keySet());
  }

  @Property(tries = 100)
  void byteArraysOfAnyLengthRoundTrip(@ForAll @Size(max = 5000) byte[] bytes) {
    TestMessages.Blob copy = (TestMessages.Blob) roundTrip(new TestMessages.Blob(bytes, new long[0]));

    assertThat(copy.bytes()).containsExactly(bytes);
  }
}
