package org.jdlm.dlm.api;

import java.util.Set;

/**
 * What a lockspace member reports about recovery (brief §2, issue 4 "visible state").
 *
 * @param state               in words: {@code running} (with the last recovery), {@code stopped},
 *                            {@code stopped, waiting for fencing of [n3]}, or {@code recovering: PHASE}
 * @param recoveriesCompleted recoveries this member finished since it joined (only grows)
 * @param generation          the lockspace generation in force (or being recovered)
 * @param fenced              node ids of members fenced by recoveries this member took part in
 */
public record RecoveryState(String state, long recoveriesCompleted, long generation, Set<String> fenced) {

  public RecoveryState {
    fenced = Set.copyOf(fenced);
  }

  /** Whether locking is enabled (no recovery under way). */
  public boolean running() {
    return state.startsWith("running");
  }
}
