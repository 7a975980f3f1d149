/**
 * The simulated kernel of one member: {@link org.jdlm.kernel.Kernel} with its tasks, memory,
 * workqueues and hung-task watchdog. Knows nothing of the DLM or a filesystem; they plug in
 * shrinkers, mempools, workqueues and tasks. See docs/kernel.md.
 *
 * <p><b>Tasks are threads, not actors.</b> A {@link org.jdlm.kernel.Task} is a logical thread
 * (kswapd, quotad, a fence agent, delete work, a glock workqueue worker, a user task) backed by a
 * JVM platform thread that the kernel owns, never an actor dispatcher thread. Kernel and
 * filesystem code therefore reads sequentially, like the kernel's own, and blocking is real:
 * every blocking call goes through one primitive on the current task ({@code Task.await} for a
 * {@code CompletionStage}, {@code Task.awaitCondition} for a kernel object's condition). It
 * registers one typed {@link org.jdlm.kernel.core.WaitEdge} (an edge kind of fs-cycles §5.0, AND
 * or OR, its targets), blocks only the task's own thread with a bound, and removes the edge when
 * it returns. A task has at most one current wait; what it executes (reclaim through a shrinker,
 * a work item) is its activity, recorded separately.
 *
 * <p><b>Memory is a monitor-guarded object, not an actor.</b> An allocation runs in the caller's
 * task: when it cannot be granted it reclaims there (calling the registered
 * {@link org.jdlm.kernel.Shrinker}s its mask allows, which may block) and then waits on the
 * {@code mem} OR node. That is how the cycles of fs-cycles §5.1–§5.3 close through this kernel.
 * The monitor is never held while a shrinker runs or a task waits, so snapshots of the memory and
 * of the wait-for registry never need a blocked task's cooperation.
 *
 * <p>Every decision lives in a pure class in {@code org.jdlm.kernel.core}; the classes here carry
 * them out. The {@link org.jdlm.kernel.MemoryManager} actor is the older adapter the fence
 * coordinator uses; docs/kernel.md says how to move it onto a task.
 */
package org.jdlm.kernel;
