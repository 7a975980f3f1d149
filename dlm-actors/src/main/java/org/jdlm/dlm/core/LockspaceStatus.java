package org.jdlm.dlm.core;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a lockspace member shows about itself in dumps and {@code RecoveryState} (brief §2, issue 4
 * "visible state"), and whether it may leave. Bookkeeping and wording only; the {@code Lockspace}
 * actor feeds it the events of its runs.
 *
 * <h2>Rules</h2>
 * <ol>
 *   <li><b>The state in words</b> ({@link #stateText}): {@code running} (with the count of
 *       recoveries and the last one), {@code stopped, waiting for fencing of [..]} while the run this
 *       member coordinates waits for fencing, {@code stopped} at the barrier, else
 *       {@code recovering: PHASE}.</li>
 *   <li><b>The last recovery is told by whoever knows most</b>: the member that coordinated it shows
 *       its timings (detection, fencing, each phase); every other member shows its own stopped
 *       time. A new resume forgets the coordinator's timings until that run's coordinator finishes.</li>
 *   <li><b>Counts only grow</b>: recoveries completed (the first start is not a recovery) and the
 *       nodes fenced.</li>
 *   <li><b>A member leaves only when nothing is in use</b> ({@link #leaveRefusal}): not while this
 *       node holds locks, nor while it masters resources, which may hold other nodes' locks
 *       (moving them is recovery's job; they are tossed after the toss delay).</li>
 * </ol>
 */
public final class LockspaceStatus {

  private long recoveriesCompleted;
  private String lastRecovery = "none";
  /** On the member that coordinated the last recovery: its timings; else null. */
  private String coordinatedTimings;
  private Map<String, Long> lastRunMillis = Map.of();
  private final SortedSet<String> fenced = new TreeSet<>();

  /** Rule 1; {@code phase} is null while running; {@code awaitingFence} non-null while the coordinated run waits for fencing. */
  public String stateText(RecoveryPhase phase, Set<String> awaitingFence) {
    if (phase == null) {
      if (recoveriesCompleted == 0) {
        return "running";
      }
      return "running (recoveries " + recoveriesCompleted + ", last: "
          + (coordinatedTimings != null ? coordinatedTimings : lastRecovery) + ")";
    }
    if (awaitingFence != null) {
      return "stopped, waiting for fencing of " + awaitingFence;
    }
    if (phase == RecoveryPhase.AWAIT_FENCING) {
      return "stopped";
    }
    return "recovering: " + phase;
  }

  /** Rule 3: {@code nodes} were fenced by a run this member took part in. */
  public void fenced(Collection<String> nodes) {
    fenced.addAll(nodes);
  }

  /**
   * Rule 2: the run this member coordinated finished. Returns its timings in words for the log:
   * detection, fencing (the AWAIT_FENCING phase) and each phase in order.
   */
  public String coordinatedRunFinished(long generation, long detectionMillis, Map<RecoveryPhase, Long> phaseMillis,
      Set<String> departed, Set<String> fencedNodes) {
    StringBuilder timings = new StringBuilder("detection " + detectionMillis + " ms");
    Map<String, Long> byPhase = new LinkedHashMap<>();
    byPhase.put("detection", detectionMillis);
    for (RecoveryPhase p : RecoveryPhase.values()) {
      Long ms = phaseMillis.get(p);
      if (ms != null) {
        timings.append(", ").append(p == RecoveryPhase.AWAIT_FENCING ? "fencing" : p.name()).append(' ')
            .append(ms).append(" ms");
        byPhase.put(p.name(), ms);
      }
    }
    coordinatedTimings = "generation " + generation + ": " + timings
        + (departed.isEmpty() ? "" : " (departed " + departed + ", fenced " + fencedNodes + ")");
    lastRunMillis = Collections.unmodifiableMap(byPhase);
    return timings.toString();
  }

  /**
   * Rules 2 and 3: this member resumed at {@code generation} after {@code stoppedMillis} stopped;
   * {@code recovery} is false for its first start.
   */
  public void resumed(long generation, boolean recovery, long stoppedMillis, Collection<?> departed) {
    coordinatedTimings = null; // the coordinator of this run sets them when it finishes
    if (recovery) {
      recoveriesCompleted++;
      lastRecovery = "generation " + generation + " after " + stoppedMillis + " ms stopped"
          + (departed.isEmpty() ? "" : ", departed " + departed);
    }
  }

  /** Rule 4: why this member may not leave, or null when it may. */
  public static String leaveRefusal(String lockspace, int ownedLocks, int masteredResources) {
    if (ownedLocks > 0) {
      return "this node still holds " + ownedLocks + " lock(s) in lockspace " + lockspace;
    }
    if (masteredResources > 0) {
      return "this node still masters " + masteredResources + " resource(s) in lockspace " + lockspace
          + "; wait for the toss delay after the last unlock";
    }
    return null;
  }

  public long recoveriesCompleted() {
    return recoveriesCompleted;
  }

  public Set<String> fencedNodes() {
    return Set.copyOf(fenced);
  }

  /** Detection and phase timings of the last run this member coordinated, in phase order; empty otherwise. */
  public Map<String, Long> lastRunMillis() {
    return lastRunMillis;
  }
}
