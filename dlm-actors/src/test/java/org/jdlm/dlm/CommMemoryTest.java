package org.jdlm.dlm;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jdlm.dlm.api.CommMemory;
import org.jdlm.dlm.api.CommSettings;
import org.jdlm.dlm.api.DlmException;
import org.jdlm.dlm.api.LockHandle;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.core.NodeId;
import org.jdlm.dlm.core.SyncStatus;
import org.jdlm.dlm.directory.ResourceDirectory;
import org.jdlm.dlm.testkit.InprocCluster;
import org.jdlm.kernel.Allocation;
import org.jdlm.kernel.AllocationResult;
import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.Shrinker;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.GfpMask;
import org.jdlm.kernel.core.ManualClock;
import org.jdlm.kernel.core.MemorySnapshot;
import org.jdlm.kernel.core.ShrinkControl;
import org.jdlm.kernel.core.TaskFlag;
import org.jdlm.kernel.core.TaskSnapshot;
import org.jdlm.kernel.core.TaskState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The DLM's send buffers from a member's kernel memory (docs/kernel.md, "The DLM's send
 * buffers"): two in-process members, a small kernel per member (100 pages, min 10, no kswapd, a
 * manual clock), one fresh lockspace per test. Waits are bounded waits on events, never sleeps.
 */
class CommMemoryTest {
  private static final Duration BOUND = Duration.ofSeconds(20);
  private static final int PAGE = 4096;
  private static final AtomicInteger LOCKSPACES = new AtomicInteger();
  private static InprocCluster cluster;

  private final List<Kernel> kernels = new ArrayList<>();
  private final List<Allocation> hogs = new ArrayList<>();

