package org.jdlm.cli.node;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What {@code dlm node} was told on its command line.
 *
 * @param name the member's jdlm name, carried as a cluster role (see {@link NodeName})
 * @param cluster where Artery listens (always loopback in the lab)
 * @param seeds the seed nodes, in order; the first one bootstraps a new cluster when no other answers
 * @param controlPort the control endpoint's port on the same host, 0 for an OS-chosen one
 * @param dir the node's own directory (data files of later issues), created if missing
 */
public record NodeSettings(String name, HostPort cluster, List<HostPort> seeds, int controlPort, Path dir) {
  /** Every member's ActorSystem has this name: Pekko only joins systems of the same name. */
  public static final String SYSTEM_NAME = "jdlm";

  public NodeSettings {
    Objects.requireNonNull(name);
    Objects.requireNonNull(cluster);
    seeds = List.copyOf(seeds);
    Objects.requireNonNull(dir);
    if (controlPort < 0 || controlPort > 65535) {
      throw new IllegalArgumentException("control port out of range: " + controlPort);
    }
  }
}
