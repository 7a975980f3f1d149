package org.jdlm.dlm.core;

import java.util.Set;

/**
 * An immutable snapshot of one master copy, for dumps, scenario expectations and recovery
 * resends.
 *
 * @param lock        the lock
 * @param queue       the queue it is on
 * @param granted     granted mode, {@code null} = IV
 * @param requested   requested mode of the pending request or conversion, {@code null} = none
 * @param flags       {@code exflags}
 * @param sbflags     status-block flags pending for the next CAST
 * @param highbast    highest BAST mode sent since the last grant
 * @param blockingCallback whether BASTs are delivered to it
 * @param lvb         the lock's value-block buffer, {@code null} = none
 * @param lvbseq      the lvbseq recorded at the lock's last LVB read or write
 * @param token       the fencing token of the current grant, {@code null} if never granted
 */
public record LockView(LockId lock, ResourceState.Queue queue, LockMode granted, LockMode requested,
                       Set<LockFlag> flags, SbFlags sbflags, LockMode highbast, boolean blockingCallback,
                       ValueBlock lvb, long lvbseq, FencingToken token) {}
