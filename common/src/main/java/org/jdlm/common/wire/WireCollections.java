package org.jdlm.common.wire;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kryo serializers for the collection families: any {@code List}, {@code Set} or {@code Map}
 * implementation is written under one id and read back as an immutable copy.
 *
 * <p>Why one id per family rather than per class: {@code List.of(..)} alone has several hidden
 * implementation classes (ListN, List12, SubList...) that differ between JDK builds, and messages
 * should not care which one the sender used. Iteration order is kept (sets and maps are rebuilt in
 * the sender's order), so a seeded simulation replays the same way on every node. Null elements,
 * keys and values are refused when writing, matching {@code List.of} semantics on the receiver.
 *
 * <p>Reading never trusts a length: a count larger than the bytes left is corrupt input and is
 * refused before anything is allocated.
 */
final class WireCollections {

  private WireCollections() {}

  /** Any {@link List}; read back unmodifiable, in order. */
  static final class ListSerializer extends Serializer<List<?>> {
    ListSerializer() {
      setImmutable(true);
    }

    @Override public void write(Kryo kryo, Output output, List<?> list) {
      writeElements(kryo, output, list, "List");
    }

    @Override public List<?> read(Kryo kryo, Input input, Class<? extends List<?>> type) {
      int size = readCount(input, "List");
      List<Object> elements = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        elements.add(readNonNull(kryo, input, "List"));
      }
      return Collections.unmodifiableList(elements);
    }
  }

  /** Any {@link Set} except {@link java.util.EnumSet}; read back unmodifiable, in the sender's order. */
  static final class SetSerializer extends Serializer<Set<?>> {
    SetSerializer() {
      setImmutable(true);
    }

    @Override public void write(Kryo kryo, Output output, Set<?> set) {
      writeElements(kryo, output, set, "Set");
    }

    @Override public Set<?> read(Kryo kryo, Input input, Class<? extends Set<?>> type) {
      int size = readCount(input, "Set");
      Set<Object> elements = new LinkedHashSet<>(capacityFor(size));
      for (int i = 0; i < size; i++) {
        if (!elements.add(readNonNull(kryo, input, "Set"))) {
          throw new WireFormatException("malformed Set on the wire: duplicate element at index " + i);
        }
      }
      return Collections.unmodifiableSet(elements);
    }
  }

  /** Any {@link Map}; read back unmodifiable, in the sender's iteration order. */
  static final class MapSerializer extends Serializer<Map<?, ?>> {
    MapSerializer() {
      setImmutable(true);
    }

    @Override public void write(Kryo kryo, Output output, Map<?, ?> map) {
      output.writeVarInt(map.size(), true);
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (entry.getKey() == null || entry.getValue() == null) {
          throw new WireFormatException("a Map with a null key or value cannot go on the wire (key "
              + entry.getKey() + "): maps are read back as immutable copies, which refuse nulls");
        }
        kryo.writeClassAndObject(output, entry.getKey());
        kryo.writeClassAndObject(output, entry.getValue());
      }
    }

    @Override public Map<?, ?> read(Kryo kryo, Input input, Class<? extends Map<?, ?>> type) {
      // Each entry takes at least two bytes (two class ids).
      int size = readCount(input, "Map");
      Map<Object, Object> map = new LinkedHashMap<>(capacityFor(size));
      for (int i = 0; i < size; i++) {
        Object key = readNonNull(kryo, input, "Map");
        Object value = readNonNull(kryo, input, "Map");
        if (map.put(key, value) != null) {
          throw new WireFormatException("malformed Map on the wire: duplicate key at index " + i);
        }
      }
      return Collections.unmodifiableMap(map);
    }
  }

  /**
   * {@code byte[]} with the length checked against the bytes actually present, so a corrupt length
   * cannot make the receiver allocate gigabytes.
   */
  static final class ByteArraySerializer extends Serializer<byte[]> {
    ByteArraySerializer() {
      setImmutable(false);
    }

    @Override public void write(Kryo kryo, Output output, byte[] bytes) {
      output.writeVarInt(bytes.length, true);
      output.writeBytes(bytes);
    }

    @Override public byte[] read(Kryo kryo, Input input, Class<? extends byte[]> type) {
      int length = input.readVarInt(true);
      if (length < 0 || length > remaining(input)) {
        throw new WireFormatException("malformed byte[] on the wire: length " + length + " but only "
            + remaining(input) + " bytes left");
      }
      return input.readBytes(length);
    }

    @Override public byte[] copy(Kryo kryo, byte[] original) {
      return original.clone();
    }
  }

  private static void writeElements(Kryo kryo, Output output, Collection<?> elements, String kind) {
    output.writeVarInt(elements.size(), true);
    int index = 0;
    for (Object element : elements) {
      if (element == null) {
        throw new WireFormatException("a " + kind + " with a null element (index " + index
            + ") cannot go on the wire: it is read back as an immutable copy, which refuses nulls");
      }
      kryo.writeClassAndObject(output, element);
      index++;
    }
  }

  private static Object readNonNull(Kryo kryo, Input input, String kind) {
    Object element = kryo.readClassAndObject(input);
    if (element == null) {
      throw new WireFormatException("malformed " + kind + " on the wire: null element");
    }
    return element;
  }

  /** Every element takes at least one byte (its class id), so a larger count is corrupt input. */
  private static int readCount(Input input, String kind) {
    int size = input.readVarInt(true);
    if (size < 0 || size > remaining(input)) {
      throw new WireFormatException("malformed " + kind + " on the wire: " + size
          + " elements announced but only " + remaining(input) + " bytes left");
    }
    return size;
  }

  private static int capacityFor(int size) {
    return (int) Math.min(Integer.MAX_VALUE, (long) size * 4 / 3 + 1);
  }

  private static int remaining(Input input) {
    return input.limit() - input.position();
  }
}
