package org.jdlm.dlm.directory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Comparator;
import java.util.TreeSet;
import org.jdlm.dlm.core.NodeId;

/**
 * Which member is the directory node of a resource name, for one membership view.
 *
 * <p>Spec §5 ({@code dlm_hash2nodeid}): the member ids are sorted ascending (all weights 1) and the
 * directory node is {@code array[(hash >> 16) % n]}. Linux hashes with {@code jhash}; we use
 * 32-bit FNV-1a over the name bytes because it is stable across JVMs and versions (unlike
 * {@code String.hashCode} of a decoded string) and needs no table. The shift keeps the
 * better-mixed high bits, as the kernel does.
 *
 * <p>Pure value: no Pekko import; the {@code Lockspace} actor holds one per generation.
 */
public final class ResourceDirectory {

  private static final int FNV_OFFSET = 0x811c9dc5;
  private static final int FNV_PRIME = 0x01000193;

  private final List<NodeId> members;

  /** Builds the directory over the given members (order and duplicates do not matter). */
  public ResourceDirectory(Collection<NodeId> members) {
    if (members.isEmpty()) {
      throw new IllegalArgumentException("a lockspace directory needs at least one member");
    }
    TreeSet<NodeId> sorted = new TreeSet<>(Comparator.comparing(NodeId::name));
    sorted.addAll(members);
    this.members = List.copyOf(sorted);
  }

  /** The members in directory order (ascending node id). */
  public List<NodeId> members() {
    return members;
  }

  /** The directory node of {@code name} (semantics §5: {@code array[(hash >> 16) % n]}). */
  public NodeId directoryNode(byte[] name) {
    int index = (int) (((hash(name) >>> 16) & 0xffffL) % members.size());
    return members.get(index);
  }

  /** 32-bit FNV-1a of the bytes; exposed so tests can pin the function. */
  public static int hash(byte[] bytes) {
    int h = FNV_OFFSET;
    for (byte b : bytes) {
      h ^= (b & 0xff);
      h *= FNV_PRIME;
    }
    return h;
  }

  /** True if {@code node} is one of the members. */
  public boolean contains(NodeId node) {
    return members.contains(node);
  }

  /** A copy of the member list, for messages that carry the view. */
  public List<NodeId> memberList() {
    return new ArrayList<>(members);
  }

  @Override
  public String toString() {
    return "ResourceDirectory" + members;
  }
}
