package org.jdlm.dlm.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.jdlm.dlm.Dlm;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.dlm.core.NodeId;

/**
 * N cluster members in one JVM: N ActorSystems with the cluster provider on 127.0.0.1 and free
 * ports, joined to the first, all Up, each member of one lockspace. Used by the
 * {@code dlm-actors} tests and by {@code dlm scenario run --mode inproc}.
 *
 * <pre>
 *   try (InprocCluster cluster = InprocCluster.start(3, "fs1", LockspaceSettings.defaults(), ConfigFactory.empty())) {
 *     LockspaceHandle n1 = cluster.lockspace(0);
 *     ...
 *   }
 * </pre>
 * Node {@code i} (0-based) is scenario node {@code n(i+1)}. {@link #close()} terminates every
 * system, also when start-up failed half way.
 */
public final class InprocCluster implements AutoCloseable {

  /** Test settings: fast gossip and failure detection, no JVM exit, quiet logs. */
  private static final String BASE_CONFIG = """
      pekko {
        loglevel = WARNING
        # Pekko's own stdout logger runs before the SLF4J logger starts and after it stops: at
        # shutdown it printed connection warnings to stdout, after a command's results (dlm chaos).
        stdout-loglevel = OFF
        actor.provider = cluster
        remote.artery.canonical.hostname = "127.0.0.1"
        coordinated-shutdown.exit-jvm = off
        coordinated-shutdown.terminate-actor-system = on
        # kill(i) is abrupt, like kill -9: terminating a system must not leave the cluster
        # gracefully, or its peers would see a clean leave instead of a failure.
        coordinated-shutdown.run-by-actor-system-terminate = off
        cluster {
          # A killed member is downed by the majority and removed, as in the lab (docs/cluster.md).
          downing-provider-class = "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider"
          split-brain-resolver {
            active-strategy = keep-majority
            stable-after = 1s
            down-all-when-unstable = off
          }
          jmx.multi-mbeans-in-same-jvm = on
          # Gossip, leader actions (Joining -> Up, Down -> Removed) and their first run come sooner
          # than Pekko's 1 s: a test cluster forms and removes members in a fraction of a second.
          periodic-tasks-initial-delay = 200ms
          gossip-interval = 200ms
          leader-actions-interval = 200ms
          # Failure detection for test clusters, whose tests are about what happens after a member
          # is found dead, not about how long finding it takes (the lab's bounds, jdlm-node.conf, are
          # measured on real JVMs by MemberFailureJvmTest): heartbeats every 200 ms and the reaper
          # every 200 ms (Pekko: 1 s) find a killed system about a second sooner. The tolerated pause
          # stays 2 s: with 1 s, a 2-core machine under a load of 14 split a 3-member test cluster
          # (members downed that were alive), and a test cluster has no real fencing to stop that.
          failure-detector.heartbeat-interval = 200ms
          failure-detector.acceptable-heartbeat-pause = 2s
          failure-detector.expected-response-after = 500ms
          unreachable-nodes-reaper-interval = 200ms
          # A member restarted at its old address is refused until the old incarnation is removed;
          # it asks again after this (Pekko's 10 s made every restart-at-once wait ~9 s).
          retry-unsuccessful-join-after = 1s
          typed.receptionist.distributed-data.gossip-interval = 100ms
          typed.receptionist.distributed-data.notify-subscribers-interval = 50ms
          log-info = off
        }
      }
      """;

  private final List<ActorSystem<Void>> systems;
  private final List<LockspaceHandle> lockspaces;
  private final String lockspaceName;
  private final LockspaceSettings settings;

  private Config overrides = ConfigFactory.empty();

  private InprocCluster(List<ActorSystem<Void>> systems, List<LockspaceHandle> lockspaces, String lockspaceName,
      LockspaceSettings settings) {
    this.systems = systems;
    this.lockspaces = lockspaces;
    this.lockspaceName = lockspaceName;
    this.settings = settings;
  }

  /**
   * Starts {@code nodes} members, joins them into one cluster, waits until all are Up and have
   * joined {@code lockspace}, and returns. {@code overrides} are applied on top of the test
   * settings (e.g. a short {@code jdlm.dlm-actors.toss-delay}). Bounded by {@code 60 s}.
   */
  public static InprocCluster start(int nodes, String lockspace, LockspaceSettings settings, Config overrides) {
    return start(nodes, lockspace, settings, overrides, nodes);
  }

