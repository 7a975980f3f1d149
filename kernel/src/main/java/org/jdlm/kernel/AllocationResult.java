package org.jdlm.kernel;

/** What {@link Memory#allocate} returns: the pages, or why there are none (never an exception). */
public sealed interface AllocationResult permits Allocation, AllocationResult.Failed {

  /** The allocation failed; {@code reason} names the sizes and the rule that refused it. */
  record Failed(String reason) implements AllocationResult {}
}
