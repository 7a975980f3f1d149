package org.jdlm.dlm.core;

/**
 * A lockspace member as the core knows it: the node's stable name (e.g. {@code n1}). The actor
 * layer maps cluster addresses (and incarnations) to it.
 *
 * <p>One special kind names no member: the <em>orphan owner</em> of the PERSISTENT locks a dead
 * node held ({@link #orphanOf}). Recovery re-keys such a lock to it, so the lock keeps blocking
 * as an orphan on its master, no callback is ever routed for it, and a restarted incarnation of
 * the dead node (which numbers its locks from 1 again) cannot collide with it.
 *
 * @param name non-empty node name
 */
public record NodeId(String name) {

  /** Separates a dead node's name from the generation that orphaned its locks. */
  private static final String ORPHAN_MARK = "~orphan@g";

  public NodeId {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("node name must not be empty (got " + name + ")");
    }
  }

  /**
   * The owner of the orphans made from {@code dead}'s PERSISTENT locks by the recovery of
   * {@code generation} (e.g. {@code n3~orphan@g7}).
   */
  public static NodeId orphanOf(NodeId dead, long generation) {
    return new NodeId(dead.baseName() + ORPHAN_MARK + generation);
  }

  /** True for an orphan owner ({@link #orphanOf}), which is no member and gets no callback. */
  public boolean isOrphanOwner() {
    return name.contains(ORPHAN_MARK);
  }

  /** The member name: this name, or for an orphan owner the dead node's name. */
  public String baseName() {
    return baseName(name);
  }

  /** {@link #baseName()} of a node name as dumps print it. */
  public static String baseName(String nodeName) {
    int mark = nodeName.indexOf(ORPHAN_MARK);
    return mark < 0 ? nodeName : nodeName.substring(0, mark);
  }

  @Override
  public String toString() {
    return name;
  }
}
