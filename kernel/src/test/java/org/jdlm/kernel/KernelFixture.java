package org.jdlm.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jdlm.kernel.core.GfpMask;
import org.jdlm.kernel.core.ManualClock;
import org.jdlm.kernel.core.ShrinkControl;
import org.jdlm.kernel.core.TaskFlag;
import org.jdlm.kernel.core.TaskSnapshot;
import org.jdlm.kernel.core.TaskState;

/**
 * A small kernel for tests: 100 pages of 4 KiB, min 10, low 20, high 30, a manual clock, no
 * watchdog thread. Waits in tests are bounded waits on events (a task's state, a counter), never
 * sleeps.
 */
final class KernelFixture implements AutoCloseable {
  static final Duration BOUND = Duration.ofSeconds(20);
  static final int PAGE = 4096;

  final ManualClock clock = new ManualClock();
  final Kernel kernel;

  KernelFixture(String overrides) {
    Kernel.Settings settings = Kernel.Settings.from(ConfigFactory.parseString("""
        jdlm.kernel.memory { total-pages = 100, page-size = 4096, min-pages = 10, low-pages = 20, high-pages = 30 }
        jdlm.kernel.memory.reclaim.retry-wait = 10m
        jdlm.kernel.workqueue.worker-bytes = 8KiB
        """ + overrides).withFallback(ConfigFactory.defaultReference()).resolve());
    kernel = Kernel.start("n1", settings, clock, false);
  }

  Memory memory() {
    return kernel.memory();
  }

  /** Runs {@code body} on a new task and returns a future of its result. */
  <T> CompletableFuture<T> onTask(String name, Set<TaskFlag> flags, Supplier<T> body) {
    CompletableFuture<T> result = new CompletableFuture<>();
    kernel.spawn(name, flags, () -> {
      try {
        result.complete(body.get());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    });
    return result;
  }

  /** Runs {@code body} on a task and waits (bounded) for its result. */
  <T> T call(String name, Set<TaskFlag> flags, Supplier<T> body) {
    return get(onTask(name, flags, body));
  }

  static <T> T get(CompletableFuture<T> f) {
    try {
      return f.get(BOUND.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("task did not finish within " + BOUND + ": " + e, e);
    }
  }

  /** Allocates {@code pages} on a MEMALLOC task (may use the reserve) and keeps them. */
  Allocation hog(long pages) {
    AllocationResult r = call("hog", Set.of(TaskFlag.MEMALLOC), () -> memory().allocate(pages * PAGE, GfpMask.KERNEL));
    assertThat(r).isInstanceOf(Allocation.class);
    return (Allocation) r;
  }

  /** The live task named {@code name} (first match). */
  TaskSnapshot task(String name) {
    return kernel.tasks().stream().filter(t -> t.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no task " + name + " in " + kernel.tasks()));
  }

  boolean waiting(String name) {
    return kernel.tasks().stream().anyMatch(t -> t.name().equals(name) && t.state() == TaskState.WAITING);
  }

  /** Bounded wait until {@code condition} holds (polls the registry; the tasks need not cooperate). */
  static void until(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + BOUND + ": " + what);
      }
      LockSupport.parkNanos(1_000_000);
    }
  }

  @Override
  public void close() {
    kernel.close();
  }

  /** A cache of one-page objects that records every call: who called, under which mask. */
  static class Cache implements Shrinker {
    final String name;
    final boolean needsFs;
    final boolean needsIo;
    final boolean frees;
    final List<Allocation> objects = new ArrayList<>();
    final List<ShrinkControl> counts = java.util.Collections.synchronizedList(new ArrayList<>());
    final List<ShrinkControl> scans = java.util.Collections.synchronizedList(new ArrayList<>());

    Cache(String name, boolean needsFs, boolean needsIo, boolean frees) {
      this.name = name;
      this.needsFs = needsFs;
      this.needsIo = needsIo;
      this.frees = frees;
    }

    /** Fills the cache with {@code n} one-page objects allocated on a MEMALLOC task. */
    Cache fill(KernelFixture f, int n) {
      List<Allocation> made = f.call("fill-" + name, Set.of(TaskFlag.MEMALLOC), () -> {
        List<Allocation> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          out.add((Allocation) f.memory().allocate(PAGE, GfpMask.KERNEL));
        }
        return out;
      });
      synchronized (this) {
        objects.addAll(made);
      }
      return this;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public boolean needsFs() {
      return needsFs;
    }

    @Override
    public boolean needsIo() {
      return needsIo;
    }

    @Override
    public synchronized long countFreeable(ShrinkControl control) {
      counts.add(control);
      return objects.isEmpty() ? EMPTY : objects.size();
    }

    @Override
    public long scan(ShrinkControl control) {
      scans.add(control);
      if (!frees) {
        return 0;
      }
      long freed = 0;
      while (freed < control.nrToScan()) {
        Allocation a;
        synchronized (this) {
          if (objects.isEmpty()) {
            break;
          }
          a = objects.remove(objects.size() - 1);
        }
        a.close();
        freed++;
      }
      return freed;
    }

    synchronized int size() {
      return objects.size();
    }

    boolean calledBy(String task) {
      return scans.stream().anyMatch(c -> c.task().contains(":" + task + "#"))
          || counts.stream().anyMatch(c -> c.task().contains(":" + task + "#"));
    }
  }
}