  /**
   * Like {@link #start(int, String, LockspaceSettings, Config)} but only the first {@code joined}
   * nodes join the lockspace; the others can {@link #joinLockspace(int)} later (a join while the
   * lockspace is in use).
   */
  public static InprocCluster start(int nodes, String lockspace, LockspaceSettings settings, Config overrides,
      int joined) {
    if (nodes < 1 || joined < 1 || joined > nodes) {
      throw new IllegalArgumentException("an in-process cluster needs at least 1 node and 1..nodes lockspace"
          + " members, got " + nodes + " nodes and " + joined + " members");
    }
    Instant deadline = Instant.now().plusSeconds(60);
    List<ActorSystem<Void>> systems = new ArrayList<>();
    try {
      for (int i = 0; i < nodes; i++) {
        Config config = overrides
            .withFallback(ConfigFactory.parseString("pekko.remote.artery.canonical.port = " + freePort()))
            .withFallback(nameRole(i))
            .withFallback(ConfigFactory.parseString(BASE_CONFIG))
            .withFallback(ConfigFactory.load());
        systems.add(ActorSystem.create(Behaviors.empty(), "jdlm", config));
      }
      for (ActorSystem<Void> system : systems) {
        Dlm.get(system); // start every node's DLM guardian, so joiners' probes find one
      }
      Cluster first = Cluster.get(systems.get(0));
      for (ActorSystem<Void> system : systems) {
        Cluster.get(system).manager().tell(Join.create(first.selfMember().address()));
      }
      for (ActorSystem<Void> system : systems) {
        awaitCondition(() -> allUp(system, nodes), deadline, "all " + nodes + " members Up on " + system.address());
      }
      List<CompletableFuture<LockspaceHandle>> joins = new ArrayList<>();
      for (ActorSystem<Void> system : systems.subList(0, joined)) {
        joins.add(Dlm.get(system).joinLockspace(lockspace, settings).toCompletableFuture());
      }
      List<LockspaceHandle> handles = new ArrayList<>();
      for (CompletableFuture<LockspaceHandle> join : joins) {
        handles.add(join.get(remaining(deadline), TimeUnit.MILLISECONDS));
      }
      // Every member must run with the full view before the cluster is handed out, or a test's
      // first lock could race a late membership change.
      for (LockspaceHandle handle : handles) {
        awaitCondition(() -> handle.members().size() == joined, deadline,
            "lockspace " + lockspace + " on " + handle.nodeId() + " to see " + joined + " members");
      }
      while (handles.size() < nodes) {
        handles.add(null);
      }
      InprocCluster cluster = new InprocCluster(new ArrayList<>(systems), handles, lockspace, settings);
      cluster.overrides = overrides;
      return cluster;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      terminate(systems);
      throw new IllegalStateException("interrupted while starting the in-process cluster", e);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      terminate(systems);
      throw new IllegalStateException("in-process cluster of " + nodes + " nodes did not start: " + e, e);
    }
  }

  /** Starts with lvblen 32 and no overrides. */
  public static InprocCluster start(int nodes, String lockspace) {
    return start(nodes, lockspace, LockspaceSettings.defaults(), ConfigFactory.empty());
  }

  /** Number of nodes. */
  public int size() {
    return systems.size();
  }

  /** Node {@code i}'s actor system (0-based). */
  public ActorSystem<Void> system(int i) {
    return systems.get(i);
  }

  /**
   * Node {@code i} joins the cluster's lockspace (it was started outside it); completes when it is a
   * member. The other members stop, rebuild the directory and resume meanwhile.
   */
  public CompletableFuture<LockspaceHandle> joinLockspace(int i) {
    return Dlm.get(systems.get(i)).joinLockspace(lockspaceName, settings).toCompletableFuture()
        .thenApply(handle -> {
          lockspaces.set(i, handle);
          return handle;
        });
  }

  /** Node {@code i}'s handle of the cluster's lockspace (0-based; scenario node {@code n(i+1)}), or null if it has not joined. */
  public LockspaceHandle lockspace(int i) {
    return lockspaces.get(i);
  }

  /** Node {@code i}'s DLM node id ({@code host:port}), as dumps and {@code LockspaceHandle.members()} show it. */
  public NodeId nodeId(int i) {
    return org.jdlm.dlm.Lockspace.nodeIdOf(Cluster.get(systems.get(i)).selfMember().address());
  }

