package org.jdlm.member;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdlm.recovery.NodeName;

/**
 * What {@code dlm node} was told on its command line.
 *
 * @param name the member's jdlm name, carried as a cluster role (see {@link NodeName})
 * @param cluster where Artery listens (always loopback in the lab)
 * @param seeds the seed nodes, in order; the first one bootstraps a new cluster when no other answers
 * @param controlPort the control endpoint's port on the same host, 0 for an OS-chosen one
 * @param dir the node's own directory (data files of later issues), created if missing
 * @param store the shared store's JDBC URL from {@code --store}; empty: {@code jdlm.store.url} from
 *     the configuration, and without that the member runs without persistence (and without fencing)
 * @param pidDir where the lab supervisor keeps {@code <node>.pid} files ({@code --pid-dir}), for the
 *     power fence agent; empty: {@code jdlm.fencing.power.pid-dir}
 * @param controlHost the address the control endpoint binds ({@code --control-host}); loopback by
 *     default, whatever the cluster address, because the endpoint has no authentication besides the
 *     operator secret
 */
public record NodeSettings(String name, HostPort cluster, List<HostPort> seeds, int controlPort, Path dir,
                           Optional<String> store, Optional<Path> pidDir, String controlHost) {
  /** Where the control endpoint listens unless told otherwise. */
  public static final String DEFAULT_CONTROL_HOST = "127.0.0.1";

  /** Every member's ActorSystem has this name: Pekko only joins systems of the same name. */
  public static final String SYSTEM_NAME = "jdlm";

  public NodeSettings {
    Objects.requireNonNull(name);
    Objects.requireNonNull(cluster);
    seeds = List.copyOf(seeds);
    Objects.requireNonNull(dir);
    Objects.requireNonNull(store);
    Objects.requireNonNull(pidDir);
    if (controlHost.isBlank()) {
      throw new IllegalArgumentException("blank control host");
    }
    if (controlPort < 0 || controlPort > 65535) {
      throw new IllegalArgumentException("control port out of range: " + controlPort);
    }
  }

  /** A member whose control endpoint is on loopback. */
  public NodeSettings(String name, HostPort cluster, List<HostPort> seeds, int controlPort, Path dir,
                      Optional<String> store, Optional<Path> pidDir) {
    this(name, cluster, seeds, controlPort, dir, store, pidDir, DEFAULT_CONTROL_HOST);
  }

  /** A member without {@code --store} and {@code --pid-dir}. */
  public NodeSettings(String name, HostPort cluster, List<HostPort> seeds, int controlPort, Path dir) {
    this(name, cluster, seeds, controlPort, dir, Optional.empty(), Optional.empty());
  }
}
