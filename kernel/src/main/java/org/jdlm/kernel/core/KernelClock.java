package org.jdlm.kernel.core;

/**
 * The kernel's monotonic time source in nanoseconds. Cores and the hung-task watchdog read time
 * only through it, so tests drive time with {@link ManualClock} instead of sleeping.
 */
@FunctionalInterface
public interface KernelClock {
  long nanos();
}