  @BeforeAll
  static void start() {
    cluster = InprocCluster.start(2, "boot");
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void release() {
    hogs.stream().filter(a -> !a.isFreed()).forEach(Allocation::close);
    for (int i = 0; i < 2; i++) {
      Dlm.get(cluster.system(i)).useCommMemory(null, null);
    }
    kernels.forEach(Kernel::close);
  }

  // ============================================================================ caller context

  @Test
  void remoteUnlockFromAKernelTaskWaitsOnMemoryAndCompletesWhenMemoryIsFreed() throws Exception {
    Kernel k0 = kernel("n0");
    LockspaceHandle[] ls = join(k0, null, null);
    LockHandle lock = remotelyMastered(ls, "inode-1");
    hog(k0, 0);

    CompletableFuture<Object> unlocked = onTask(k0, "evict", () -> lock.unlock(Set.of(), null));
    TaskSnapshot waiting = awaitTask(k0, "evict", t -> t.state() == TaskState.WAITING);
    assertThat(waiting.waitEdge().kind()).isEqualTo(EdgeKind.WAITS_MEMORY);
    assertThat(waiting.waitEdge().label()).contains("GFP_KERNEL");
    assertThat(waiting.waitEdge().targets()).containsExactly("mem");
    assertThat(lock.state().name()).isEqualTo("GRANTED"); // nothing sent while the buffer is missing

    hogs.forEach(Allocation::close);
    get(stage(unlocked));
    assertThat(local(ls[0]).commStats().taken()).isGreaterThanOrEqualTo(1);
    awaitTrue(() -> k0.memory().snapshot().usedPages() == 0, "the send buffer freed after the hand-off");
  }

  @Test
  void fsMaskReentersTheFilesystemShrinkerWhichUnlocksFromTheReserve() throws Exception {
    Kernel k0 = kernel("n0");
    LockspaceHandle[] ls = join(k0, null, new CommSettings(CommSettings.Mask.FS, 0, PAGE));
    LockHandle a = remotelyMastered(ls, "inode-a");
    LockHandle b = remotelyMastered(ls, "inode-b");
    EvictingShrinker shrinker = new EvictingShrinker(b);
    k0.memory().register(shrinker);
    hog(k0, 5); // below min: a GFP_KERNEL allocation reclaims; MEMALLOC inside reclaim may use the reserve
    long reserveGrants = k0.memory().snapshot().counters().reserveGrants();

    CompletableFuture<Object> unlocked = onTask(k0, "evict", () -> a.unlock(Set.of(), null));
    awaitTrue(() -> shrinker.unlocked.get() != null || shrinker.nested.get() != null,
        "the unlock's own reclaim enters the FS shrinker, which evicts");
    // Cycle (a) in miniature: the unlock's buffer reclaimed into the shrinker, whose eviction
    // unlocked another remotely mastered lock, whose buffer came from the reserve.
    assertThat(shrinker.nested.get()).isNull();
    assertThat(shrinker.scanner.get()).isEqualTo("evict"); // direct reclaim, in the unlocking task
    join(shrinker.unlocked.get());
    awaitTask(k0, "evict", t -> t.state() == TaskState.WAITING && t.waitEdge().kind() == EdgeKind.WAITS_MEMORY);

    hogs.forEach(Allocation::close);
    get(stage(unlocked));
    assertThat(k0.memory().snapshot().counters().reserveGrants()).isGreaterThan(reserveGrants);
  }

  @Test
  void nofsMaskNeverEntersTheFilesystemShrinker() throws Exception {
    Kernel k0 = kernel("n0");
    LockspaceHandle[] ls = join(k0, null, new CommSettings(CommSettings.Mask.NOFS, 0, PAGE));
    LockHandle a = remotelyMastered(ls, "inode-a");
    LockHandle b = remotelyMastered(ls, "inode-b");
    EvictingShrinker shrinker = new EvictingShrinker(b);
    k0.memory().register(shrinker);
    hog(k0, 5);

    CompletableFuture<Object> unlocked = onTask(k0, "evict", () -> a.unlock(Set.of(), null));
    TaskSnapshot waiting = awaitTask(k0, "evict", t -> t.state() == TaskState.WAITING);
    assertThat(waiting.waitEdge().label()).contains("GFP_NOFS");
    assertThat(shrinker.counts.get()).isZero();
    assertThat(shrinker.scans.get()).isZero();

    hogs.forEach(Allocation::close);
    get(stage(unlocked));
    assertThat(shrinker.scans.get()).isZero();
    assertThat(b.state().name()).isEqualTo("GRANTED");
  }

  @Test
  void theReserveLetsTheUnlockGoOutWithNoFreeMemory() throws Exception {
    Kernel k0 = kernel("n0");
    LockspaceHandle[] ls = join(k0, null, new CommSettings(CommSettings.Mask.FS, 2, PAGE));
    LockHandle lock = remotelyMastered(ls, "inode-1");
    hog(k0, 0);
    long reclaimsBefore = k0.memory().snapshot().counters().directReclaims();

    get(stage(onTask(k0, "evict", () -> lock.unlock(Set.of(), null))));

    MemorySnapshot snapshot = k0.memory().snapshot();
    MemorySnapshot.MempoolView pool = snapshot.mempools().stream()
        .filter(p -> p.name().equals("dlm-comm:" + ls[0].name())).findFirst().orElseThrow();
    assertThat(pool.fromReserve()).isGreaterThanOrEqualTo(1);
    assertThat(pool.available()).isEqualTo(2); // the element came back after the hand-off
    assertThat(snapshot.counters().directReclaims()).isEqualTo(reclaimsBefore);
    assertThat(snapshot.freePages()).isZero();
  }

  @Test
  void locallyMasteredOperationsTakeNoBuffer() throws Exception {
    Kernel k0 = kernel("n0");
    LockspaceHandle[] ls = join(k0, null, null);
    String name = nameWithDirectoryOn(ls[0], ls[0].nodeId());
    hog(k0, 0); // any buffer taken here would wait forever

    Object done = get(stage(onTask(k0, "local", () -> {
      LockHandle lock = ls[0].lock(name, LockMode.PR, Set.of(), null, null);
      join(lock.completion());
      join(lock.convert(LockMode.EX, Set.of(), null));
      return lock.unlock(Set.of(), null);
    })));
    assertThat(done).isNotNull();
    assertThat(local(ls[0]).commStats().taken()).isZero();
    assertThat(local(ls[0]).commStats().unaccounted()).isZero();
  }

  @Test
  void withoutAKernelNothingIsTakenOrWaitedFor() throws Exception {
    LockspaceHandle[] ls = join(null, null, null);
    LockHandle lock = remotelyMastered(ls, "inode-1");
    Kernel k0 = kernel("n0"); // a kernel exists but was not installed before the join
    hog(k0, 0);
    long allocations = k0.memory().snapshot().counters().allocations();

    get(stage(onTask(k0, "evict", () -> lock.unlock(Set.of(), null))));

    assertThat(local(ls[0]).commStats()).isNull();
    assertThat(k0.memory().snapshot().counters().allocations()).isEqualTo(allocations);
  }

  @Test
  void aPlainThreadNeverBlocksAndGoesUnaccountedWhenNoPageIsFree() throws Exception {
    Kernel k0 = kernel("n0");
    LockspaceHandle[] ls = join(k0, null, null);
    LockHandle lock = remotelyMastered(ls, "inode-1");
    hog(k0, 0);
    long unaccounted = local(ls[0]).commStats().unaccounted();

    get(lock.unlock(Set.of(), null).toCompletableFuture());

    assertThat(local(ls[0]).commStats().unaccounted()).isEqualTo(unaccounted + 1);
  }

  @Test
  void aTaskWhoseBufferCannotBeHadGetsEnomemAndTheLockIsUntouched() throws Exception {
    Kernel k0 = kernel("n0", "jdlm.kernel.memory.reclaim { max-retries = 1, retry-wait = 1ms }");
    LockspaceHandle[] ls = join(k0, null, null);
    LockHandle lock = remotelyMastered(ls, "inode-1");
    hog(k0, 0);

    CompletableFuture<Object> unlocked = onTask(k0, "evict", () -> lock.unlock(Set.of(), null));

    assertThat(unlocked).failsWithin(BOUND).withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause().isInstanceOf(DlmException.class)
        .satisfies(e -> assertThat(((DlmException) e).code()).isEqualTo(SyncStatus.ENOMEM))
        .withMessageContaining("send buffer");
    assertThat(lock.state().name()).isEqualTo("GRANTED");
    hogs.forEach(Allocation::close);
    get(lock.unlock(Set.of(), null).toCompletableFuture());
  }

  // ============================================================================ actor context

  @Test
  void repliesHeldUnderMemoryPressureAreDeliveredInOrderAfterwards() throws Exception {
    Kernel k1 = kernel("n1");
    LockspaceHandle[] ls = join(null, k1, null);
    String name = "dir-master";
    join(ls[1].lock(name, LockMode.NL, Set.of(), null, null).completion()); // node 1 masters it
    hog(k1, 0);

    List<Integer> order = new CopyOnWriteArrayList<>();
    List<CompletableFuture<?>> grants = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int n = i;
      LockHandle l = ls[0].lock(name, LockMode.NL, Set.of(), null, null);
      grants.add(l.completion().thenRun(() -> order.add(n)).toCompletableFuture());
    }
    awaitTrue(() -> local(ls[1]).commStats().heldNow() == 5, "the master holds all five grants");
    assertThat(order).isEmpty();

    hogs.forEach(Allocation::close);
    for (CompletableFuture<?> g : grants) {
      get(g);
    }
    assertThat(order).containsExactly(0, 1, 2, 3, 4);
    CommMemory.CommStats stats = local(ls[1]).commStats();
    assertThat(stats.heldNow()).isZero();
    assertThat(stats.held()).isEqualTo(5);
    assertThat(stats.sentFromActor()).isGreaterThanOrEqualTo(5);
  }

