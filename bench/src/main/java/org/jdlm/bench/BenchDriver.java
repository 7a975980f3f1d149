package org.jdlm.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;
import org.jdlm.dlm.api.LockHandle;
import org.jdlm.dlm.api.LockResult;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.core.CastStatus;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockMode;

/**
 * Runs one bench workload on this member through the public {@link LockspaceHandle} API: N
 * asynchronous client chains, each with one EX lock+unlock pair outstanding at a time, first for
 * the warm-up (not recorded), then for the measured window. Chains continue on the lockspace's
 * callback thread, exactly as an application's completion stages would.
 *
 * <p>Resource names: member {@code m}'s pool is {@code b<run>.<m>.<i>}; the hand-off resource is
 * {@code b<run>.handoff}. A member masters its own pool because it locks it first (it holds an NL
 * lock on each name during the run, see {@link #hold}), so "remote" and "mixed" mean what they say.
 */
public final class BenchDriver {

  /**
   * One run on one member.
   *
   * @param workload the workload
   * @param run      the run id shared by every member (part of every resource name)
   * @param self     this member's name in {@code nodes}
   * @param nodes    every participating member's name, in order (pools exist for each)
   * @param clients  client chains on this member
   * @param warmup   not recorded
   * @param duration the measured window
   * @param ownShare mixed: the share of picks from this member's own pool
   * @param pool     resources per member's pool (mixed, uniform)
   * @param target   remote: the member whose pool is used
   */
  public record Spec(BenchWorkload workload, String run, String self, List<String> nodes, int clients,
      Duration warmup, Duration duration, double ownShare, int pool, String target) {

    public Spec {
      nodes = List.copyOf(nodes);
      if (!nodes.contains(self)) {
        throw new IllegalArgumentException("self " + self + " is not one of the nodes " + nodes);
      }
      if (workload == BenchWorkload.REMOTE && (target == null || !nodes.contains(target))) {
        throw new IllegalArgumentException("remote needs a target among the nodes " + nodes + ", got " + target);
      }
      if (clients < 1 || pool < 1 || ownShare < 0 || ownShare > 1) {
        throw new IllegalArgumentException("clients " + clients + " and pool " + pool
            + " must be positive and own-share " + ownShare + " within 0..1");
      }
    }
  }

  /** The name of resource {@code i} of member {@code owner}'s pool. */
  public static String poolName(String run, String owner, int i) {
    return "b" + run + "." + owner + "." + i;
  }

  /** The one resource of the handoff workload. */
  public static String handoffName(String run) {
    return "b" + run + ".handoff";
  }

  private static final int WARMUP = 0;
  private static final int MEASURE = 1;
  private static final int STOP = 2;

  private final LockspaceHandle lockspace;
  private final Spec spec;
  private final byte[][][] pools;
  private final byte[] handoff;
  private final long selfTag;
  private volatile int phase = WARMUP;

  private BenchDriver(LockspaceHandle lockspace, Spec spec) {
    this.lockspace = lockspace;
    this.spec = spec;
    int perPool = switch (spec.workload()) {
      case LOCAL, REMOTE -> spec.clients();
      case MIXED, UNIFORM -> spec.pool();
      case HANDOFF -> 0;
    };
    pools = new byte[spec.nodes().size()][perPool][];
    for (int n = 0; n < pools.length; n++) {
      for (int i = 0; i < perPool; i++) {
        pools[n][i] = poolName(spec.run(), spec.nodes().get(n), i).getBytes(StandardCharsets.UTF_8);
      }
    }
    handoff = handoffName(spec.run()).getBytes(StandardCharsets.UTF_8);
    selfTag = spec.nodes().indexOf(spec.self()) + 1;
  }

  /**
   * Runs {@code spec} on {@code lockspace} and returns what was measured. Bounded: warm-up plus
   * window plus {@code stopTimeout} for the chains to finish their last pair (a chain still
   * running then is counted as an error, e.g. a grant that never came).
   */
  public static BenchResult run(LockspaceHandle lockspace, Spec spec, Duration stopTimeout) throws InterruptedException {
    return new BenchDriver(lockspace, spec).run(stopTimeout);
  }

