package org.jdlm.dlm;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.jdlm.dlm.api.CommMemory;
import org.jdlm.dlm.api.CommSettings;
import org.jdlm.dlm.api.DlmException;
import org.jdlm.dlm.api.FencingPort;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.dlm.core.SyncStatus;

/**
 * The entry point of the Java API on one node: {@code Dlm.get(system).joinLockspace("fs1",
 * LockspaceSettings.defaults())}.
 *
 * <p>It lives beside the implementation, not in {@code org.jdlm.dlm.api}, because it is the
 * bootstrap that builds the guardian and the lockspaces: the api package holds only what users
 * and the implementation share (handles, listeners, values, the fencing SPI), so the two packages
 * depend one way ({@code org.jdlm.dlm -> org.jdlm.dlm.api}, checked by {@code ArchitectureTest}).
 *
 * <p>The actor system must use the cluster provider ({@code pekko.actor.provider = cluster}) and be
 * a cluster member; lockspace members find each other with the Receptionist.
 */
public final class Dlm implements Extension {

  private static final Pattern LOCKSPACE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private static final ExtensionId<Dlm> ID = new ExtensionId<>() {
    @Override
    public Dlm createExtension(ActorSystem<?> system) {
      return new Dlm(system);
    }
  };

  private final ActorSystem<?> system;
  private final DlmSettings settings;
  private final ActorRef<DlmGuardian.Command> guardian;
  private final ConcurrentMap<String, LockspaceLocal> joined = new ConcurrentHashMap<>();

  private Dlm(ActorSystem<?> system) {
    this.system = system;
    this.settings = DlmSettings.fromConfig(system.settings().config());
    this.guardian = system.systemActorOf(DlmGuardian.create(settings), DlmGuardian.NAME, Props.empty());
    org.jdlm.dlm.WaitsDetector.get(system); // every DLM member takes part in the wait-for-graph detector
  }

  /** The node's DLM (created on first use). */
  public static Dlm get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** The settings read from {@code jdlm.dlm}. */
  public DlmSettings settings() {
    return settings;
  }

