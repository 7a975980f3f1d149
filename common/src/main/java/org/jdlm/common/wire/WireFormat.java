package org.jdlm.common.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.serializers.DefaultSerializers;
import com.esotericsoftware.kryo.serializers.DefaultSerializers.EnumSetSerializer;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import java.lang.reflect.Modifier;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * The jdlm wire format: how a Kryo instance is set up so that only registered classes travel.
 *
 * <p>Ids on the wire:
 * <pre>
 *   0-9      Kryo's own: int, String, float, boolean, byte, char, short, long, double, void
 *            (a boxed primitive shares its primitive's id)
 *   10-99    this class's built-ins (below); the "families" stand for every implementation
 *   100-...  modules, each in its own range (jdlm.wire.id-ranges), see {@link WireRegistry}
 * </pre>
 * Built-ins:
 * <pre>
 *   10  typed ActorRef     any org.apache.pekko.actor.typed.ActorRef, written as its path
 *   11  classic ActorRef   any org.apache.pekko.actor.ActorRef, written as its path
 *   12  List               any java.util.List, read back unmodifiable
 *   13  Set                any java.util.Set except EnumSet, read back unmodifiable, order kept
 *   14  Map                any java.util.Map, read back unmodifiable, order kept
 *   15  EnumSet            any EnumSet, read back as a fresh EnumSet (the element enum is registered)
 *   16  byte[]
 * </pre>
 * A class that is neither a Kryo default, a built-in nor registered is refused when written
 * (with a hint naming the module that should register it), and an id nobody registered is refused
 * when read, before anything is created. Class names never appear on the wire: the resolver
 * refuses Kryo's name-based encoding in both directions.
 */
public final class WireFormat {

  static final int TYPED_ACTOR_REF = 10;
  static final int CLASSIC_ACTOR_REF = 11;
  static final int LIST = 12;
  static final int SET = 13;
  static final int MAP = 14;
  static final int ENUM_SET = 15;
  static final int BYTE_ARRAY = 16;

  private static final List<Class<?>> BOXES = List.of(Integer.class, Long.class, Short.class,
      Byte.class, Character.class, Boolean.class, Float.class, Double.class, Void.class, String.class);

  private WireFormat() {}

  /**
   * The built-in family a concrete class travels as, or null. EnumSet is checked before Set, and a
   * typed ref before a classic one, because the narrower family decodes to the right type.
   */
  static Class<?> familyOf(Class<?> type) {
    if (org.apache.pekko.actor.typed.ActorRef.class.isAssignableFrom(type)) {
      return org.apache.pekko.actor.typed.ActorRef.class;
    }
    if (org.apache.pekko.actor.ActorRef.class.isAssignableFrom(type)) {
      return org.apache.pekko.actor.ActorRef.class;
    }
    if (EnumSet.class.isAssignableFrom(type)) {
      return EnumSet.class;
    }
    if (List.class.isAssignableFrom(type)) {
      return List.class;
    }
    if (Set.class.isAssignableFrom(type)) {
      return Set.class;
    }
    if (Map.class.isAssignableFrom(type)) {
      return Map.class;
    }
    return null;
  }

  /** Why a module may not register {@code type}, or null if it may. */
  static String refusalReason(Class<?> type) {
    if (type.isPrimitive() || BOXES.contains(type)) {
      return "strings, primitives and their boxes are built into the wire format";
    }
    if (type == byte[].class || familyOf(type) != null || type == List.class || type == Set.class
        || type == Map.class) {
      return "List, Set, Map, EnumSet, byte[] and ActorRef implementations are built into the wire"
          + " format (one id each, see WireFormat)";
    }
    if (type.isInterface()) {
      return "it is an interface; register the concrete records that implement it";
    }
    if (!type.isEnum() && Enum.class.isAssignableFrom(type)) {
      return "it is the body of an enum constant; register the enum " + type.getSuperclass().getName();
    }
    if (Modifier.isAbstract(type.getModifiers()) && !type.isEnum() && !type.isArray()) {
      return "it is abstract; register its concrete subclasses";
    }
    if (type.isSynthetic() || type.isAnonymousClass() || type.isHidden()) {
      return "lambdas and anonymous classes cannot cross nodes; use a record";
    }
    return null;
  }

  /**
   * A new Kryo instance with the built-ins and every entry of {@code registry}. Kryo instances are
   * not thread-safe: {@link KryoWireSerializer} pools them.
   *
   * @param typedRefs serializer for typed ActorRefs (needs the ActorSystem to resolve paths)
   * @param classicRefs serializer for classic ActorRefs
   * @param maxDepth how deeply objects may nest before Kryo refuses (bounds stack use on bad input)
   */
  static Kryo newKryo(WireRegistry registry, Serializer<?> typedRefs, Serializer<?> classicRefs,
      int maxDepth) {
    StrictKryo kryo = new StrictKryo(registry::registrationHint);
    kryo.setRegistrationRequired(true);
    kryo.setReferences(false);        // messages are trees; references would cost a map per write
    kryo.setMaxDepth(maxDepth);
    // Kryo has default serializers for Optional and java.time but not UUID; without this one a
    // registered UUID would need reflective access into java.base.
    kryo.addDefaultSerializer(UUID.class, new DefaultSerializers.UUIDSerializer());
    registerBuiltIn(kryo, org.apache.pekko.actor.typed.ActorRef.class, typedRefs, TYPED_ACTOR_REF);
    registerBuiltIn(kryo, org.apache.pekko.actor.ActorRef.class, classicRefs, CLASSIC_ACTOR_REF);
    registerBuiltIn(kryo, List.class, new WireCollections.ListSerializer(), LIST);
    registerBuiltIn(kryo, Set.class, new WireCollections.SetSerializer(), SET);
    registerBuiltIn(kryo, Map.class, new WireCollections.MapSerializer(), MAP);
    registerBuiltIn(kryo, EnumSet.class, new EnumSetSerializer(), ENUM_SET);
    registerBuiltIn(kryo, byte[].class, new WireCollections.ByteArraySerializer(), BYTE_ARRAY);
    for (WireRegistry.Entry entry : registry.entries()) {
      kryo.register(entry.type(), entry.id());
    }
    return kryo;
  }

  private static void registerBuiltIn(Kryo kryo, Class<?> type, Serializer<?> serializer, int id) {
    Registration taken = kryo.getClassResolver().getRegistration(id);
    if (taken != null) {
      // Kryo would silently replace it; a Kryo upgrade that grows its defaults must not go unseen.
      throw new IllegalStateException("wire built-in id " + id + " for " + type.getName()
          + " is already Kryo's " + taken.getType().getName());
    }
    kryo.register(type, serializer, id);
  }

  /** Kryo whose class lookup knows the families and never falls back to class names. */
  private static final class StrictKryo extends Kryo {
    private final Function<Class<?>, String> hint;

    StrictKryo(Function<Class<?>, String> hint) {
      super(new FamilyClassResolver(), null);
      this.hint = hint;
    }

    @Override public Registration getRegistration(Class type) {
      Registration registration = getClassResolver().getRegistration(type);
      if (registration == null) {
        throw WireFormatException.unregistered(type, hint.apply(type));
      }
      return registration;
    }
  }

  /**
   * Maps each concrete class to its own registration or its family's, and reads only numeric ids.
   * Lookups for a family member are cached per instance (each pooled Kryo has its own resolver).
   */
  private static final class FamilyClassResolver extends DefaultClassResolver {
    @Override public Registration getRegistration(Class type) {
      Registration registration = super.getRegistration(type);
      if (registration != null) {
        return registration;
      }
      Class<?> family = familyOf(type);
      if (family == null && !type.isEnum() && Enum.class.isAssignableFrom(type)) {
        family = type.getSuperclass();   // an enum constant with a body is its enum on the wire
      }
      if (family == null) {
        return null;
      }
      registration = super.getRegistration(family);
      if (registration != null) {
        classToRegistration.put(type, registration);
      }
      return registration;
    }

    @Override public Registration registerImplicit(Class type) {
      throw new IllegalStateException("implicit registration of " + type.getName()
          + " attempted although registration is required");
    }

    @Override public Registration readClass(Input input) {
      int encoded = input.readVarInt(true);
      if (encoded == Kryo.NULL) {
        return null;
      }
      if (encoded == NAME + 2) {
        throw new WireFormatException("the bytes carry a class name; the jdlm wire format accepts"
            + " only registered class ids, so the message was refused before anything was loaded");
      }
      Registration registration = idToRegistration.get(encoded - 2);
      if (registration == null) {
        throw WireFormatException.unknownId(encoded - 2);
      }
      return registration;
    }
  }
}
