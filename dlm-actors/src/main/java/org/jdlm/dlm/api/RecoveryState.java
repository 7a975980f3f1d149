package org.jdlm.dlm.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What a lockspace member reports about recovery (brief §2, issue 4 "visible state").
 *
 * @param state               in words: {@code running} (with the last recovery), {@code stopped},
 *                            {@code stopped, waiting for fencing of [n3]}, or {@code recovering: PHASE}
 * @param recoveriesCompleted recoveries this member finished since it joined (only grows)
 * @param generation          the lockspace generation in force (or being recovered)
 * @param fenced              node ids of members fenced by recoveries this member took part in
 * @param lastRunMillis       on the member that coordinated the last finished recovery: its
 *                            {@code detection} time (stopped → run started, fencing included) and each
 *                            phase's duration in ms, in phase order; empty on the other members
 * @param awaitingFence       on the member coordinating a recovery that waits for fencing: the node
 *                            ids it waits for (the wait-for graph's {@code waits-fencing} edges);
 *                            empty everywhere else
 */
public record RecoveryState(String state, long recoveriesCompleted, long generation, Set<String> fenced,
                            Map<String, Long> lastRunMillis, Set<String> awaitingFence) {

  public RecoveryState {
    fenced = Set.copyOf(fenced);
    lastRunMillis = Collections.unmodifiableMap(new LinkedHashMap<>(lastRunMillis));
    awaitingFence = Set.copyOf(awaitingFence);
  }

  /** A state that waits for no fence. */
  public RecoveryState(String state, long recoveriesCompleted, long generation, Set<String> fenced,
                       Map<String, Long> lastRunMillis) {
    this(state, recoveriesCompleted, generation, fenced, lastRunMillis, Set.of());
  }

  /** A member that coordinated no finished recovery. */
  public RecoveryState(String state, long recoveriesCompleted, long generation, Set<String> fenced) {
    this(state, recoveriesCompleted, generation, fenced, Map.of());
  }

  /** Whether locking is enabled (no recovery under way). */
  public boolean running() {
    return state.startsWith("running");
  }
}
