/**
 * The filesystem lock layer's decisions, with no Pekko import (style rules 2, 3, 5, 12, 14): GFS2's
 * glocks (fs-cycles §1) and the inode cache (§2) as pure cores.
 *
 * <ul>
 *   <li>{@link org.jdlm.fs.core.GlockState}, {@link org.jdlm.fs.core.HolderRules},
 *       {@link org.jdlm.fs.core.GlockFlag}, {@link org.jdlm.fs.core.HolderFlag}: the rules as
 *       literal tables.</li>
 *   <li>{@link org.jdlm.fs.core.GlockCore}: one glock on one node — holder queue, demote requests
 *       with the minimum hold time, the workqueue-driven promote/demote state machine
 *       ({@link org.jdlm.fs.core.GlockPhase}), references, LRU caching and the final put. Inputs
 *       in, {@link org.jdlm.fs.core.GlockEffect}s out.</li>
 *   <li>{@link org.jdlm.fs.core.GlockOps} / {@link org.jdlm.fs.core.Glops}: per-type operations
 *       (write back, invalidate, demote-ok, instantiate, callback, dump) as decisions.</li>
 *   <li>{@link org.jdlm.fs.core.GlockLru}: the node's glock LRU and the glock shrinker's choices.</li>
 *   <li>{@link org.jdlm.fs.core.GlockDump}: GFS2's debugfs glock dump format.</li>
 *   <li>{@link org.jdlm.fs.core.InodeCore}, {@link org.jdlm.fs.core.InodeRules},
 *       {@link org.jdlm.fs.core.InodeLru}: the inode cache (fs-cycles §2) — lookups and puts, keep
 *       or evict, eviction as cache drop or deallocation through the iopen glock, deferred deletes,
 *       and the inode shrinker's choices.</li>
 * </ul>
 *
 * <h2>What the shells do with each effect</h2>
 * The shells are {@link org.jdlm.fs.Glock} (one per (type, number)) under the node-local
 * {@link org.jdlm.fs.GlockRegistry}. Each handler is one core call, then the effects in order:
 * <ul>
 *   <li>{@code RequestDlm}/{@code ConvertDlm}/{@code UnlockDlm}: the DLM Java API
 *       ({@code LockspaceHandle}) on the glock's resource name
 *       ({@link org.jdlm.fs.core.GlockName#dlmResourceName()}); completions come back as
 *       {@code dlmReply}, blocking callbacks as {@code bast}. A promote started by
 *       {@code enqueue} is issued on behalf of the enqueuing task (it can wait inside the DLM).</li>
 *   <li>{@code QueueWork(delay)}: one keyed timer per glock that runs {@code runWork} on the glock
 *       workqueue (a bounded pool, rescuer if {@code WQ_MEM_RECLAIM}); a new QueueWork replaces it.
 *       The minimum-hold-time timer is this timer.</li>
 *   <li>{@code RunGlops}: page-cache write back / invalidation (may take page locks), then
 *       {@code glopsDone}.</li>
 *   <li>{@code GrantHolder}/{@code FailHolder}: wake the waiting task (or tell an ASYNC one).</li>
 *   <li>{@code AddToLru}/{@code RemoveFromLru}: the registry's {@link org.jdlm.fs.core.GlockLru},
 *       which is registered with the kernel as a shrinker; its choices go back as {@code reclaim}.</li>
 *   <li>{@code Freed}: the registry drops the glock; a lookup of a Freeing glock waits for it.</li>
 * </ul>
 */
package org.jdlm.fs.core;
