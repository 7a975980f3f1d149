package org.jdlm.kernel;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jdlm.kernel.core.DirtyPolicy;
import org.jdlm.kernel.core.HungTaskCheck;
import org.jdlm.kernel.core.KernelClock;
import org.jdlm.kernel.core.KernelDumps;
import org.jdlm.kernel.core.MemoryBudget;
import org.jdlm.kernel.core.TaskFlag;
import org.jdlm.kernel.core.TaskSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated kernel of one member: its {@link Memory} (with kswapd), its tasks and their
 * wait-for registry, its workqueues and its hung-task watchdog. Knows nothing of the DLM or of a
 * filesystem; they plug in shrinkers, mempools, workqueues and tasks.
 *
 * <p>Threads: every task is a platform thread started here ({@link #spawn}); no kernel code runs on
 * an actor dispatcher. {@link #close()} kills every task and joins them with a bound.
 */
public final class Kernel implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Kernel.class);

  /** Every bound of the kernel, read from {@code jdlm.kernel} (see reference.conf). */
  public record Settings(MemoryBudget.Settings memory, int startPriority, int batch, int maxRetries,
                         Duration retryWait, boolean memallocDuringReclaim, boolean kswapdEnabled, int kswapdMaxFailures,
                         DirtyPolicy.Limits dirty, Duration reclaimThrottleWait, int maxTasks, Duration maxWait,
                         Duration joinTimeout, int workqueueMaxActive, int workqueueMaxPending, long workerBytes,
                         Duration hungTaskTimeout, Duration hungTaskCheckInterval, int hungTaskMaxReports) {
    public Settings {
      Objects.requireNonNull(memory, "memory");
      Objects.requireNonNull(dirty, "dirty");
      positive(batch, "memory.reclaim.batch");
      positive(maxRetries, "memory.reclaim.max-retries");
      positive(kswapdMaxFailures, "memory.kswapd.max-failures");
      positive(maxTasks, "tasks.max-tasks");
      positive(workqueueMaxActive, "workqueue.max-active");
      positive(workqueueMaxPending, "workqueue.max-pending");
      positive(workerBytes, "workqueue.worker-bytes");
      positive(hungTaskMaxReports, "watchdog.max-reports");
      if (startPriority < 0 || startPriority > 62) {
        throw new IllegalArgumentException("jdlm.kernel.memory.reclaim.start-priority must be in 0..62, got "
            + startPriority);
      }
    }

    private static void positive(long v, String key) {
      if (v <= 0) {
        throw new IllegalArgumentException("jdlm.kernel." + key + " must be positive, got " + v);
      }
    }

    /** Reads {@code jdlm.kernel}. */
    public static Settings from(Config config) {
      Config k = config.getConfig("jdlm.kernel");
      Config r = k.getConfig("memory.reclaim");
      Config d = k.getConfig("memory.dirty");
      return new Settings(MemoryManager.settings(config), r.getInt("start-priority"), r.getInt("batch"),
          r.getInt("max-retries"), r.getDuration("retry-wait"), r.getBoolean("memalloc-during-reclaim"),
          k.getBoolean("memory.kswapd.enabled"), k.getInt("memory.kswapd.max-failures"),
          new DirtyPolicy.Limits(d.getInt("dirty-percent"), d.getInt("background-percent"), d.getInt("bdi-percent"),
              d.getInt("reclaim-writeback-percent"), d.getBoolean("exempt-kthreads")),
          d.getDuration("reclaim-throttle-wait"), k.getInt("tasks.max-tasks"), k.getDuration("tasks.max-wait"),
          k.getDuration("tasks.join-timeout"), k.getInt("workqueue.max-active"), k.getInt("workqueue.max-pending"),
          k.getBytes("workqueue.worker-bytes"), k.getDuration("watchdog.hung-task-timeout"),
          k.getDuration("watchdog.check-interval"), k.getInt("watchdog.max-reports"));
    }
  }

  private final Map<String, FactSource> factSources = new ConcurrentHashMap<>();
  private final String member;
  private final Settings settings;
  private final KernelClock clock;
  private final AtomicLong nextTaskId = new AtomicLong(1);
  private final Map<Long, Task> tasks = new ConcurrentHashMap<>();
  private final List<Workqueue> workqueues = new CopyOnWriteArrayList<>();
  private final List<Consumer<HungTaskCheck.HungTask>> hungTaskListeners = new CopyOnWriteArrayList<>();
  private final HungTaskCheck hungTasks;
  private final Memory memory;
  private volatile boolean stopping;

  private Kernel(String member, Settings settings, KernelClock clock) {
    this.member = Objects.requireNonNull(member, "member");
    this.settings = settings;
    this.clock = clock;
    this.hungTasks = new HungTaskCheck(settings.hungTaskTimeout().toNanos(), settings.hungTaskMaxReports());
    this.memory = new Memory(this);
  }

  /**
   * Starts a member's kernel: memory and kswapd, and (if {@code watchdog}) khungtaskd checking every
   * {@code check-interval}. Tests pass a {@link org.jdlm.kernel.core.ManualClock} and
   * {@code watchdog=false}, and call {@link #checkHungTasks()} themselves.
   */
  public static Kernel start(String member, Settings settings, KernelClock clock, boolean watchdog) {
    Kernel k = new Kernel(member, settings, clock);
    if (settings.kswapdEnabled()) {
      k.memory.startKswapd();
    }
    if (watchdog) {
      k.spawn("khungtaskd", EnumSet.of(TaskFlag.KTHREAD), k::watchdogLoop);
    }
    return k;
  }

  /** The system clock for production use (monotonic nanoseconds). */
  public static KernelClock systemClock() {
    return System::nanoTime;
  }

  public String member() {
    return member;
  }

  public Settings settings() {
    return settings;
  }

  public KernelClock clock() {
    return clock;
  }

  public Memory memory() {
    return memory;
  }

  /**
   * Starts a task running {@code body} on its own platform thread. Refused (IllegalStateException)
   * beyond {@code tasks.max-tasks} live tasks or after {@link #close()}.
   */
  public Task spawn(String name, Set<TaskFlag> flags, Runnable body) {
    if (stopping) {
      throw new IllegalStateException("kernel of " + member + " is stopping; cannot start task " + name);
    }
    if (tasks.size() >= settings.maxTasks()) {
      throw new IllegalStateException("cannot start task " + name + ": " + tasks.size()
          + " tasks live (jdlm.kernel.tasks.max-tasks=" + settings.maxTasks() + ")");
    }
    Task t = new Task(this, nextTaskId.getAndIncrement(), name, flags);
    tasks.put(t.id(), t);
    t.start(body);
    return t;
  }

  /** A bounded workqueue; {@code memReclaim} gives it a rescuer task ({@code WQ_MEM_RECLAIM}). */
  public Workqueue createWorkqueue(String name, int maxActive, boolean memReclaim) {
    Workqueue wq = new Workqueue(this, name, maxActive, settings.workqueueMaxPending(), memReclaim);
    workqueues.add(wq);
    return wq;
  }

  /** The wait-for registry: every live task's status, by id, read without the tasks' help. */
  public List<TaskSnapshot> tasks() {
    List<TaskSnapshot> out = new ArrayList<>();
    for (Task t : tasks.values()) {
      out.add(t.snapshot());
    }
    out.sort(Comparator.comparingLong(TaskSnapshot::id));
    return out;
  }

  /**
   * What the cluster-wide detector merges from each member: the registry, the memory (whose
   * {@code reclaimers} are the OR sources of every {@code waits-memory} edge) and the time, taken
   * without any task's cooperation.
   */
  public KernelSnapshot snapshot() {
    return new KernelSnapshot(member, clock.nanos(), tasks(), memory.snapshot());
  }

  /**
   * What a layer above the kernel (the DLM, glocks, fencing, the filesystem) knows of this member's
   * wait-for graph: holders, stopped lockspaces, fences run by tasks. The kernel cannot see these
   * ownership facts, so each layer registers a source and the detector asks every source of the
   * member at once ({@link #feedWaits}). A source reads its own state without blocking and without
   * any task's help (it runs while tasks are stuck); {@code toDetectorNanos} maps a time on this
   * kernel's clock to the detector's.
   */
  @FunctionalInterface
  public interface FactSource {
    void feed(org.jdlm.kernel.core.waits.FactSink sink, java.util.function.LongUnaryOperator toDetectorNanos);
  }

  /** Adds a layer's facts to this member's wait-for graph; closing the handle removes them. */
  public AutoCloseable addFactSource(String layer, FactSource source) {
    Objects.requireNonNull(layer, "layer");
    Objects.requireNonNull(source, "source");
    if (factSources.putIfAbsent(layer, source) != null) {
      throw new IllegalStateException(member + ": fact source '" + layer + "' is already registered");
    }
    return () -> factSources.remove(layer, source);
  }

  /**
   * This member's whole wait-for graph: the kernel's registry and memory ({@link KernelSnapshot#feedTo})
   * and every registered layer's facts, in layer-name order. A source that throws is a bug in that
   * layer: it is logged and its facts are left out, so one layer cannot hide the others' waits.
   */
  public void feedWaits(long detectorNowNanos, org.jdlm.kernel.core.waits.FactSink sink) {
    KernelSnapshot s = snapshot();
    s.feedTo(detectorNowNanos, sink);
    long offset = detectorNowNanos - s.nanos();
    java.util.function.LongUnaryOperator toDetector = t -> t + offset;
    for (Map.Entry<String, FactSource> e : new java.util.TreeMap<>(factSources).entrySet()) {
      try {
        e.getValue().feed(sink, toDetector);
      } catch (RuntimeException ex) {
        LOG.error("{}: fact source '{}' failed; its facts are left out of this snapshot", member, e.getKey(), ex);
      }
    }
  }

  /** One member's kernel at one instant: plain records. */
  public record KernelSnapshot(String member, long nanos, List<TaskSnapshot> tasks,
                               org.jdlm.kernel.core.MemorySnapshot memory) {
    public KernelSnapshot {
      tasks = List.copyOf(tasks);
    }

    /**
     * Feeds this member's registry into the cluster-wide detector's graph (docs/detector.md):
     * waits, memory's reclaimers, workqueue workers. {@code detectorNowNanos} places the waits'
     * ages on the detector's clock.
     */
    public void feedTo(long detectorNowNanos, org.jdlm.kernel.core.waits.FactSink sink) {
      org.jdlm.kernel.core.waits.KernelFacts.feed(member, nanos, tasks, memory, detectorNowNanos, sink);
    }
  }

  /** Runs the hung-task check now (khungtaskd calls it every check-interval); reports each wait once. */
  public List<HungTaskCheck.HungTask> checkHungTasks() {
    List<HungTaskCheck.HungTask> found;
    synchronized (hungTasks) {
      found = hungTasks.check(tasks(), clock.nanos());
    }
    for (HungTaskCheck.HungTask h : found) {
      LOG.warn("{}: {}", member, h.line());
      hungTaskListeners.forEach(l -> l.accept(h));
    }
    return found;
  }

  /** Receives every hung-task report (scenario assertions, the detector). */
  public void onHungTask(Consumer<HungTaskCheck.HungTask> listener) {
    hungTaskListeners.add(listener);
  }

  /** {@code dlm dump --tasks}. */
  public String dumpTasks() {
    return KernelDumps.tasks(member, tasks(), clock.nanos());
  }

  /** {@code dlm dump --memory}. */
  public String dumpMemory() {
    return KernelDumps.memory(member, memory.snapshot());
  }

  private void watchdogLoop() {
    java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
    java.util.concurrent.locks.Condition never = lock.newCondition();
    while (!stopping) {
      lock.lock();
      try {
        Task.current().idle(lock, never, () -> stopping, settings.hungTaskCheckInterval());
      } finally {
        lock.unlock();
      }
      if (!stopping) {
        checkHungTasks();
      }
    }
  }

  void taskExited(Task t) {
    tasks.remove(t.id());
  }

  void taskFailed(Task t, Throwable failure) {
    if (!stopping) {
      LOG.error("{}: {} failed", member, t.endpoint(), failure);
    }
  }

  boolean stopping() {
    return stopping;
  }

  /** Kills every task (interrupting its wait) and joins them, each within {@code tasks.join-timeout}. */
  @Override
  public void close() {
    stopping = true;
    memory.stop();
    workqueues.forEach(Workqueue::stop);
    List<Task> all = new ArrayList<>(tasks.values());
    all.forEach(Task::kill);
    for (Task t : all) {
      try {
        if (!t.join(settings.joinTimeout())) {
          LOG.warn("{}: {} did not stop within {}", member, t.endpoint(), settings.joinTimeout());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
