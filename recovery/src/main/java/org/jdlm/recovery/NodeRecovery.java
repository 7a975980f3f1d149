package org.jdlm.recovery;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.typed.Cluster;
import org.jdlm.dlm.Dlm;
import org.jdlm.fencing.FenceAgent;
import org.jdlm.fencing.FenceAgents;
import org.jdlm.fencing.FenceCoordinator;
import org.jdlm.fencing.FencingAuthority;
import org.jdlm.fencing.StoreFencingAuthority;
import org.jdlm.fencing.store.StoreConfig;
import org.jdlm.fencing.SelfFence;
import org.jdlm.fencing.SharedDisk;
import org.jdlm.kernel.MemoryManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's recovery controller, in the role of dlm_controld and gfs_controld: from membership it
 * decides what failed, fences it, lets each lockspace recover (the phases stay with the lockspace in
 * dlm-actors, docs/recovery.md) and, once the filesystem exists, hands over to its
 * {@link JournalRecovery}. {@link #start} wires what a member with a shared store needs for that:
 *
 * <ul>
 *   <li>the persistent {@link FencingAuthority} and the {@link SharedDisk} (cluster singletons);
 *   <li>a {@link FenceCoordinator} with the standard agents (power, storage, watchdog);
 *   <li>the DLM's {@link org.jdlm.dlm.api.FencingPort} over them ({@link LabFencingPort}), so a
 *       lockspace recovery waits for a real fence and takes its generations from the authority;
 *   <li>fencing on unreachability ({@link UnreachableFencer}) and self-fence on downing
 *       ({@link SelfFence}), each when configured.
 * </ul>
 *
 * A Java service that embeds a member gets real fencing by calling {@link #start} on its own
 * ActorSystem (or through {@code org.jdlm.member.NodeServices}, which does it for {@code dlm node}).
 */
public final class NodeRecovery {
  private static final Logger log = LoggerFactory.getLogger(NodeRecovery.class);

  /**
   * The checked settings of one node's recovery.
   *
   * @param node this member's name, as the fence agents address it ({@link NodeName})
   * @param fencing the fence coordinator's settings ({@code jdlm.fencing})
   * @param fenceTimeout bound on one fence a lockspace recovery or the unreachable fencer waits for
   * @param askTimeout bound on one ask to the fencing authority
   * @param pidDir where the lab keeps {@code <node>.pid} files for the power agent; empty outside the lab
   * @param onUnreachable fence, then down, a member unreachable from the majority ({@code jdlm.fencing.on-unreachable})
   * @param unreachableAfter how long a member must stay unreachable first
   * @param checkInterval how often the unreachable fencer looks for members that became due
   * @param selfFence halt this JVM when this member is downed ({@code jdlm.fencing.watchdog.self-fence})
   * @param selfFenceExitStatus the status it halts with
   */
  public record Settings(String node, FenceCoordinator.Settings fencing, Duration fenceTimeout, Duration askTimeout,
                         Optional<Path> pidDir, boolean onUnreachable, Duration unreachableAfter, Duration checkInterval,
                         boolean selfFence, int selfFenceExitStatus) {
    public Settings {
      Objects.requireNonNull(node);
      Objects.requireNonNull(fencing);
      Objects.requireNonNull(pidDir);
    }

    /**
     * Reads {@code jdlm.fencing.*} for node {@code node}; the two bounds are the caller's (a member
     * has them under its own settings).
     */
    public static Settings fromConfig(Config config, String node, Duration fenceTimeout, Duration askTimeout) {
      String pidDir = config.getString("jdlm.fencing.power.pid-dir");
      return new Settings(node, FenceCoordinator.Settings.fromConfig(config), fenceTimeout, askTimeout,
          pidDir.isBlank() ? Optional.empty() : Optional.of(Path.of(pidDir)),
          config.getBoolean("jdlm.fencing.on-unreachable.enabled"),
          config.getDuration("jdlm.fencing.on-unreachable.after"),
          config.getDuration("jdlm.fencing.on-unreachable.check-interval"),
          config.getBoolean("jdlm.fencing.watchdog.self-fence"),
          config.getInt("jdlm.fencing.watchdog.exit-status"));
    }
  }

  private final ActorRef<FencingAuthority.Command> authority;
  private final ActorRef<SharedDisk.Command> disk;
  private final ActorRef<FenceCoordinator.Command> coordinator;
  private final JournalRecovery journals;

  private NodeRecovery(ActorRef<FencingAuthority.Command> authority, ActorRef<SharedDisk.Command> disk,
                       ActorRef<FenceCoordinator.Command> coordinator, JournalRecovery journals) {
    this.authority = authority;
    this.disk = disk;
    this.coordinator = coordinator;
    this.journals = journals;
  }

  /**
   * Starts the node's fencing and recovery on {@code system} (clustered, with Pekko Persistence on
   * the shared store). Call once, before any lockspace joins: the DLM's fencing is set here.
   *
   * @param store the shared store, where the fencing authority's ledger lives
   * @param memory the node's memory manager (the watchdog agent's fence releases its reservations)
   * @param journals the filesystem's journal recovery, or {@link JournalRecovery#NONE}
   */
  public static NodeRecovery start(ActorSystem<?> system, Settings settings, StoreConfig.Settings store,
                                   ActorRef<MemoryManager.Command> memory, JournalRecovery journals) {
    // The ledger lives in the store and every member decides on it there, so no member hosts the
    // authority and losing the oldest member does not stall recovery (issue 14, item 3).
    ActorRef<FencingAuthority.Command> authority = StoreFencingAuthority.start(system, store);
    ActorRef<SharedDisk.Command> disk = SharedDisk.initSingleton(system);
    Map<String, FenceAgent> agents;
    if (settings.pidDir().isEmpty()) {
      agents = FenceAgents.standard(system, settings.node(), node -> OptionalLong.empty(), disk);
    } else {
      announceIncarnation(system, settings.node(), settings.pidDir().get());
      agents = FenceAgents.standardForTargets(system, settings.node(),
          new LabPidLookup(settings.pidDir().get())::forTarget, disk);
    }
    ActorRef<FenceCoordinator.Command> coordinator = system.systemActorOf(
        FenceCoordinator.create(settings.fencing(), agents, memory, authority), "fence-coordinator", Props.empty());
    // Lockspace recovery fences through this coordinator and takes its generations from the
    // authority (brief §3: fencing is real; tokens never go back). Set before any lockspace joins.
    // Once a fence is confirmed the filesystems' journal recovery starts beside the lockspace's own
    // (fs-cycles §4.1: fence, lockspace recovery, journal replay, unblock; RecoveryOrder).
    Dlm.get(system).useFencing(new RecoveryOrder(new LabFencingPort(system, coordinator, authority,
        settings.fenceTimeout(), settings.askTimeout()), journals));
    if (settings.onUnreachable()) {
      // Fence first, then down: recovery need not wait for the split-brain resolver's stable-after.
      system.systemActorOf(UnreachableFencer.create(coordinator, settings.unreachableAfter(), settings.checkInterval(),
          settings.fenceTimeout()), "unreachable-fencer", Props.empty());
    }
    if (settings.selfFence()) {
      // A downed member halts at once rather than run on beside the survivors (watchdog fencing).
      SelfFence.install(system, Runtime.getRuntime()::halt, settings.selfFenceExitStatus());
    }
    return new NodeRecovery(authority, disk, coordinator, journals);
  }

  /**
   * Appends {@code PID UID} to {@code <pid dir>/<name>.incarnations}, so the power agent fences the
   * process of the incarnation it was asked to fence, never a restarted one (LabPidLookup).
   */
  private static void announceIncarnation(ActorSystem<?> system, String name, Path pidDir) {
    long incarnation = Cluster.get(system).selfMember().uniqueAddress().longUid();
    try {
      Files.writeString(LabPidLookup.incarnationsFile(pidDir, name), ProcessHandle.current().pid() + " " + incarnation
          + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      log.warn("could not announce incarnation in {}: {}; the power agent falls back to the pid file", pidDir, e.toString());
    }
  }

  /** The persistent fencing authority (singleton proxy). */
  public ActorRef<FencingAuthority.Command> authority() {
    return authority;
  }

  /** The shared disk (singleton proxy). */
  public ActorRef<SharedDisk.Command> disk() {
    return disk;
  }

  /** This node's fence coordinator: operator fences go to it too. */
  public ActorRef<FenceCoordinator.Command> coordinator() {
    return coordinator;
  }

  /** The filesystem's journal recovery this node hands over to after each fence ({@link RecoveryOrder}). */
  public JournalRecovery journals() {
    return journals;
  }
}
