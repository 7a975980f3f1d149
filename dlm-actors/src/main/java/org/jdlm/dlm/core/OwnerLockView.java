package org.jdlm.dlm.core;

import java.util.Set;

/**
 * A snapshot of one process copy on its owner node.
 *
 * @param lock        the lock
 * @param resource    its resource name
 * @param process     the owning process/session ({@code ownpid})
 * @param state       the owner's view of its status
 * @param granted     granted mode as last reported by the master, {@code null} = none
 * @param requested   mode of the request or conversion in progress, {@code null} = none
 * @param flags       exflags of the last lock call
 * @param lvb         the lock's value-block buffer, {@code null} = none
 * @param token       the fencing token of the current grant, {@code null} = none
 * @param orphan      a PERSISTENT lock whose process exited (semantics TV-61)
 */
public record OwnerLockView(LockId lock, String resource, long process, OwnerLockState state, LockMode granted,
                            LockMode requested, Set<LockFlag> flags, ValueBlock lvb, FencingToken token,
                            boolean orphan) {}