  // ============================================================================ fixtures

  /** A filesystem shrinker whose eviction unlocks one remotely mastered lock, once (cycle a's shape). */
  private static final class EvictingShrinker implements Shrinker {
    final LockHandle victim;
    final AtomicInteger counts = new AtomicInteger();
    final AtomicInteger scans = new AtomicInteger();
    final AtomicReference<Throwable> nested = new AtomicReference<>();
    final AtomicReference<String> scanner = new AtomicReference<>();
    final AtomicReference<java.util.concurrent.CompletionStage<?>> unlocked = new AtomicReference<>();

    EvictingShrinker(LockHandle victim) {
      this.victim = victim;
    }

    @Override
    public String name() {
      return "inode_cache";
    }

    @Override
    public boolean needsFs() {
      return true;
    }

    @Override
    public long countFreeable(ShrinkControl control) {
      counts.incrementAndGet();
      return unlocked.get() == null ? 1 : EMPTY;
    }

    @Override
    public long scan(ShrinkControl control) {
      scans.incrementAndGet();
      scanner.compareAndSet(null, org.jdlm.kernel.Task.current().name());
      if (unlocked.get() != null) {
        return 0;
      }
      try {
        unlocked.set(victim.unlock(Set.of(), null));
        return 1;
      } catch (RuntimeException e) {
        nested.set(e);
        return STOP;
      }
    }
  }

  private Kernel kernel(String member) {
    return kernel(member, "");
  }

  private Kernel kernel(String member, String overrides) {
    Kernel.Settings settings = Kernel.Settings.from(ConfigFactory.parseString("""
        jdlm.kernel.memory { total-pages = 100, page-size = 4096, min-pages = 10, low-pages = 20, high-pages = 30 }
        jdlm.kernel.memory.kswapd.enabled = off
        jdlm.kernel.memory.reclaim.retry-wait = 10m
        """ + overrides).withFallback(ConfigFactory.defaultReference()).resolve());
    Kernel k = Kernel.start(member, settings, new ManualClock(), false);
    kernels.add(k);
    return k;
  }

