/**
 * The cluster filesystem's glock layer on one member: the actor shell over the pure cores of
 * {@link org.jdlm.fs.core} (docs/filesystem.md).
 *
 * <ul>
 *   <li>{@link org.jdlm.fs.GlockRegistry}: one actor per mounted filesystem per member; its
 *       children are the {@link org.jdlm.fs.Glock}s, one per (type, number). It keeps the glock
 *       LRU and registers the glock shrinker with the member's kernel memory.</li>
 *   <li>{@link org.jdlm.fs.Glock}: one {@link org.jdlm.fs.core.GlockCore} call per message, then
 *       its effects. Blocking effects are handed back as caller work.</li>
 *   <li>{@link org.jdlm.fs.Glocks} and {@link org.jdlm.fs.GlockExecutor}: the task side. Kernel
 *       tasks call {@code get}, {@code nq}, {@code dq}, {@code put} and wait with typed edges; the
 *       caller work runs in the task whose context it belongs to.</li>
 *   <li>{@link org.jdlm.fs.LockModule} ({@code lm_lockops}): {@link org.jdlm.fs.DlmLockModule}
 *       over one DLM lockspace per filesystem, {@link org.jdlm.fs.NolockModule} for one node.</li>
 *   <li>{@link org.jdlm.fs.GlockCacheOps}: the page cache's write back and invalidate (a seam that
 *       does no work until the page cache exists).</li>
 *   <li>{@link org.jdlm.fs.InodeCache}: the inode cache, its shrinker and delete workqueue;
 *       eviction runs synchronously in the task that triggers it.</li>
 * </ul>
 *
 * <p>Wire messages: none. Glock actors are node-local; members interact only through the DLM,
 * whose own messages are registered by {@code dlm-actors}. Nothing here is registered for
 * serialization, and no message may be sent to another member. Replies carry the glock's
 * {@link org.jdlm.fs.LockModule.Lksb}, which is a plain local object.
 */
package org.jdlm.fs;
