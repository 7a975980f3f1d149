package org.jdlm.dlm.core;

/**
 * A lockspace member as the core knows it: the node's stable name (e.g. {@code n1}). The actor
 * layer maps cluster addresses (and incarnations) to it.
 *
 * @param name non-empty node name
 */
public record NodeId(String name) {

  public NodeId {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("node name must not be empty (got " + name + ")");
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
