package org.jdlm.dlm.api;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.core.NodeId;
import org.jdlm.dlm.dump.LockspaceDump;

/**
 * This node's membership of one lockspace, obtained from {@link org.jdlm.dlm.Dlm#joinLockspace}.
 *
 * <p>Calls never hang and never drop a request: while the lockspace is stopped for a membership
 * change they are parked and carried out on resume. After {@link #leave()} every call throws
 * {@link DlmException} with code {@code ENOENT}.
 */
public interface LockspaceHandle {

  /** The lockspace name. */
  String name();

  /** This node's id in the lockspace ({@code host:port}). */
  NodeId nodeId();

  /** The value block length of this lockspace. */
  int lvbLength();

  /**
   * Requests a new lock on {@code name} (1..64 bytes) in {@code mode}.
   *
   * @param flags    request flags (semantics §2.7); must not contain CONVERT or CANCEL
   * @param lvb      the lock's value-block buffer (at most lvblen bytes), required with VALBLK
   * @param listener blocking-callback listener, or {@code null} for none (then no BAST is sent)
   * @return the lock; its {@link LockHandle#completion()} completes with the outcome
   * @throws DlmException synchronously for the §2.8 errors
   */
  LockHandle lock(byte[] name, LockMode mode, Set<LockFlag> flags, byte[] lvb, BlockingListener listener);

  /** {@link #lock(byte[], LockMode, Set, byte[], BlockingListener)} with the UTF-8 bytes of {@code name}. */
  default LockHandle lock(String name, LockMode mode, Set<LockFlag> flags, byte[] lvb, BlockingListener listener) {
    return lock(name.getBytes(StandardCharsets.UTF_8), mode, flags, lvb, listener);
  }

  /**
   * {@link #lock(byte[], LockMode, Set, byte[], BlockingListener)} with a completion listener too:
   * {@code completion} sees every completion callback of the lock, exactly as delivered (the
   * libdlm {@code astfn}); {@code null} for none.
   */
  LockHandle lock(byte[] name, LockMode mode, Set<LockFlag> flags, byte[] lvb, BlockingListener listener,
      CompletionListener completion);

  /** A snapshot of this member: resources it masters and locks it holds. */
  CompletionStage<LockspaceDump> dump();

  /**
   * Flushes this member's masters: completes with {@code true} once every event (grant, blocking
   * callback, reply) that a resource mastered here sent before the call has been applied by its
   * owner and the callbacks it caused have run, on every owner node and on this one. {@code false}
   * when that did not happen within {@code jdlm.dlm-actors.flush-timeout} (an owner stopped for
   * recovery holds its events, and the flush, until it resumes). Flushing every member, and seeing
   * no operation awaiting an answer, twice in a row with nothing changed, means nothing is in flight:
   * that is how the scenario runner's {@code await quiet} works.
   */
  CompletionStage<Boolean> flush();

  /**
   * Every member's dump (sorted by node), for a cluster-wide view: each resource appears in its
   * master's dump. Members that did not answer within twice {@code dump-timeout} are listed in
   * {@code missing}. Render with {@code DumpRenderer.renderCluster}.
   */
  CompletionStage<ClusterDump> clusterDump();

  /** The members' dumps and the members that did not answer. */
  record ClusterDump(List<LockspaceDump> dumps, List<String> missing) {}

  /**
   * True when no lock of this node has an operation in flight (REQUESTING, CONVERTING,
   * UNLOCKING, CANCELLING) and every callback queued on this node has been delivered. A scenario's
   * {@code await quiet} polls this on every node: it cannot see a blocking callback still on the
   * network between a master and another owner, so poll until it holds on all nodes twice in a row.
   */
  boolean isQuiet();

  /** The current members (directory order) as of the last resume. */
  List<NodeId> members();

  /**
   * This member's recovery state: running or stopped (and why), recoveries completed, generation,
   * members fenced so far. Updated at every transition; never blocks.
   */
  RecoveryState recoveryState();

  /**
   * Completes when locking is enabled: at once while the lockspace runs, else at the next resume
   * ({@code ls_in_recovery} released). Read-only and non-blocking: a kernel task that must wait
   * for a running lockspace ({@code waits-dlm-running}) parks on it through its own task wait.
   */
  default CompletionStage<Void> whenRunning() {
    // Wrappers that do not forward it can tell only the present (LockspaceLocal knows the resume).
    return recoveryState().running() ? java.util.concurrent.CompletableFuture.completedFuture(null)
        : java.util.concurrent.CompletableFuture.failedFuture(new UnsupportedOperationException(
            getClass().getName() + " cannot tell when lockspace " + name() + " runs again"));
  }

  /** The generation of the last resume. */
  long generation();

  /**
   * Leaves the lockspace. Refused ({@code EBUSY} in the failed stage) while this node holds locks or
   * masters resources in use.
   */
  CompletionStage<Void> leave();
}
