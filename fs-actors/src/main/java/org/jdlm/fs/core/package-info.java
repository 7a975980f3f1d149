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
 * <p>The shell that will carry the effects out (a {@code Glock} actor per (type, number) under a
 * node-local {@code GlockRegistry}) does not exist yet; see the class Javadoc of
 * {@link org.jdlm.fs.core.GlockEffect} for what each effect asks of it.
 */
package org.jdlm.fs.core;
