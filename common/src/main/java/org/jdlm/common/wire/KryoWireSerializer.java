package org.jdlm.common.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.KryoBufferOverflowException;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.JSerializer;
import org.apache.pekko.serialization.Serialization;

/**
 * Pekko serializer for every {@link WireMessage}, over Kryo with registration required.
 *
 * <p>Bound in common's {@code reference.conf} as {@code jdlm-kryo}, identifier {@value #IDENTIFIER}
 * (Pekko reserves 0-40; the number is part of the wire format and must never change). No manifest
 * is needed: the first bytes are the registered class id (see {@link WireFormat} for the id table).
 * Actor references are written as their full path and resolved through the receiving system's
 * provider, so a typed {@code replyTo} sent to another node answers back across the network.
 *
 * <p>Kryo instances are not thread-safe and costly to set up (one registration per class), so
 * they are pooled; a Kryo that threw is discarded rather than returned, in case the failure left
 * it half-way through an object graph.
 */
public final class KryoWireSerializer extends JSerializer {

  /** This serializer's Pekko identifier; stable forever. */
  public static final int IDENTIFIER = 7301;

  private final ExtendedActorSystem system;
  private final WireSettings settings;
  private final WireRegistry registry;
  private final Pool<Kryo> pool;
  private volatile ActorRefResolver refResolver;

  /** Called by Pekko's serialization extension, once per ActorSystem. */
  public KryoWireSerializer(ExtendedActorSystem system) {
    this.system = system;
    this.settings = WireSettings.fromConfig(system.settings().config());
    this.registry = WireRegistry.fromConfig(system.settings().config(), system.dynamicAccess().classLoader());
    Serializer<?> typedRefs = new TypedActorRefSerializer();
    Serializer<?> classicRefs = new ClassicActorRefSerializer();
    this.pool = new Pool<>(true, false, settings.poolSize()) {
      @Override protected Kryo create() {
        return WireFormat.newKryo(registry, typedRefs, classicRefs, settings.maxDepth());
      }
    };
    // Build one Kryo now so that a broken registration fails the ActorSystem's start, not the
    // first message.
    pool.free(pool.obtain());
  }

  @Override public int identifier() {
    return IDENTIFIER;
  }

  @Override public boolean includeManifest() {
    return false;
  }

  /** The validated registrations this serializer uses. */
  public WireRegistry registry() {
    return registry;
  }

  @Override public byte[] toBinary(Object message) {
    Kryo kryo = pool.obtain();
    Output output = new Output(settings.initialBufferSize(), settings.maxMessageSize());
    try {
      kryo.writeClassAndObject(output, message);
      byte[] bytes = output.toBytes();
      pool.free(kryo);
      return bytes;
    } catch (KryoBufferOverflowException e) {
      throw new WireFormatException("cannot send " + message.getClass().getName() + ": it is larger"
          + " than jdlm.wire.max-message-size (" + settings.maxMessageSize() + " bytes)", e);
    } catch (WireFormatException e) {
      throw e;
    } catch (KryoException | IllegalArgumentException | IllegalStateException e) {
      throw new WireFormatException("cannot send " + message.getClass().getName() + ": " + e.getMessage(), e);
    }
  }

  @Override public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
    Kryo kryo = pool.obtain();
    try {
      Input input = new Input(bytes);
      Object message = kryo.readClassAndObject(input);
      if (input.position() != bytes.length) {
        throw new WireFormatException("malformed message: " + (bytes.length - input.position())
            + " bytes left over after reading a " + (message == null ? "null" : message.getClass().getName()));
      }
      pool.free(kryo);
      return message;
    } catch (WireFormatException e) {
      throw e;
    } catch (KryoException | IllegalArgumentException | IllegalStateException e) {
      throw new WireFormatException("cannot read a message of " + bytes.length + " bytes: "
          + e.getMessage(), e);
    }
  }

  private ActorRefResolver refResolver() {
    ActorRefResolver resolver = refResolver;
    if (resolver == null) {
      // Looked up lazily: this constructor runs inside the serialization extension's start, where
      // starting a second extension is best avoided.
      resolver = ActorRefResolver.get(Adapter.toTyped(system));
      refResolver = resolver;
    }
    return resolver;
  }

  /** Typed refs as their serialization format (full path with address), resolved on read. */
  private final class TypedActorRefSerializer extends Serializer<ActorRef<?>> {
    TypedActorRefSerializer() {
      setImmutable(true);
    }

    @Override public void write(Kryo kryo, Output output, ActorRef<?> ref) {
      output.writeString(refResolver().toSerializationFormat(ref));
    }

    @Override public ActorRef<?> read(Kryo kryo, Input input, Class<? extends ActorRef<?>> type) {
      return refResolver().resolveActorRef(input.readString());
    }
  }

  /** Classic refs as their serialized path (with the transport's address), resolved on read. */
  private final class ClassicActorRefSerializer extends Serializer<org.apache.pekko.actor.ActorRef> {
    ClassicActorRefSerializer() {
      setImmutable(true);
    }

    @Override public void write(Kryo kryo, Output output, org.apache.pekko.actor.ActorRef ref) {
      output.writeString(Serialization.serializedActorPath(ref));
    }

    @Override public org.apache.pekko.actor.ActorRef read(Kryo kryo, Input input,
        Class<? extends org.apache.pekko.actor.ActorRef> type) {
      return system.provider().resolveActorRef(input.readString());
    }
  }
}
