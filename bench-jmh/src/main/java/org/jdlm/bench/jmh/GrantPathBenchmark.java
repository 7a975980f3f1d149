package org.jdlm.bench.jmh;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jdlm.dlm.core.Effect;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockId;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.core.MasterOp;
import org.jdlm.dlm.core.NodeId;
import org.jdlm.dlm.core.OwnerLocks;
import org.jdlm.dlm.core.OwnerResult;
import org.jdlm.dlm.core.ResourceState;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * JMH benchmarks of the pure core's grant path, without actors: what one lock operation costs
 * in decisions alone, the ceiling for the actor layer's local fast path. Run with
 * {@code bin/dlm bench --jmh} (docs/performance.md has the figures and the command).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class GrantPathBenchmark {

  private static final NodeId NODE = new NodeId("n1");
  private static final Set<LockFlag> NONE = EnumSet.noneOf(LockFlag.class);

  private ResourceState resource;
  private ResourceState handoff;
  private OwnerLocks owner;
  private ResourceState ownerMaster;
  private long nextId;
  private LockId holder;

  @Setup
  public void setup() {
    resource = new ResourceState("R", 32, 1);
    handoff = new ResourceState("H", 32, 1);
    owner = new OwnerLocks(NODE, 32, 1 << 20, 1 << 16);
    ownerMaster = new ResourceState("O", 32, 1);
    nextId = 1;
    holder = new LockId(NODE, nextId++);
    handoff.request(holder, LockMode.EX, 0, null, true);
  }

  /** Master side only: an uncontended EX request granted at once, then its unlock. */
  @Benchmark
  public void masterUncontendedLockUnlock(Blackhole bh) {
    LockId id = new LockId(NODE, nextId++);
    bh.consume(resource.request(id, LockMode.EX, 0, null, true));
    bh.consume(resource.unlock(id, 0, null));
  }

  /**
   * Master side, contended hand-off: a waiter queues behind the EX holder (with its BAST), the
   * holder unlocks and the waiter is granted; the waiter then holds for the next round.
   */
  @Benchmark
  public void masterContendedHandoff(Blackhole bh) {
    LockId waiter = new LockId(NODE, nextId++);
    bh.consume(handoff.request(waiter, LockMode.EX, 0, null, true));
    bh.consume(handoff.unlock(holder, 0, null));
    holder = waiter;
  }

  /**
   * Owner and master together, as a locally mastered lock runs minus the actor mailbox:
   * validation, the process copy, the grant, the callback queue, and the same for the unlock.
   */
  @Benchmark
  public void ownerAndMasterLockUnlock(Blackhole bh) {
    OwnerResult r = owner.lock("O", LockMode.EX, NONE, null, false, 0);
    LockId id = apply((OwnerResult.Accepted) r, bh);
    apply((OwnerResult.Accepted) owner.unlock(id, NONE, null), bh);
    bh.consume(owner.drainCallbacks());
  }

  private LockId apply(OwnerResult.Accepted accepted, Blackhole bh) {
    for (MasterOp op : accepted.send()) {
      List<Effect> effects = op.applyTo(ownerMaster);
      for (Effect e : effects) {
        bh.consume(owner.onEffect(e));
      }
    }
    return accepted.lock();
  }
}
