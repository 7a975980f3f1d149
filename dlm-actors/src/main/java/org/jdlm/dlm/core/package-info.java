/**
 * The pure DLM core: lock modes and their tables, request flags and status codes, the
 * per-resource grant engine that a resource master runs ({@link org.jdlm.dlm.core.ResourceState}),
 * the owner-side process copy of a lock with synchronous validation
 * ({@link org.jdlm.dlm.core.OwnerLocks}), and the per-lock callback queue with the kernel's
 * BAST suppression ({@link org.jdlm.dlm.core.CallbackQueue}).
 *
 * <p>Nothing in this package imports Pekko (style rule 2): every decision is made here, and an
 * actor only carries out the {@link org.jdlm.dlm.core.Effect}s the core returns, in order.
 * Rules cite {@code shared/design/dlm-semantics.md} as "semantics §n".
 */
package org.jdlm.dlm.core;
