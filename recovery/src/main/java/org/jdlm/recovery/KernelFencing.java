package org.jdlm.recovery;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.jdlm.dlm.api.FencingPort;
import org.jdlm.fencing.FenceCoordinator;
import org.jdlm.fencing.FenceTask;
import org.jdlm.kernel.Allocation;
import org.jdlm.kernel.AllocationResult;
import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.Mempool;
import org.jdlm.kernel.Task;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.GfpMask;
import org.jdlm.kernel.core.TaskFlag;
import org.jdlm.kernel.core.WaitEdge;
import org.jdlm.kernel.core.waits.Vertex;

/**
 * Fencing on a member that runs a kernel (docs/kernel.md §8): the fence agent is a kernel task of
 * this member ({@code fence_agent}) that allocates its working memory from {@link Kernel#memory()}
 * with its mask and flags — so reclaim runs <em>in the agent's context</em>, and fs-cycles §5.2's
 * closing edge is a real wait — then runs the agent proper ({@code delegate}: the coordinator's
 * port in a lab member, membership removal in process) and frees the memory. A lockspace's recovery
 * waits for the returned stage, so the DLM's {@code waits-fencing} edge ends at this task.
 *
 * <p>Fix switches (fs-cycles §5.2, {@code jdlm.fencing}): {@code memory.reserve} (F-b3
 * {@code fence-reserve}: a mempool {@code fence} filled at start), {@code memory.io-flusher} (F-b3
 * {@code io-flusher}: PR_SET_IO_FLUSHER) and {@code watchdog-fencing} (F-b4: no agent, the fence
 * completes after the watchdog timeout).
 *
 * <p>Its facts (layer {@code fencing}): {@code <member>/fence:<target>[actor=.. agent=#id]
 * --run-by--> <member>/task:fence_agent#id} while an agent runs. A member without a kernel keeps
 * the {@link FenceCoordinator}'s {@code MemoryManager} path.
 */
public final class KernelFencing implements FencingPort, AutoCloseable {

  /**
   * @param task        working bytes, mask and flags of the agent ({@code jdlm.fencing.memory})
   * @param reserve     mempool elements of working bytes kept for the agent (0: none)
   * @param ioFlusher   run the agent with IO_FLUSHER
   * @param watchdog    watchdog fencing: no agent, completion after {@code watchdogTimeout}
   */
  public record Settings(FenceTask.Settings task, int reserve, boolean ioFlusher, boolean watchdog,
                         Duration watchdogTimeout) {
    public Settings {
      Objects.requireNonNull(task, "task");
      if (reserve < 0) {
        throw new IllegalArgumentException("jdlm.fencing.memory.reserve must be >= 0, got " + reserve);
      }
      if (watchdogTimeout.isNegative()) {
        throw new IllegalArgumentException("jdlm.fencing.watchdog-fencing.timeout must not be negative, got "
            + watchdogTimeout);
      }
    }

    /** Reads {@code jdlm.fencing}; names the key of a bad value. */
    public static Settings fromConfig(Config config) {
      Config c = config.getConfig("jdlm.fencing");
      return new Settings(FenceCoordinator.Settings.fromConfig(config).task(), c.getInt("memory.reserve"),
          c.getBoolean("memory.io-flusher"), c.getBoolean("watchdog-fencing.enabled"),
          c.getDuration("watchdog-fencing.timeout"));
    }

    /** The fix switches in force, as the detector's header prints them. */
    public java.util.List<String> fixSwitches() {
      java.util.List<String> out = new java.util.ArrayList<>();
      if (reserve > 0) {
        out.add("fence-reserve");
      }
      if (ioFlusher) {
        out.add("io-flusher");
      }
      if (watchdog) {
        out.add("watchdog-fencing");
      }
      return out;
    }
  }

  private record Running(Task task, String target) {}

  private final Kernel kernel;
  private final FencingPort delegate;
  private final Settings settings;
  private final UnaryOperator<String> memberName;
  private final Mempool reserve;
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  private final Map<String, Boolean> watching = new ConcurrentHashMap<>();
  /** Fences in progress by target and incarnation: later requests for the same one share it. */
  private final Map<String, CompletableFuture<Long>> inFlight = new ConcurrentHashMap<>();
  private final AutoCloseable facts;