  /**
   * Joins lockspace {@code name} (letters, digits, {@code _ . -}, 1..64 characters). Completes when
   * this node is a member and locking is enabled, or fails after {@code jdlm.dlm-actors.join-timeout}.
   * Joining a lockspace this node already joined returns the same handle when the settings agree.
   *
   * @throws DlmException {@code EINVAL} for a bad name, {@code EEXIST} when already joined with
   *                      other settings
   */
  public CompletionStage<LockspaceHandle> joinLockspace(String name, LockspaceSettings lockspaceSettings) {
    if (name == null || !LOCKSPACE_NAME.matcher(name).matches()) {
      throw new DlmException(SyncStatus.EINVAL, name,
          "a lockspace name is 1 to 64 letters, digits, '_', '.' or '-'");
    }
    if (lockspaceSettings.lvbLength() > settings.maxLvbLength()) {
      throw new DlmException(SyncStatus.EINVAL, lockspaceSettings.lvbLength(),
          "lvblen exceeds jdlm.dlm-actors.max-lvb-length " + settings.maxLvbLength());
    }
    // The close callback forgets exactly this instance: a second join's throw-away instance is
    // closed below and must not remove the member that is already running under the same name.
    LockspaceLocal[] self = new LockspaceLocal[1];
    LockspaceLocal fresh = new LockspaceLocal(name, lockspaceSettings, settings, n -> joined.remove(n, self[0]));
    self[0] = fresh;
    LockspaceLocal existing = joined.putIfAbsent(name, fresh);
    if (existing != null) {
      fresh.close();
      if (!existing.settings().equals(lockspaceSettings)) {
        throw new DlmException(SyncStatus.EEXIST, lockspaceSettings,
            "lockspace " + name + " is already joined on this node with " + existing.settings());
      }
      return existing.joined();
    }
    CommMemory comm = commMemory;
    if (comm != null) {
      try {
        fresh.useComm(comm.open(name, lockspaceSettings.comm() != null ? lockspaceSettings.comm() : commSettings));
      } catch (RuntimeException e) {
        fresh.close();
        throw new DlmException(SyncStatus.ENOMEM, name, "the lockspace's send buffers could not be set up: "
            + e.getMessage());
      }
    }
    guardian.tell(new DlmGuardian.Join(fresh));
    CompletableFuture<LockspaceHandle> result = fresh.joined().toCompletableFuture();
    return result.orTimeout(settings.joinTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The handle of a lockspace this node has joined, or {@code null}. */
  public LockspaceHandle lockspace(String name) {
    LockspaceLocal local = joined.get(name);
    return local == null || !local.joined().toCompletableFuture().isDone() ? null : local;
  }

  private volatile FencingPort fencing = FencingPort.MEMBERSHIP;

  /**
   * Connects fencing: every lockspace's recovery fences failed members and takes its generation
   * through {@code port}. Set it before joining lockspaces (the node assembly does).
   */
  public void useFencing(FencingPort port) {
    this.fencing = java.util.Objects.requireNonNull(port, "port");
  }

  private volatile CommMemory commMemory;
  private volatile CommSettings commSettings;

  /**
   * Accounts the DLM's send buffers in {@code kernel}'s memory (docs/kernel.md, "The DLM's send
   * buffers"), with {@code jdlm.dlm-actors.comm} as every lockspace's default. Lockspaces joined
   * afterwards use it; call it before joining (the member assembly does, beside {@link #useFencing}).
   */
  public void useKernel(org.jdlm.kernel.Kernel kernel) {
    useKernel(kernel, java.util.function.UnaryOperator.identity());
  }

  /**
   * As {@link #useKernel(org.jdlm.kernel.Kernel)}, and adds the DLM's facts to the kernel's wait-for
   * graph (docs/detector.md §4): layer {@code dlm}, the application locks' waits and holders
   * ({@link WaitsDetector}), and layer {@code dlm-lockspaces}, stopped lockspaces and the fences
   * their recovery waits for ({@link LockspaceFacts}). {@code memberName} maps a DLM node id
   * ({@code host:port}) to the name members have in the detector (the kernels' member names);
   * fencing must use the same names.
   */
  public void useKernel(org.jdlm.kernel.Kernel kernel, java.util.function.UnaryOperator<String> memberName) {
    useCommMemory(new KernelCommMemory(kernel), CommSettings.fromConfig(system.settings().config()));
    java.util.Objects.requireNonNull(memberName, "memberName");
    WaitsDetector detector = WaitsDetector.get(system);
    synchronized (this) {
      closeFacts();
      // The DLM stamps its waits with System.nanoTime: placed against the kernel's now, whatever its clock.
      factRegistrations.add(kernel.addFactSource("dlm", (sink, toDetector) -> {
        long offset = toDetector.applyAsLong(kernel.clock().nanos()) - System.nanoTime();
        detector.feedDlm(sink, t -> t + offset);
      }));
      factRegistrations.add(kernel.addFactSource("dlm-lockspaces", (sink, toDetector) ->
          LockspaceFacts.feed(kernel.member(), joined.values(), memberName, sink)));
    }
    this.kernel = kernel;
  }

  private volatile org.jdlm.kernel.Kernel kernel;

  /** The kernel installed by {@link #useKernel}, or null. */
  public org.jdlm.kernel.Kernel kernel() {
    return kernel;
  }

  /** The kernel fact sources registered by the last {@link #useKernel}. Guarded by this. */
  private final java.util.List<AutoCloseable> factRegistrations = new java.util.ArrayList<>();

  private void closeFacts() {
    for (AutoCloseable r : factRegistrations) {
      try {
        r.close();
      } catch (Exception e) {
        throw new IllegalStateException("the DLM's fact source did not unregister", e);
      }
    }
    factRegistrations.clear();
  }

  /** Installs any send-buffer source with these default settings; null turns accounting off for later joins. */
  public void useCommMemory(CommMemory memory, CommSettings defaults) {
    this.commSettings = memory == null ? null : java.util.Objects.requireNonNull(defaults, "defaults");
    this.commMemory = memory;
  }

  /** The send-buffer source in use, or null (none: no accounting). */
  public CommMemory commMemory() {
    return commMemory;
  }

  /** The fencing in use ({@link FencingPort#MEMBERSHIP} unless {@link #useFencing} was called). */
  public FencingPort fencing() {
    return fencing;
  }

  /**
   * The names of the lockspaces this node has joined (joins still in progress included), sorted:
   * what a member's {@code /dump} lists when no lockspace is named.
   */
  public java.util.SortedSet<String> lockspaceNames() {
    return java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(joined.keySet()));
  }

  /** The actor system this DLM runs in. */
  public ActorSystem<?> system() {
    return system;
  }
}
