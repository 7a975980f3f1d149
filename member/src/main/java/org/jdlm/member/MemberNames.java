package org.jdlm.member;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.jdlm.recovery.NodeName;

/**
 * A member's names for the DLM's node ids: {@code host:port} → {@code nK}, learned from the
 * membership's roles ({@link NodeName}). A name is kept after its member is removed, so a dump
 * taken after a kill still names the dead member's locks by name.
 */
public final class MemberNames {
  private final ActorSystem<?> system;
  private final Map<String, String> names = new ConcurrentHashMap<>();

  public MemberNames(ActorSystem<?> system) {
    this.system = system;
  }

  /** The name of {@code nodeId} ({@code host:port}); an id of no known member stays as it is. */
  public String nameOf(String nodeId) {
    String known = names.get(nodeId);
    if (known != null) {
      return known;
    }
    for (Member m : Cluster.get(system).state().getMembers()) {
      String id = m.address().getHost().orElse("?") + ":" + m.address().getPort().map(String::valueOf).orElse("?");
      NodeName.fromRoles(m.getRoles()).ifPresent(n -> names.put(id, n));
    }
    return names.getOrDefault(nodeId, nodeId);
  }
}
