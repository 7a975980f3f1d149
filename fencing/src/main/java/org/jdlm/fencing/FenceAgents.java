package org.jdlm.fencing;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;

/** Builds the standard agents ({@code power}, {@code storage}, {@code watchdog}) of one node from {@code jdlm.fencing}. */
public final class FenceAgents {
  private FenceAgents() {}

  /**
   * The three standard agents, keyed by name, for the coordinator of node {@code selfNode}.
   *
   * @param pidOf the pid of a node's process; when {@code jdlm.fencing.power.pid-dir} is set and
   *              this is null, the lab supervisor's pid files in that directory are used
   * @param disk  the shared disk (its singleton proxy) that the storage agent preempts on
   */
  public static Map<String, FenceAgent> standard(ActorSystem<?> system, String selfNode,
                                                 Function<String, OptionalLong> pidOf,
                                                 ActorRef<SharedDisk.Command> disk) {
    Config c = system.settings().config().getConfig("jdlm.fencing");
    Function<String, OptionalLong> lookup = pidOf;
    if (lookup == null) {
      String dir = c.getString("power.pid-dir");
      lookup = dir.isBlank() ? node -> OptionalLong.empty() : PidFiles.inDirectory(Path.of(dir));
    }
    Function<String, OptionalLong> byName = lookup;
    return standardForTargets(system, selfNode, target -> byName.apply(target.node()), disk);
  }

  /**
   * Like {@link #standard} with an incarnation-aware pid lookup for the power agent: a fence of an
   * old incarnation must never kill the process of a newer one (see {@link PowerAgent#REPLACED}).
   */
  public static Map<String, FenceAgent> standardForTargets(ActorSystem<?> system, String selfNode,
      Function<org.jdlm.fencing.core.FenceOperation.Target, OptionalLong> pidOfTarget,
      ActorRef<SharedDisk.Command> disk) {
    Config c = system.settings().config().getConfig("jdlm.fencing");
    Map<String, FenceAgent> agents = new LinkedHashMap<>();
    agents.put("power", new PowerAgent("power", system.dispatchers().lookup(DispatcherSelector.blocking()),
        PowerAgent.Settings.fromConfig(system.settings().config()), pidOfTarget));
    agents.put("storage", new StorageAgent("storage", disk, selfNode, c.getDuration("storage.ack-timeout"),
        system.scheduler()));
    agents.put("watchdog", new WatchdogAgent("watchdog", c.getDuration("watchdog.timeout"), Clock.systemUTC()));
    return Map.copyOf(agents);
  }
}
