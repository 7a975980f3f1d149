package org.jdlm.kernel.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when told to: deterministic tests of waits, watchdog and dumps. */
public final class ManualClock implements KernelClock {
  private final AtomicLong now = new AtomicLong();

  @Override
  public long nanos() {
    return now.get();
  }

  public void advance(Duration by) {
    if (by.isNegative()) {
      throw new IllegalArgumentException("a monotonic clock cannot go back, got " + by);
    }
    now.addAndGet(by.toNanos());
  }
}