  private BenchResult run(Duration stopTimeout) throws InterruptedException {
    int self = spec.nodes().indexOf(spec.self());
    int target = spec.target() == null ? self : spec.nodes().indexOf(spec.target());
    List<Chain> chains = new ArrayList<>();
    for (int c = 0; c < spec.clients(); c++) {
      chains.add(new Chain(c, self, target, new SplittableRandom(31L * selfTag + c)));
    }
    chains.forEach(Chain::next);
    Thread.sleep(spec.warmup().toMillis()); // the driver only waits: the chains run on the DLM's threads
    long start = System.nanoTime();
    phase = MEASURE;
    Thread.sleep(spec.duration().toMillis());
    phase = STOP;
    double seconds = (System.nanoTime() - start) / 1e9;
    CompletableFuture<?> all = CompletableFuture.allOf(chains.stream().map(c -> c.done).toArray(CompletableFuture[]::new));
    long stuck = 0;
    try {
      all.get(stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      stuck = chains.stream().filter(c -> !c.done.isDone()).count();
    } catch (ExecutionException e) {
      throw new IllegalStateException("bench chains never fail their future", e);
    }
    Histogram acquire = Latencies.histogram();
    long pairs = 0;
    long handoffs = 0;
    long errors = stuck;
    String firstError = stuck > 0 ? stuck + " client(s) still waiting " + stopTimeout.toSeconds() + "s after the end" : "";
    for (Chain c : chains) {
      acquire.add(c.histogram); // the done futures (or the timeout) order these reads after the writes
      pairs += c.pairs;
      handoffs += c.handoffs;
      if (c.error != null) {
        errors++;
        firstError = firstError.isEmpty() ? c.error : firstError;
      }
    }
    return new BenchResult(spec.workload().id(), lockspace.nodeId().name(), spec.clients(), seconds, pairs, handoffs,
        errors, firstError, acquire);
  }

  /** One client: a loop of lock, grant, unlock, done, touched by one thread at a time. */
  private final class Chain {
    final int index;
    final int self;
    final int target;
    final SplittableRandom random;
    final Histogram histogram = Latencies.histogram();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    final byte[] lvb = new byte[8];
    long pairs;
    long handoffs;
    String error;

    Chain(int index, int self, int target, SplittableRandom random) {
      this.index = index;
      this.self = self;
      this.target = target;
      this.random = random;
    }

    byte[] pick() {
      return switch (spec.workload()) {
        case LOCAL -> pools[self][index];
        case REMOTE -> pools[target][index];
        case MIXED -> {
          int owner = self;
          if (pools.length > 1 && random.nextDouble() >= spec.ownShare()) {
            owner = random.nextInt(pools.length - 1);
            owner = owner >= self ? owner + 1 : owner; // another member, uniformly
          }
          yield pools[owner][random.nextInt(pools[owner].length)];
        }
        case UNIFORM -> {
          int owner = random.nextInt(pools.length);
          yield pools[owner][random.nextInt(pools[owner].length)];
        }
        case HANDOFF -> handoff;
      };
    }

    void next() {
      if (phase == STOP) {
        done.complete(null);
        return;
      }
      boolean valblk = spec.workload() == BenchWorkload.HANDOFF;
      Set<LockFlag> flags = valblk ? EnumSet.of(LockFlag.VALBLK) : Set.of();
      long requested = System.nanoTime();
      LockHandle lock;
      try {
        lock = lockspace.lock(pick(), LockMode.EX, flags, valblk ? lvb : null, null);
      } catch (RuntimeException e) {
        fail("lock refused: " + e.getMessage());
        return;
      }
      lock.completion().whenComplete((granted, failure) -> {
        if (failure != null || granted.status() != CastStatus.OK) {
          fail("lock ended with " + (failure != null ? failure : granted));
          return;
        }
        boolean measuring = phase == MEASURE;
        if (measuring) {
          histogram.recordValue(System.nanoTime() - requested);
        }
        byte[] unlockLvb = null;
        if (valblk) {
          unlockLvb = handedOver(granted, measuring);
        }
        try {
          lock.unlock(flags, unlockLvb).whenComplete((unlocked, failed) -> {
            if (failed != null || unlocked.status() != CastStatus.EUNLOCK) {
              fail("unlock ended with " + (failed != null ? failed : unlocked));
              return;
            }
            if (phase == MEASURE) {
              pairs++;
            }
            next();
          });
        } catch (RuntimeException e) {
          fail("unlock refused: " + e.getMessage());
        }
      });
    }

    /** Hand-off: the value block names the previous holder; write ourselves in for the next one. */
    private byte[] handedOver(LockResult granted, boolean measuring) {
      byte[] previous = granted.lvb();
      long holder = previous == null || previous.length < 8 ? 0 : ByteBuffer.wrap(previous).getLong();
      if (measuring && holder != 0 && holder != selfTag) {
        handoffs++;
      }
      return ByteBuffer.allocate(8).putLong(selfTag).array();
    }

    private void fail(String message) {
      error = "client " + index + ": " + message;
      done.complete(null);
    }
  }

  /**
   * Takes an NL lock on each of {@code names} (this member becomes their master when it is the
   * first to use them) and returns the locks once all are granted, within {@code timeout}.
   */
  public static List<LockHandle> hold(LockspaceHandle lockspace, List<String> names, Duration timeout)
      throws InterruptedException, TimeoutException {
    List<LockHandle> held = new ArrayList<>();
    for (String name : names) {
      held.add(lockspace.lock(name, LockMode.NL, Set.of(), null, null));
    }
    awaitAll(held.stream().map(h -> h.completion().toCompletableFuture()).toList(), timeout, "NL locks granted");
    return held;
  }

  /** Unlocks what {@link #hold} took, within {@code timeout}. */
  public static void release(List<LockHandle> held, Duration timeout) throws InterruptedException, TimeoutException {
    List<CompletableFuture<LockResult>> unlocks = new ArrayList<>();
    for (LockHandle h : held) {
      unlocks.add(h.unlock(Set.of(), null).toCompletableFuture());
    }
    awaitAll(unlocks, timeout, "NL locks released");
  }

  private static void awaitAll(List<CompletableFuture<LockResult>> futures, Duration timeout, String what)
      throws InterruptedException, TimeoutException {
    try {
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new TimeoutException("not all " + futures.size() + " " + what + " within " + timeout.toSeconds() + "s");
    }
  }
}
