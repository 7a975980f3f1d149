package org.jdlm.member;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdlm.recovery.NodeName;

/**
 * Builds a member's Pekko configuration. Layers, strongest first:
 *
 * <pre>
 *   1. the `dlm node` command line (ports, seeds, name role, directory, store URL, pid directory)
 *   2. -D system properties
 *   3. application.conf (a user's deployment overrides)
 *   4. jdlm-node.conf   (the lab defaults for Pekko's own keys: cluster provider, SBR,
 *                        failure detector; documented in docs/cluster.md)
 *   5. every module's reference.conf (Pekko's and jdlm's defaults)
 * </pre>
 *
 * jdlm-node.conf sits under application.conf so that a deployment can undo a lab choice (for
 * example a slower failure detector) without touching the jar.
 */
public final class NodeConfig {
  /** The classpath resource holding the lab defaults for Pekko's keys. */
  public static final String NODE_DEFAULTS = "jdlm-node.conf";

  private NodeConfig() {}

  /**
   * The complete, resolved configuration of the member described by {@code settings}. The store's
   * Pekko Persistence settings are not in it yet: {@link NodeServices#plan} lays them over it when
   * the member has a store ({@code --store} or {@code jdlm.store.url}).
   */
  public static Config build(NodeSettings settings) {
    Map<String, Object> flags = new HashMap<>();
    flags.put("pekko.remote.artery.canonical.hostname", settings.cluster().host());
    flags.put("pekko.remote.artery.canonical.port", settings.cluster().port());
    // Bind where we advertise: the lab is loopback only, nothing should listen on other interfaces.
    flags.put("pekko.remote.artery.bind.hostname", settings.cluster().host());
    // And connect out from there: a member's outbound connections then carry its own address, so
    // that packet filters between members (the chaos run's partitions, one loopback address per
    // member) can tell who is talking. Otherwise the kernel picks 127.0.0.1 for every member.
    flags.put("pekko.remote.artery.advanced.tcp.outbound-client-hostname", settings.cluster().host());
    flags.put("pekko.cluster.seed-nodes", settings.seeds().stream().map(HostPort::pekkoAddress).toList());
    flags.put("pekko.cluster.roles", List.of(NodeName.role(settings.name())));
    flags.put("jdlm.cli.node.name", settings.name());
    flags.put("jdlm.cli.node.dir", settings.dir().toAbsolutePath().toString());
    settings.store().ifPresent(url -> {
      flags.put("jdlm.store.url", url);
      // The URL says which database it is; -Djdlm.store.kind is for deployments that set the URL in config.
      flags.put("jdlm.store.kind", url.startsWith("jdbc:postgresql:") ? "postgres" : "h2");
    });
    settings.pidDir().ifPresent(d -> flags.put("jdlm.fencing.power.pid-dir", d.toAbsolutePath().toString()));
    return ConfigFactory.parseMap(flags, "dlm node command line")
        .withFallback(ConfigFactory.defaultOverrides())
        .withFallback(ConfigFactory.defaultApplication())
        .withFallback(ConfigFactory.parseResourcesAnySyntax(NODE_DEFAULTS))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }
}
