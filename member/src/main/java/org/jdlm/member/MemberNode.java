package org.jdlm.member;

import com.typesafe.config.Config;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running cluster member: its ActorSystem (name {@value NodeSettings#SYSTEM_NAME}, cluster
 * provider, Artery TCP on loopback) and its {@link ControlEndpoint}. The store and fencing services
 * are {@link NodeServices}, installed by {@code dlm node} right after {@link #start}; later issues
 * spawn the lockspaces and filesystem actors and register their control paths.
 */
public final class MemberNode {
  private static final Logger log = LoggerFactory.getLogger(MemberNode.class);

  /**
   * Exit status of `dlm node` after a graceful leave. (On SIGTERM or Ctrl-C the JVM's shutdown hook
   * runs coordinated shutdown, which leaves the cluster, and the JVM exits with 143 or 130.)
   */
  public static final int EXIT_LEFT = 0;
  /**
   * Exit status of `dlm node` when its system terminated for any other reason, e.g. it was downed
   * while it had no store (a member with a store halts with jdlm.fencing.watchdog.exit-status instead).
   */
  public static final int EXIT_TERMINATED = 1;
  /** Exit status when the fencing authority refused this incarnation or never answered ({@link NodeServices.NotAdmitted}). */
  public static final int EXIT_NOT_ADMITTED = 2;

  private final ActorSystem<Void> system;
  private final ControlEndpoint control;
  private final java.util.Optional<MemberKernel> kernel;
  private final java.util.Optional<MemberFilesystems> filesystems;

  private MemberNode(ActorSystem<Void> system, ControlEndpoint control, java.util.Optional<MemberKernel> kernel) {
    this.system = system;
    this.control = control;
    this.kernel = kernel;
    // A filesystem runs on the member's kernel (its tasks, memory and shrinkers), so only a member
    // with a kernel can mount one.
    this.filesystems = kernel.map(k -> new MemberFilesystems(system, k.kernel(), system.settings().config()));
  }

  /**
   * Starts the member: control endpoint first (a busy port then fails before anything else runs),
   * then the ActorSystem, which joins the seed nodes in the background.
   *
   * @throws CliError if a port is in use or the directory cannot be created
   */
  public static MemberNode start(NodeSettings settings, Config config) {
    return start(settings, config, member -> { });
  }

  /**
   * Like {@link #start(NodeSettings, Config)}, with {@code install} run on the started member
   * before {@code /status} answers: whoever waits for this member to be Up through {@code /status}
   * (the lab supervisor, then a bench or scenario run) never reaches it before the paths and
   * services {@code install} adds are in place. If {@code install} throws, the member is stopped.
   *
   * @throws CliError if a port is in use or the directory cannot be created
   */
  public static MemberNode start(NodeSettings settings, Config config, java.util.function.Consumer<MemberNode> install) {
    try {
      Files.createDirectories(settings.dir());
    } catch (IOException e) {
      throw new CliError("cannot create node directory " + settings.dir() + ": " + e.getMessage());
    }
    Config node = config.getConfig("jdlm.cli.node");
    // Artery reports a busy port with a logged stack trace before the ActorSystem fails; check first so
    // the user gets one line. (A port taken between this check and the bind still fails, less politely.)
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress(settings.cluster().host(), settings.cluster().port()));
    } catch (IOException e) {
      throw new CliError("cluster port " + settings.cluster().port() + " on " + settings.cluster().host() + " is in use");
    }
    ControlEndpoint control;
    try {
      control = ControlEndpoint.start(settings.controlHost(), settings.controlPort(), node.getInt("control-threads"));
    } catch (BindException e) {
      throw new CliError("control port " + settings.controlPort() + " on " + settings.controlHost() + " is in use");
    } catch (IOException e) {
      throw new CliError("cannot open control endpoint on port " + settings.controlPort() + ": " + e.getMessage());
    }
    ActorSystem<Void> system;
    try {
      system = ActorSystem.create(Behaviors.empty(), NodeSettings.SYSTEM_NAME, config);
    } catch (RuntimeException e) {
      control.close();
      if (hasCause(e, BindException.class)) {
        throw new CliError("cluster port " + settings.cluster().port() + " on " + settings.cluster().host() + " is in use");
      }
      throw e;
    }
    org.jdlm.dlm.Dlm.get(system); // every member runs the DLM guardian from the start, joined or not
    // Before install runs anything that could join a lockspace: the DLM's send buffers come from it.
    java.util.Optional<MemberKernel> kernel;
    try {
      kernel = MemberKernel.startIfEnabled(system, settings.name(), config);
    } catch (RuntimeException e) {
      control.close();
      system.terminate();
      throw e;
    }
    MemberNode member = new MemberNode(system, control, kernel);
    DumpEndpoint.install(system, control, settings.name(), node.getDuration("dump-timeout"));
    GlockDumpEndpoint.install(control, member.filesystems());
    try {
      install.accept(member);
    } catch (RuntimeException e) {
      control.close();
      system.terminate();
      throw e;
    }
    ActorRef<MembershipWatcher.Command> watcher = system.systemActorOf(
        MembershipWatcher.create(node.getInt("removed-history")), "membership", Props.empty());
    Duration askTimeout = node.getDuration("status-timeout");
    control.register("/status", request -> ControlEndpoint.Response.ok(
        AskPattern.<MembershipWatcher.Command, MembershipView>ask(watcher, MembershipWatcher.GetView::new,
                askTimeout, system.scheduler())
            .toCompletableFuture().get(askTimeout.toMillis() + 500, TimeUnit.MILLISECONDS).render()));
    member.filesystems().ifPresent(fs -> {
      fs.mountConfigured(config);
      system.getWhenTerminated().whenComplete((done, failure) -> fs.close());
    });
    log.info("jdlm member {} started: cluster {} control http://{}:{}/ seeds {}", settings.name(),
        settings.cluster().pekkoAddress(), settings.controlHost(), control.port(), settings.seeds());
    return member;
  }

  /** The member's ActorSystem. */
  public ActorSystem<Void> system() {
    return system;
  }

  /** The member's simulated kernel, if {@code jdlm.member.kernel.enabled} (the lab's members). */
  public java.util.Optional<MemberKernel> kernel() {
    return kernel;
  }

  /** The filesystems mounted on this member; present when the member runs a kernel. */
  public java.util.Optional<MemberFilesystems> filesystems() {
    return filesystems;
  }

  /** The member's control endpoint, for registering more paths. */
  public ControlEndpoint control() {
    return control;
  }

  /**
   * Completes with the exit status once the ActorSystem has terminated: {@link #EXIT_LEFT} after a
   * leave or JVM shutdown, {@link #EXIT_TERMINATED} otherwise (downed by the Split Brain Resolver,
   * removed while paused, failed to join). The control endpoint is closed first, so no one reads a
   * dead member's view.
   */
  public CompletionStage<Integer> termination() {
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    system.getWhenTerminated().whenComplete((done, failure) -> {
      control.close();
      var reason = CoordinatedShutdown.get(system).getShutdownReason();
      boolean left = reason.isPresent() && (reason.get() == CoordinatedShutdown.clusterLeavingReason()
          || reason.get() == CoordinatedShutdown.jvmExitReason());
      log.info("jdlm member terminated (reason: {})", reason.map(Object::toString).orElse("none"));
      boolean notAdmitted = reason.isPresent() && reason.get() instanceof NodeServices.NotAdmitted;
      exit.complete(left ? EXIT_LEFT : notAdmitted ? EXIT_NOT_ADMITTED : downedStatus(reason));
    });
    return exit;
  }

  /**
   * A downed member with a store has the self-fence installed, which halts with
   * {@code jdlm.fencing.watchdog.exit-status}; if the system's own termination wins that race, exit
   * with the same status, so a downed member's status does not depend on timing.
   */
  private int downedStatus(java.util.Optional<CoordinatedShutdown.Reason> reason) {
    var config = system.settings().config();
    boolean downed = reason.isPresent() && reason.get() == CoordinatedShutdown.clusterDowningReason();
    boolean selfFence = config.hasPath("jdlm.store.url") && !config.getString("jdlm.store.url").isBlank()
        && config.getBoolean("jdlm.fencing.watchdog.self-fence");
    return downed && selfFence ? config.getInt("jdlm.fencing.watchdog.exit-status") : EXIT_TERMINATED;
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
