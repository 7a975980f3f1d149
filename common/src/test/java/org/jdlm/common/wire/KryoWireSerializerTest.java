package org.jdlm.common.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.esotericsoftware.kryo.io.Output;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializationExtension;
import org.jdlm.common.wire.TestMessages.Bag;
import org.jdlm.common.wire.TestMessages.Blob;
import org.jdlm.common.wire.TestMessages.Color;
import org.jdlm.common.wire.TestMessages.Envelope;
import org.jdlm.common.wire.TestMessages.Inner;
import org.jdlm.common.wire.TestMessages.Ping;
import org.jdlm.common.wire.TestMessages.Pong;
import org.jdlm.common.wire.TestMessages.Stranger;
import org.jdlm.common.wire.TestMessages.Tripwire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KryoWireSerializerTest {

  private static ActorTestKit testKit;
  private static KryoWireSerializer serializer;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("KryoWireSerializerTest", WireTestConfig.withTestRegistrations());
    serializer = (KryoWireSerializer) SerializationExtension.get(Adapter.toClassic(testKit.system()))
        .findSerializerFor(new Pong("x"));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static Ping ping(TestProbe<Pong> probe) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("z", 26);
    counts.put("a", 1);
    return new Ping("hello", 42,
        new Inner(7L, Color.BLUE, Optional.of("note")),
        new ArrayList<>(List.of(new Inner(1L, Color.RED, Optional.empty()), new Inner(2L, Color.GREEN, Optional.empty()))),
        new TreeSet<>(Set.of("b", "a")),
        counts,
        EnumSet.of(Color.RED, Color.BLUE),
        EnumSet.of(Color.GREEN),
        probe.ref());
  }

  @Test
  void wireMessagesAreBoundToTheKryoSerializerWithItsStableIdentifier() {
    assertThat(serializer.identifier()).isEqualTo(7301);
    assertThat(serializer.includeManifest()).isFalse();
  }

  @Test
  void recordWithNestedRecordsCollectionsEnumSetsAndActorRefRoundTrips() {
    TestProbe<Pong> probe = testKit.createTestProbe();
    Ping original = ping(probe);

    Ping copy = WireCheck.verifySerialization(testKit.system(), original);

    assertThat(copy.inner().color()).isSameAs(Color.BLUE);
    assertThat(copy.replyTo()).isEqualTo(probe.ref());
    assertThat(copy.colors()).isInstanceOf(EnumSet.class).containsExactly(Color.RED, Color.BLUE);
    assertThat(copy.colorsAsSet()).isInstanceOf(EnumSet.class);
  }

  @Test
  void actorRefReadBackFromTheWireStillDeliversMessages() {
    TestProbe<Pong> probe = testKit.createTestProbe();

    Ping copy = WireCheck.verifySerialization(testKit.system(), ping(probe));
    copy.replyTo().tell(new Pong("back"));

    probe.expectMessage(new Pong("back"));
  }

  @Test
  void collectionsAreReadBackAsUnmodifiableCopiesInTheSendersOrder() {
    Ping copy = WireCheck.verifySerialization(testKit.system(), ping(testKit.createTestProbe()));

    assertThat(copy.counts().keySet()).containsExactly("z", "a");
    assertThat(copy.tags()).containsExactly("a", "b");
    assertThatThrownBy(() -> copy.inners().add(null)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> copy.tags().add("c")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> copy.counts().put("c", 3)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void immutableJdkCollectionsOfEveryShapeRoundTrip() {
    Bag bag = new Bag(List.of(), Set.of(1, 2, 3), Map.of("one", 1L),
        List.of(List.of(1), List.of(2, 3), List.of()));

    WireCheck.verifySerialization(testKit.system(), bag);
    WireCheck.verifySerialization(testKit.system(), new Bag(List.of("x"), Set.of(), Map.of(),
        List.of(new ArrayList<>(List.of(4, 5)))));
  }

  @Test
  void byteArraysAndPrimitiveArraysRoundTrip() {
    Blob blob = new Blob(new byte[] {0, 1, -128, 127}, new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE});

    Blob copy = WireCheck.roundTrip(testKit.system(), blob);

    assertThat(copy.bytes()).containsExactly(blob.bytes());
    assertThat(copy.longs()).containsExactly(blob.longs());
  }

  @Test
  void unregisteredMessageIsRefusedOnSerializeNamingTheClassAndWhereToRegisterIt() {
    assertThatThrownBy(() -> serializer.toBinary(new Stranger("who?")))
        .isInstanceOf(WireFormatException.class)
        .hasMessageContaining("class " + Stranger.class.getName() + " is not registered for the jdlm wire format")
        .hasMessageContaining("register it in common's WireRegistrations (org.jdlm.common.wire.CommonWire)"
            + " with an unused id in 100-199");
  }

  @Test
  void unregisteredClassInsideARegisteredMessageIsRefusedWithTheFieldPath() {
    assertThatThrownBy(() -> serializer.toBinary(new Envelope(new Stranger("inside"))))
        .isInstanceOf(WireFormatException.class)
        .hasMessageContaining("class " + Stranger.class.getName() + " is not registered")
        .hasMessageContaining("Serialization trace:\npayload (java.lang.Object)");
  }

  @Test
  void nullElementsInCollectionsAreRefusedOnSerialize() {
    List<String> withNull = new ArrayList<>();
    withNull.add(null);

    assertThatThrownBy(() -> serializer.toBinary(new Bag(withNull, Set.of(), Map.of(), List.of())))
        .isInstanceOf(WireFormatException.class)
        .hasMessageContaining("a List with a null element (index 0) cannot go on the wire");
  }

  @Test
  void unknownClassIdIsRefusedOnDeserializeBeforeAnythingIsCreated() {
    Output output = new Output(16);
    output.writeVarInt(2999 + 2, true);   // Kryo's encoding: id + 2 (0 is null, 1 a class name)
    output.writeString("anything");

    assertThatThrownBy(() -> serializer.fromBinaryJava(output.toBytes(), null))
        .isInstanceOf(WireFormatException.class)
        .hasMessageContaining("class id 2999, which no module registered")
        .hasMessageContaining("Nothing was instantiated");
  }

  @Test
  void unknownClassIdNestedInARegisteredMessageIsRefused() {
    Output output = new Output(16);
    output.writeVarInt(2006 + 2, true);   // Envelope, registered
    output.writeVarInt(2998 + 2, true);   // its payload: an id nobody registered

    assertThatThrownBy(() -> serializer.fromBinaryJava(output.toBytes(), null))
        .isInstanceOf(WireFormatException.class)
        .hasMessageContaining("class id 2998");
  }

  @Test
  void classNameOnTheWireIsRefusedWithoutLoadingTheClass() {
    Output output = new Output(128);
    output.writeVarInt(1, true);          // Kryo's "class name follows" marker
    output.writeVarInt(0, true);          // name id
    output.writeString(Tripwire.class.getName());

    assertThatThrownBy(() -> serializer.fromBinaryJava(output.toBytes(), null))
        .isInstanceOf(WireFormatException.class)
        .hasMessageContaining("accepts only registered class ids");
    assertThat(TestMessages.TRIPWIRE_LOADED).isFalse();
  }

  @Test
  void trailingBytesAreRefusedAsMalformed() {
    byte[] bytes = serializer.toBinary(new Pong("x"));
    byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 3);

    assertThatThrownBy(() -> serializer.fromBinaryJava(longer, null))
        .isInstanceOf(WireFormatException.class)
        .hasMessageContaining("3 bytes left over");
  }

  @Test
  void collectionLengthLargerThanTheBytesLeftIsRefusedBeforeAllocating() {
    Output output = new Output(16);
    output.writeVarInt(2005 + 2, true);   // Bag; its first component in name order is "ints"
    output.writeVarInt(WireFormat.SET + 2, true);
    output.writeVarInt(Integer.MAX_VALUE, true);

    assertThatThrownBy(() -> serializer.fromBinaryJava(output.toBytes(), null))
        .isInstanceOf(WireFormatException.class)
        .hasMessageContaining("elements announced but only 0 bytes left");
  }

  @Test
  void messageLargerThanTheConfiguredMaximumIsRefusedOnTheSender() {
    ActorTestKit small = ActorTestKit.create("small", ConfigFactory.parseString(
        "jdlm.wire.max-message-size = 1 KiB\njdlm.wire.initial-buffer-size = 256")
        .withFallback(WireTestConfig.withTestRegistrations()));
    try {
      var wire = SerializationExtension.get(Adapter.toClassic(small.system())).findSerializerFor(new Pong("x"));

      assertThatThrownBy(() -> wire.toBinary(new Blob(new byte[2048], new long[0])))
          .isInstanceOf(WireFormatException.class)
          .hasMessageContaining("larger than jdlm.wire.max-message-size (1024 bytes)");
    } finally {
      small.shutdownTestKit();
    }
  }

  @Test
  void verifySerializationRejectsAMessageThatIsNotAWireMessage() {
    assertThatThrownBy(() -> WireCheck.verifySerialization(testKit.system(), new Inner(1, Color.RED, Optional.empty())))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("does not implement org.jdlm.common.wire.WireMessage");
  }

  @Test
  void verifySerializationReportsAnUnregisteredMessageAsAFailedAssertion() {
    assertThatThrownBy(() -> WireCheck.verifySerialization(testKit.system(), new Stranger("x")))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining(Stranger.class.getName() + " cannot cross the wire");
  }

  @Test
  void brokenRegistrationsFailTheSerializerWhenPekkoCreatesIt() {
    var config = ConfigFactory.parseString("jdlm.wire.registrations.kernel = \"org.jdlm.common.wire.TestWire\"")
        .withFallback(WireTestConfig.withTestRegistrations());

    // TestWire's ids (2000+) lie outside kernel's range and are also registered under "tests".
    assertThatThrownBy(() -> {
      ActorTestKit broken = ActorTestKit.create("broken", config);
      try {
        SerializationExtension.get(Adapter.toClassic(broken.system())).findSerializerFor(new Pong("x"));
      } finally {
        broken.shutdownTestKit();
      }
    }).hasStackTraceContaining("outside its range 200-299");
  }
}