  /** A fresh lockspace on both members, each with its kernel installed (null: none). */
  private LockspaceHandle[] join(Kernel k0, Kernel k1, CommSettings comm) throws Exception {
    Kernel[] ks = {k0, k1};
    CommSettings defaults = CommSettings.fromConfig(cluster.system(0).settings().config());
    for (int i = 0; i < 2; i++) {
      Dlm.get(cluster.system(i)).useCommMemory(ks[i] == null ? null : new KernelCommMemory(ks[i]), defaults);
    }
    String name = "comm-" + LOCKSPACES.incrementAndGet();
    LockspaceSettings settings = LockspaceSettings.defaults().withComm(comm);
    List<CompletableFuture<LockspaceHandle>> joins = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      joins.add(Dlm.get(cluster.system(i)).joinLockspace(name, settings).toCompletableFuture());
    }
    LockspaceHandle[] out = {get(joins.get(0)), get(joins.get(1))};
    for (LockspaceHandle h : out) {
      awaitTrue(() -> h.members().size() == 2, h.nodeId() + " sees both members of " + name);
    }
    return out;
  }

  /** A granted NL lock of node 0 on {@code name}, mastered by node 1 (the first to lock it). */
  private static LockHandle remotelyMastered(LockspaceHandle[] ls, String name) throws Exception {
    join(ls[1].lock(name, LockMode.NL, Set.of(), null, null).completion());
    LockHandle lock = ls[0].lock(name, LockMode.NL, Set.of(), null, null);
    join(lock.completion());
    return lock;
  }

  private static String nameWithDirectoryOn(LockspaceHandle ls, NodeId node) {
    ResourceDirectory dir = new ResourceDirectory(ls.members());
    for (int i = 0; ; i++) {
      String name = "local-" + i;
      if (dir.directoryNode(name.getBytes(StandardCharsets.UTF_8)).equals(node)) {
        return name;
      }
    }
  }

  /** Leaves {@code leaveFree} pages free, taken by a MEMALLOC task that may use the reserve. */
  private void hog(Kernel k, long leaveFree) throws Exception {
    long pages = k.memory().freePages() - leaveFree;
    AllocationResult r = get(onTask(k, "hog", () -> k.memory().allocate(pages * PAGE, GfpMask.KERNEL),
        Set.of(TaskFlag.MEMALLOC)));
    assertThat(r).isInstanceOf(Allocation.class);
    hogs.add((Allocation) r);
    assertThat(k.memory().freePages()).isEqualTo(leaveFree);
  }

  private static <T> CompletableFuture<T> onTask(Kernel k, String name, Supplier<T> body) {
    return onTask(k, name, body, Set.of());
  }

  private static <T> CompletableFuture<T> onTask(Kernel k, String name, Supplier<T> body, Set<TaskFlag> flags) {
    CompletableFuture<T> result = new CompletableFuture<>();
    k.spawn(name, flags, () -> {
      try {
        result.complete(body.get());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    });
    return result;
  }

  /** The stage a task returned, completed. */
  @SuppressWarnings("unchecked")
  private static CompletableFuture<Object> stage(CompletableFuture<Object> fromTask) throws Exception {
    Object stage = get(fromTask);
    return ((java.util.concurrent.CompletionStage<Object>) stage).toCompletableFuture();
  }

  private static Object join(java.util.concurrent.CompletionStage<?> stage) {
    try {
      return stage.toCompletableFuture().get(BOUND.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("not completed within " + BOUND + ": " + e, e);
    }
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(BOUND.toSeconds(), TimeUnit.SECONDS);
  }

  private static LockspaceLocal local(LockspaceHandle h) {
    return (LockspaceLocal) h;
  }

  private static TaskSnapshot awaitTask(Kernel k, String name, java.util.function.Predicate<TaskSnapshot> p) {
    AtomicReference<TaskSnapshot> found = new AtomicReference<>();
    awaitTrue(() -> {
      for (TaskSnapshot t : k.tasks()) {
        if (t.name().equals(name) && p.test(t)) {
          found.set(t);
          return true;
        }
      }
      return false;
    }, "task " + name + " in the expected state; tasks: " + k.dumpTasks());
    return found.get();
  }

  private static void awaitTrue(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + BOUND + " waiting for " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
  }
}