  /**
   * Fencing for {@code kernel}'s member: agents run as its tasks, then {@code delegate} fences;
   * {@code memberName} turns the DLM's node id into the detector's member name (as the DLM's facts
   * do, {@code Dlm.useKernel(kernel, memberName)}). Creates the reserve now, before any pressure.
   */
  public KernelFencing(Kernel kernel, FencingPort delegate, Settings settings, UnaryOperator<String> memberName) {
    this.kernel = Objects.requireNonNull(kernel, "kernel");
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.memberName = Objects.requireNonNull(memberName, "memberName");
    this.reserve = settings.reserve() == 0 ? null
        : kernel.memory().createMempool("fence", settings.reserve(), settings.task().workingBytes(), GfpMask.NOWAIT);
    this.facts = kernel.addFactSource("fencing", (sink, toDetector) -> {
      for (Running r : running.values()) {
        Vertex fence = Vertex.fence(kernel.member(), r.target());
        sink.state(fence, "actor=" + kernel.member() + " agent=#" + r.task().id());
        sink.runBy(fence, Vertex.local(kernel.member(), r.task().endpoint()));
      }
      for (String target : watching.keySet()) {
        // Nothing runs: the fence completes with time alone, so the vertex has no edge (it progresses).
        sink.state(Vertex.fence(kernel.member(), target), "actor=" + kernel.member() + " watchdog");
      }
    });
  }

  @Override
  public CompletionStage<Long> fence(String node, String address, long incarnation) {
    String target = memberName.apply(node);
    if (settings.watchdog()) {
      watching.put(target, Boolean.TRUE);
      long ms = settings.watchdogTimeout().toMillis();
      return CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(ms, TimeUnit.MILLISECONDS))
          .thenCompose(v -> delegate.fence(node, address, incarnation))
          .whenComplete((g, e) -> watching.remove(target));
    }
    String key = target + "#" + incarnation;
    CompletableFuture<Long> result = new CompletableFuture<>();
    CompletableFuture<Long> already = inFlight.putIfAbsent(key, result);
    if (already != null) {
      return already; // every lockspace's recovery asks; one agent fences the member for all (dlm_controld)
    }
    result.whenComplete((g, e) -> inFlight.remove(key, result));
    Set<TaskFlag> flags = EnumSet.noneOf(TaskFlag.class);
    flags.addAll(settings.task().taskFlags());
    if (settings.ioFlusher()) {
      flags.add(TaskFlag.IO_FLUSHER);
    }
    Runnable body = () -> {
      Task me = Task.current();
      running.put(key, new Running(me, target));
      try {
        result.complete(runAgent(me, node, address, incarnation, target));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      } finally {
        running.remove(key);
      }
    };
    try {
      kernel.spawn("fence_agent", flags, body);
    } catch (IllegalStateException e) {
      result.completeExceptionally(e); // the kernel is stopping or full: recovery retries the fence
    }
    return result;
  }

  /** The agent's body, in its task: working memory (fork/exec/page-in), the fence, the free. */
  private long runAgent(Task me, String node, String address, long incarnation, String target) {
    GfpMask mask = settings.task().mask();
    AllocationResult mem = reserve != null ? reserve.alloc(mask)
        : kernel.memory().allocate(settings.task().workingBytes(), mask);
    if (mem instanceof AllocationResult.Failed f) {
      throw new IllegalStateException("fence agent for " + target + " on " + kernel.member()
          + " got no working memory: " + f.reason());
    }
    Allocation working = (Allocation) mem;
    try {
      return me.await(WaitEdge.of(EdgeKind.WAITS_REPLY, "fence " + target, "fence-device:" + target),
          delegate.fence(node, address, incarnation));
    } finally {
      if (reserve != null) {
        reserve.free(working);
      } else {
        working.close();
      }
    }
  }

  @Override
  public CompletionStage<Long> advanceGeneration(long atLeast, String reason) {
    return delegate.advanceGeneration(atLeast, reason);
  }

  /** Unregisters the facts and returns the reserve. */
  @Override
  public void close() {
    try {
      facts.close();
    } catch (Exception e) {
      throw new IllegalStateException("fencing facts did not unregister", e);
    }
    if (reserve != null) {
      reserve.destroy();
    }
  }

  @Override
  public String toString() {
    return "kernel fence agent on " + kernel.member() + " then " + delegate;
  }
}
