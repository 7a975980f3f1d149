/**
 * The kernel's decisions, pure and table-tested: may this mask and these task flags allocate now,
 * from the reserve, after reclaim, or not at all ({@link org.jdlm.kernel.core.AllocationPolicy});
 * which shrinkers may run under a mask, in what order and how much, and when kswapd works
 * ({@link org.jdlm.kernel.core.ReclaimPolicy}); whether a writer or a reclaimer is throttled
 * ({@link org.jdlm.kernel.core.DirtyPolicy}); what a bounded workqueue does with new work and when
 * its rescuer runs ({@link org.jdlm.kernel.core.WorkqueueState}); which tasks are hung
 * ({@link org.jdlm.kernel.core.HungTaskCheck}). Plus the plain records the wait-for registry and
 * the dumps are made of ({@link org.jdlm.kernel.core.TaskSnapshot},
 * {@link org.jdlm.kernel.core.WaitEdge}, {@link org.jdlm.kernel.core.MemorySnapshot}) and the
 * page accounting ({@link org.jdlm.kernel.core.MemoryState}).
 *
 * <p>No Pekko, no threads, no system clock here: time comes from a
 * {@link org.jdlm.kernel.core.KernelClock} ({@link org.jdlm.kernel.core.ManualClock} in tests).
 * Tasks are real platform threads and memory is a monitor-guarded object in the shell package
 * (see its package-info and docs/kernel.md for why).
 */
package org.jdlm.kernel.core;
