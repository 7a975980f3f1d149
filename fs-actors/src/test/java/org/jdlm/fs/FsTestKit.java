package org.jdlm.fs;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.core.TaskFlag;
import org.jdlm.kernel.core.TaskSnapshot;

/** Shared helpers of the glock shell tests: a member's kernel, tasks, bounded waits. */
final class FsTestKit {
  static final long BOUND_MS = 20_000;

  private FsTestKit() {}

  /** A member's kernel on the real clock (the actors' timers run on real time), kswapd off. */
  static Kernel kernel(String member, String overrides) {
    Config c = ConfigFactory.parseString("jdlm.kernel.memory.kswapd.enabled = off\n" + overrides)
        .withFallback(ConfigFactory.defaultReference()).resolve();
    return Kernel.start(member, Kernel.Settings.from(c), Kernel.systemClock(), false);
  }

  static FsSettings settings(String overrides) {
    return FsSettings.from(ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference())
        .resolve());
  }

  /** Runs {@code body} on a new kernel task of {@code kernel}; the future carries its result or failure. */
  static <T> CompletableFuture<T> onTask(Kernel kernel, String name, Supplier<T> body) {
    CompletableFuture<T> result = new CompletableFuture<>();
    kernel.spawn(name, EnumSet.noneOf(TaskFlag.class), () -> {
      try {
        result.complete(body.get());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    });
    return result;
  }

  static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(BOUND_MS, TimeUnit.MILLISECONDS);
  }

  /**
   * Polls {@code condition} (a snapshot read: task registry, glock dump) until it holds, at most
   * {@link #BOUND_MS}. These states have no event to subscribe to; the poll is bounded.
   */
  static void until(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + BOUND_MS * 1_000_000;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + BOUND_MS + " ms: " + what);
      }
      Thread.sleep(5);
    }
  }

  /** The snapshot of the live task named {@code name}, or null. */
  static TaskSnapshot task(Kernel kernel, String name) {
    return kernel.tasks().stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
  }

  static String dump(Glocks glocks) {
    try {
      return glocks.dump().toCompletableFuture().get(BOUND_MS, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("glock dump failed", e);
    }
  }
}