  /** The index of the node with this id, or -1. */
  public int indexOf(NodeId node) {
    for (int i = 0; i < systems.size(); i++) {
      if (nodeId(i).equals(node)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Kills node {@code i} abruptly (the in-process {@code kill -9}): its actor system stops without
   * leaving the cluster, so the others see it unreachable, the Split Brain Resolver downs it, it is
   * removed, and every lockspace it was in recovers. Waits until the system has stopped.
   */
  public void kill(int i) {
    ActorSystem<Void> victim = systems.get(i);
    victim.terminate();
    try {
      victim.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while killing node " + i, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("node " + i + " did not stop: " + e, e);
    }
    lockspaces.set(i, null);
  }

  /**
   * Starts node {@code i} again after {@link #kill}: a new actor system (a new incarnation, on a new
   * port) joins the cluster through a live member and waits until it is Up. It has joined no
   * lockspace yet; {@link #joinLockspace(int)} (or the caller's own join) does that.
   */
  public ActorSystem<Void> restart(int i) {
    return restart(i, freePort());
  }

  /**
   * Like {@link #restart(int)}, but on the port the node had, as a lab member restarts: the same
   * node id ({@code host:port}), a new incarnation. The cluster admits it only after its old
   * incarnation was removed; a lockspace must treat it as a departed member that joined again.
   */
  public ActorSystem<Void> restartAtSameAddress(int i) {
    int port = systems.get(i).address().getPort()
        .orElseThrow(() -> new IllegalStateException("node " + i + " has no port"));
    return restart(i, port);
  }

  /** Node i is member {@code n<i+1>}: the {@code node:} role the wait-for graph names members by (MemberNames). */
  private static Config nameRole(int i) {
    return ConfigFactory.parseString("pekko.cluster.roles = [\"node:n" + (i + 1) + "\"]");
  }

  private ActorSystem<Void> restart(int i, int port) {
    if (isAlive(i)) {
      kill(i);
    }
    Instant deadline = Instant.now().plusSeconds(60);
    Config config = overrides
        .withFallback(ConfigFactory.parseString("pekko.remote.artery.canonical.port = " + port))
        .withFallback(nameRole(i))
        .withFallback(ConfigFactory.parseString(BASE_CONFIG))
        .withFallback(ConfigFactory.load());
    ActorSystem<Void> fresh = ActorSystem.create(Behaviors.empty(), "jdlm", config);
    systems.set(i, fresh);
    Dlm.get(fresh);
    ActorSystem<Void> seed = null;
    for (int k = 0; k < systems.size() && seed == null; k++) {
      if (k != i && isAlive(k)) {
        seed = systems.get(k);
      }
    }
    Cluster.get(fresh).manager().tell(Join.create((seed == null ? fresh : seed).address()));
    try {
      // Its own view says Up once the leader admitted it (the killed incarnation may still be
      // listed until it is removed, so a member count would be the wrong test).
      awaitCondition(() -> Cluster.get(fresh).selfMember().status() == MemberStatus.up(), deadline,
          "restarted node " + i + " Up");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while restarting node " + i, e);
    }
    return fresh;
  }

  /** Whether node {@code i}'s actor system is still running (not killed). */
  public boolean isAlive(int i) {
    return !systems.get(i).whenTerminated().isCompleted();
  }

  /** Terminates every actor system and waits (bounded) for each to stop. */
  @Override
  public void close() {
    terminate(systems);
  }

  private static void terminate(List<ActorSystem<Void>> systems) {
    for (ActorSystem<Void> system : systems) {
      system.terminate();
    }
    for (ActorSystem<Void> system : systems) {
      try {
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException | TimeoutException e) {
        // Keep terminating the others; a stuck system is reported but must not leak the rest.
        System.err.println("actor system " + system.address() + " did not terminate: " + e);
      }
    }
  }

  private static boolean allUp(ActorSystem<?> system, int nodes) {
    int up = 0;
    for (org.apache.pekko.cluster.Member member : Cluster.get(system).state().getMembers()) {
      if (member.status() == MemberStatus.up()) {
        up++;
      }
    }
    return up == nodes;
  }

  private static long remaining(Instant deadline) {
    return Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
  }

  private static void awaitCondition(java.util.function.BooleanSupplier condition, Instant deadline, String what)
      throws InterruptedException {
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      // Polling cluster state: membership has no per-test event to wait on here, and the wait is bounded.
      Thread.sleep(20);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port on 127.0.0.1: " + e.getMessage(), e);
    }
  }
}
