/**
 * The node's recovery controller, in the role of dlm_controld and gfs_controld: {@link
 * org.jdlm.recovery.NodeRecovery} decides from membership what failed ({@link
 * org.jdlm.recovery.UnreachableFencer}), fences it through the fence coordinator ({@link
 * org.jdlm.recovery.LabFencingPort}, the DLM's real {@code FencingPort}), lets each lockspace recover,
 * and hands over to the filesystem's {@link org.jdlm.recovery.JournalRecovery} (fs-cycles §4 steps
 * 9-11, built with the filesystem layer). Lockspace recovery itself is part of the lockspace
 * ({@code org.jdlm.dlm.Lockspace}, docs/recovery.md), which knows fencing only through
 * {@code org.jdlm.dlm.api.FencingPort}.
 */
package org.jdlm.recovery;
