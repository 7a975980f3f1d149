/**
 * What recovers above the DLM: the filesystem's journal recovery after a member failed (fs-cycles §4
 * steps 9-11: the control lock's value block, jid bitmap, NOEXP journal locks), built with the
 * filesystem layer. Lockspace recovery itself is part of the lockspace ({@code org.jdlm.dlm.Lockspace},
 * docs/recovery.md), and fencing enters it through {@code org.jdlm.dlm.api.FencingPort}.
 */
package org.jdlm.recovery;
