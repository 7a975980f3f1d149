package org.jdlm.kernel.core.waits;

import java.util.Objects;
import java.util.Optional;

/**
 * One vertex of the cluster-wide wait-for graph, named as fs-cycles §5.0 prints it:
 * {@code scope/kind:id}. The scope is a member ({@code n1}), {@link #DLM} for what the whole
 * lockspace shares ({@code dlm/ls:gfs2fs}), or empty for a resource merged across members
 * ({@code glock:2/h} in §5.4). The id may be empty ({@code n1/mem}, {@code n2/dlm_controld}).
 * Identity is the name only; the bracketed state ({@code [STOPPED gen 7]}) is a fact about the
 * vertex kept by the graph, because two members describe the same vertex at different times.
 */
public record Vertex(String scope, String kind, String id) implements Comparable<Vertex> {
  /** Scope of cluster-wide DLM objects: lockspaces. */
  public static final String DLM = "dlm";

  public Vertex {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(id, "id");
    if (kind.isEmpty() || kind.contains(":") || kind.contains("/")) {
      throw new IllegalArgumentException("vertex kind must be non-empty without ':' or '/', got '" + kind + "'");
    }
    if (scope.contains("/") || scope.contains(":")) {
      throw new IllegalArgumentException("vertex scope must not contain '/' or ':', got '" + scope + "'");
    }
  }

  public static Vertex of(String scope, String kind, String id) {
    return new Vertex(scope, kind, id);
  }

  /** A task of a member: {@code n1/task:kswapd0}. */
  public static Vertex task(String member, String name) {
    return new Vertex(member, "task", name);
  }

  /** A member's memory, the OR node of every {@code waits-memory}: {@code n1/mem}. */
  public static Vertex mem(String member) {
    return new Vertex(member, "mem", "");
  }

  /** A glock as one member holds it: {@code n1/glock:2/1a2b} ({@code type/number}). */
  public static Vertex glock(String member, String typeAndNumber) {
    return new Vertex(member, "glock", typeAndNumber);
  }

  /** A DLM lock block on the member that owns it: {@code n2/lkb:00020001}. */
  public static Vertex lkb(String member, String lkbId) {
    return new Vertex(member, "lkb", lkbId);
  }

  /** The fencing of {@code target} as run from {@code actor}: {@code n1/fence:n3}. */
  public static Vertex fence(String actor, String target) {
    return new Vertex(actor, "fence", target);
  }

  /** A lockspace, cluster-wide: {@code dlm/ls:NAME}. */
  public static Vertex lockspace(String name) {
    return new Vertex(DLM, "ls", name);
  }

  /**
   * Parses a printed name: {@code n1/glock:2/805b}, {@code dlm/ls:gfs2fs}, {@code glock:2/h},
   * {@code n1/mem}. The scope is what precedes the first '/' that comes before the first ':'.
   */
  public static Vertex parse(String name) {
    Objects.requireNonNull(name, "name");
    int colon = name.indexOf(':');
    String head = colon < 0 ? name : name.substring(0, colon);
    String id = colon < 0 ? "" : name.substring(colon + 1);
    int slash = head.indexOf('/');
    String scope = slash < 0 ? "" : head.substring(0, slash);
    String kind = slash < 0 ? head : head.substring(slash + 1);
    if (colon < 0 && slash < 0) {
      throw new IllegalArgumentException("vertex name '" + name + "' has neither a scope nor a kind:id");
    }
    return new Vertex(scope, kind, id);
  }

  /**
   * A member-local endpoint of the kernel's registry ({@code kind:id} or {@code kind}) placed in
   * the merged graph: lockspaces are cluster-wide ({@code ls:X} becomes {@code dlm/ls:X}), everything
   * else belongs to the member that reported it.
   */
  public static Vertex local(String member, String endpoint) {
    int colon = endpoint.indexOf(':');
    String kind = colon < 0 ? endpoint : endpoint.substring(0, colon);
    String id = colon < 0 ? "" : endpoint.substring(colon + 1);
    return new Vertex(kind.equals("ls") ? DLM : member, kind, id);
  }

  /** The member this vertex lives on; empty for cluster-wide vertices. */
  public Optional<String> member() {
    return scope.isEmpty() || scope.equals(DLM) ? Optional.empty() : Optional.of(scope);
  }

  public boolean isTask() {
    return kind.equals("task");
  }

  /** The name a hint uses: a task's id, else {@code kind:id} without the scope ({@code kswapd0}, {@code inode:0x1a2b}). */
  public String shortName() {
    return isTask() ? id : kind + (id.isEmpty() ? "" : ":" + id);
  }

  public String name() {
    return (scope.isEmpty() ? "" : scope + "/") + kind + (id.isEmpty() ? "" : ":" + id);
  }

  @Override
  public int compareTo(Vertex o) {
    return name().compareTo(o.name());
  }

  @Override
  public String toString() {
    return name();
  }
}
