package org.jdlm.common.wire;

/**
 * One module's list of the classes it puts on the wire, each with a fixed numeric id.
 *
 * <p>Each module has exactly one implementation (for example {@code org.jdlm.fencing.FencingWire})
 * and names it in its own {@code reference.conf} under an object key, so that HOCON merges the
 * entries of all jars on the class path:
 * <pre>
 *   jdlm.wire.registrations { fencing = "org.jdlm.fencing.FencingWire" }
 * </pre>
 * The key is the module's name and selects its id range in {@code jdlm.wire.id-ranges}. At start-up
 * {@link WireRegistry} checks that every id lies in that range and that no id and no class is used
 * twice. Ids are part of the wire format: once released, never renumber or reuse one, or nodes of
 * different builds will decode each other's messages as the wrong class.
 *
 * <p>Implementations need a public no-argument constructor.
 */
public interface WireRegistrations {

  /** Adds every class of this module that crosses nodes to {@code registrar}. */
  void register(Registrar registrar);

  /** Collects (class, id) pairs; the checks happen after all modules have registered. */
  interface Registrar {
    /**
     * Registers a concrete record, enum or final class under {@code id}. Interfaces, List/Set/Map
     * and ActorRef implementations, strings and boxed primitives are refused: the wire format
     * handles those itself.
     */
    Registrar register(Class<?> type, int id);
  }
}
