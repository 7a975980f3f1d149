package org.jdlm.fencing;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.jdlm.fencing.core.FenceOperation;

/**
 * The {@code watchdog} agent, survivors' side (sbd's watchdog-only mode, fs-cycles §4.2): nothing is
 * done to the victim; the agent answers "fenced" once {@code timeout} has passed since the failure
 * was detected, because by then the victim, having lost the majority, has been downed by the
 * split-brain resolver and has killed itself ({@link SelfFence}). It needs no memory beyond its
 * task and no device, which removes the "fencing needs memory" edge (fix F-b4) at the cost of
 * latency.
 *
 * <p>Limit, stated plainly: a frozen (SIGSTOP) victim cannot kill itself, unlike a machine under a
 * hardware watchdog. When it thaws it learns it was downed and halts, but a write it had in flight
 * may still reach storage; combine with {@code storage}, or rely on fencing tokens, for that case.
 */
public final class WatchdogAgent implements FenceAgent {
  private final String name;
  private final Duration timeout;
  private final Clock clock;

  public WatchdogAgent(String name, Duration timeout, Clock clock) {
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("jdlm.fencing.watchdog.timeout must not be negative, got " + timeout);
    }
    this.name = name;
    this.timeout = timeout;
    this.clock = clock;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CompletionStage<Result> fence(FenceOperation.Target target) {
    long due = target.detectedAtMillis() + timeout.toMillis();
    long wait = Math.max(0, due - clock.millis());
    Result done = new Done(name, target + " presumed self-fenced: " + timeout + " since its failure was detected");
    if (wait == 0) {
      return CompletableFuture.completedFuture(done);
    }
    return CompletableFuture.supplyAsync(() -> done, CompletableFuture.delayedExecutor(wait, TimeUnit.MILLISECONDS));
  }
}
