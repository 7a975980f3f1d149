/**
 * Fencing: the fence coordinator and its agents ({@code power}, {@code storage}, {@code watchdog}),
 * the persistent {@link org.jdlm.fencing.FencingAuthority}, and the {@link org.jdlm.fencing.SharedDisk}
 * that enforces both kinds of fence. Decisions live in {@code org.jdlm.fencing.core}.
 *
 * <h2>Why a lock is not enough: fencing tokens (style rule 9)</h2>
 *
 * A lock tells a process that it <em>may</em> write. It cannot stop a process that <em>believes</em>
 * it still holds the lock. The classic way to get there is a pause — a long GC, a SIGSTOP, a VM
 * migration, a swap storm — during which the rest of the cluster decides the holder is dead:
 *
 * <pre>
 *   n2 (holder)     |==EX granted, token (4,7)==|....... GC pause / SIGSTOP ........| write(token (4,7)) ──► ✗ rejected
 *                                                                                              (stale token / revoked key)
 *   cluster                     n2 unreachable ─► fenced ─► recovery ─► generation 5
 *   n1 (new holder)                                                   |==EX granted, token (5,1)==| write(token (5,1)) ──► ✓
 *   shared disk                                                                           newest token for the block: (5,1)
 * </pre>
 *
 * When n2 wakes up, nothing in n2 knows time has passed: its lock object still says EX, and it
 * sends the write it was about to send. Two defences stop that write at the storage, which is the
 * only place that sees both writers:
 * <ol>
 *   <li><b>The fence itself.</b> Before recovery may move n2's locks (semantics §6.1), a fence agent has
 *       made n2 harmless: its process is killed ({@code power}), its registration key on the
 *       shared disk is preempted ({@code storage}, like SCSI-3 persistent reservations), or it has
 *       killed itself on losing the majority ({@code watchdog}). A preempted key rejects every
 *       later write from that incarnation, whatever token it carries.</li>
 *   <li><b>The token.</b> Every grant from the free state carries a {@code FencingToken(generation,
 *       counter)}; the generation comes from the {@link org.jdlm.fencing.FencingAuthority}, is
 *       persisted, and only grows — across failures, recoveries and restarts of every member —
 *       and the counter is the resource master's. The shared disk (and any storage gateway) keeps
 *       the newest token it accepted per block and rejects an older one. This catches the writer
 *       that was never fenced because nobody thought it dead: a lock taken away by recovery of
 *       another node, or a holder whose write was delayed in flight after it unlocked.</li>
 * </ol>
 * Because the generation is advanced by the authority <em>when the fence is recorded</em>, every
 * token issued after the recovery outranks every token the fenced member ever saw, whichever node
 * masters the resource afterwards. In this module the token is {@link org.jdlm.fencing.core.WriteToken}
 * (same shape and order as the DLM's {@code FencingToken}, which this module may not import).
 *
 * <h2>How a fence runs</h2>
 * Recovery asks its node's {@link org.jdlm.fencing.FenceCoordinator}; the lowest-addressed
 * coordinator acts and the others forward to it. The acting coordinator spawns a
 * {@link org.jdlm.fencing.FenceTask}, which first allocates working memory from the node's memory
 * manager (and may wait there: the edge through which fs-cycles §5.2 closes), then runs the agents
 * in order, has the authority record the fence and advance the generation, and answers every
 * requester. If every agent fails it backs off and tries again, forever, reporting each failure;
 * recovery stays blocked, as in the real stack, until an agent succeeds or an operator acks.
 */
package org.jdlm.fencing;
