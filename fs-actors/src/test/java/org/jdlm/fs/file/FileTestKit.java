package org.jdlm.fs.file;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jdlm.fs.FsSettings;
import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.core.TaskFlag;
import org.jdlm.kernel.core.TaskSnapshot;

/** Helpers of the file layer tests: kernels, settings, running a file operation in a kernel task. */
final class FileTestKit {
  static final long BOUND_MS = 20_000;

  private FileTestKit() {}

  /** A file operation that may fail as expected. */
  @FunctionalInterface
  interface FsCall<T> {
    T call() throws FsException;
  }

  static Kernel kernel(String member, String overrides) {
    Config c = ConfigFactory.parseString("jdlm.kernel.memory.kswapd.enabled = off\n" + overrides)
        .withFallback(ConfigFactory.defaultReference()).resolve();
    return Kernel.start(member, Kernel.Settings.from(c), Kernel.systemClock(), false);
  }

  static Config config(String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  static FsSettings fsSettings(String overrides) {
    return FsSettings.from(config(overrides));
  }

  static FileSettings fileSettings(String overrides) {
    return FileSettings.from(config(overrides));
  }

  /** Starts {@code body} on a new kernel task; the future carries its result or its failure. */
  static <T> CompletableFuture<T> start(Kernel kernel, String name, FsCall<T> body) {
    CompletableFuture<T> result = new CompletableFuture<>();
    kernel.spawn(name, EnumSet.noneOf(TaskFlag.class), () -> {
      try {
        result.complete(body.call());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    });
    return result;
  }

  /** Runs {@code body} on a kernel task and waits for it; an FsException comes back as itself. */
  static <T> T run(Kernel kernel, String name, FsCall<T> body) throws FsException {
    return join(start(kernel, name, body));
  }

  static <T> T join(CompletableFuture<T> f) throws FsException {
    try {
      return f.get(BOUND_MS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof FsException fe) {
        throw fe;
      }
      throw new AssertionError("file operation failed", e.getCause());
    } catch (Exception e) {
      throw new AssertionError("file operation did not finish within " + BOUND_MS + " ms", e);
    }
  }

  static void until(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + BOUND_MS * 1_000_000;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + BOUND_MS + " ms: " + what);
      }
      Thread.sleep(5);
    }
  }

  static TaskSnapshot task(Kernel kernel, String name) {
    return kernel.tasks().stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
  }
}
