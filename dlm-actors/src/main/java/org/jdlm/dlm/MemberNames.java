package org.jdlm.dlm;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.actor.typed.ActorSystem;
import org.jdlm.dlm.core.NodeId;

/**
 * How the wait-for graph names a member (docs/detector.md §1): the name of its {@code node:NAME}
 * cluster role (lab members and scenario clusters carry one; the recovery module's {@code NodeName}),
 * else its address with {@code :} as {@code _} (a vertex scope holds no {@code :}). Every member
 * resolves an owner's {@link NodeId} the same way, so the lkb and request vertices one member
 * feeds as master and another as owner carry the same name.
 */
final class MemberNames implements Function<NodeId, String> {
  private static final String ROLE_PREFIX = "node:";

  private final ActorSystem<?> system;
  private final Map<String, String> byNodeId = new ConcurrentHashMap<>();

  MemberNames(ActorSystem<?> system) {
    this.system = system;
  }

  @Override
  public String apply(NodeId node) {
    String base = node.baseName();
    String known = byNodeId.get(base);
    if (known != null) {
      return known;
    }
    for (Member m : Cluster.get(system).state().getMembers()) {
      for (String role : m.getRoles()) {
        if (role.startsWith(ROLE_PREFIX)) {
          byNodeId.put(Lockspace.nodeIdOf(m.address()).name(), role.substring(ROLE_PREFIX.length()));
        }
      }
    }
    known = byNodeId.get(base);
    return known != null ? known : base.replace(':', '_').replace('/', '_');
  }

  /** This member's own name. */
  String self() {
    return apply(Lockspace.nodeIdOf(Cluster.get(system).selfMember().address()));
  }
}
