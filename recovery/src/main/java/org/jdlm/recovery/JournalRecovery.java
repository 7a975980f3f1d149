package org.jdlm.recovery;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The filesystem's half of node recovery (fs-cycles §4 steps 9–11), the role gfs_controld plays
 * beside dlm_controld: after a failed member is fenced and each lockspace has recovered, replay the
 * failed member's journal, then let the filesystem go on. The filesystem layer implements it
 * ({@code org.jdlm.fs.journal.JournalRecoveries}) and hands it to {@link NodeRecovery#start}, which
 * calls it through {@link RecoveryOrder} once a fence is confirmed; a member without a filesystem
 * has {@link #NONE}.
 */
@FunctionalInterface
public interface JournalRecovery {

  /**
   * Replays the journal of {@code failedNode}'s incarnation {@code incarnation}, fenced under fencing
   * generation {@code generation}; completes when the filesystem may unblock, exceptionally when it
   * must stay blocked (the reason in the exception).
   */
  CompletionStage<Void> recover(String failedNode, long incarnation, long generation);

  /** No filesystem on this member: nothing to replay. */
  JournalRecovery NONE = (node, incarnation, generation) -> CompletableFuture.completedFuture(null);
}
