package org.jdlm.scenario.run;

import java.util.List;
import java.util.Set;
import org.jdlm.scenario.Mode;

/**
 * One cluster member as the scenario runner drives it. The in-process mode calls the node's
 * {@code ScenarioAgent} directly; the jvm mode calls the same agent through the member's control
 * endpoint. Everything is in the scenario's own terms (lock names, mode names, code names), so the
 * two modes cannot drift apart: they share the agent and differ only in transport.
 *
 * <p>Operations return the API's synchronous code ({@code OK}, {@code EINVAL}, {@code ENOENT},
 * {@code EBUSY}, …) at once; their outcomes arrive later as {@link ObservedEvent}s.
 */
public interface NodeDriver {

  /** {@code nX lock L R MODE …}: binds {@code lock} on this node to the new lock (even when refused). */
  default String lock(String lock, String resource, Mode mode, Set<String> flags, byte[] lvb, boolean blockingCallback) {
    return lock(lock, resource, mode, flags, lvb, blockingCallback, null);
  }

  /**
   * {@code nX lock L R MODE … task=T}: as {@link #lock(String, String, Mode, Set, byte[], boolean)},
   * requested by task {@code task} (null: a task named after the lock), which also makes L's
   * conversions: the wait-for-graph detector's {@code nX/task:T}.
   */
  String lock(String lock, String resource, Mode mode, Set<String> flags, byte[] lvb, boolean blockingCallback,
      String task);

  /** The wait-for-graph detector's reports on this node made since this file's lockspace was joined here, oldest first. */
  List<DetectorReport> detectorReports();

  /** {@code break-deadlocks}: this node's detector denies a victim of each deadlock in the file's lockspace with EDEADLK. */
  void breakDeadlocks();

  /** A detector report: kind DEADLOCK, STALL or LIVELOCK, its id, the knot's vertices, the victim (or null), the text. */
  record DetectorReport(String kind, String id, List<String> vertices, String victim, String text) {
    public DetectorReport {
      vertices = List.copyOf(vertices);
    }
  }

  /** {@code nX convert L MODE …}. An unknown name answers {@code ENOENT}, as the API does for an unknown id. */
  String convert(String lock, Mode mode, Set<String> flags, byte[] lvb);

  /** {@code nX unlock L …}. */
  String unlock(String lock, Set<String> flags, byte[] lvb);

  /** {@code nX cancel L …}: the API's unlock with CANCEL added to {@code flags}. */
  String cancel(String lock, Set<String> flags);

  /**
   * Callbacks delivered on this node with a sequence number above {@code afterSeq}, oldest first,
   * waiting up to {@code waitMillis} for the first one when there is none yet.
   */
  List<ObservedEvent> events(long afterSeq, long waitMillis);

  /** This node's own copy of a lock it owns, or {@code null} if the name is not bound here. */
  LockView lockView(String lock);

  /** The master copy of a resource if this node masters it, else {@code null}. */
  ResourceView resourceView(String resource);

  /**
   * Flushes this node's lockspace (a round trip to every peer behind all earlier messages, then the
   * callback executor drained) and reports its activity counters: two consecutive rounds with
   * equal counters on every node and nothing awaiting a reply mean the cluster is quiet.
   */
  Activity flush();

  /** The lockspace's state on this node: running or stopped, and recoveries completed. */
  LockspaceView lockspaceView();

  /** A text dump of what this node masters and holds (docs/dump-format.md). */
  String dump();

  /**
   * A callback as delivered to the scenario's handler on {@code node}. {@code token} is the fencing
   * token a completion delivered ({@code generation/counter}, as {@code FencingToken.toString}), so
   * an outside client can check tokens without writing to the disk; null for a blocking callback and
   * for a completion that leaves no mode held.
   */
  record ObservedEvent(long seq, String node, String lock, long atNanos, Kind kind, String status, Mode mode,
                       Set<String> sbflags, byte[] lvb, String token) {
    /** Completion or blocking callback. */
    public enum Kind { CAST, BAST }
  }

  /**
   * The owner's copy of a lock: {@code lockId} is {@code owner:hex} as in dumps; {@code state} is one
   * of {@code granted waiting converting gone requesting unlocking}; modes are {@code null} when none.
   */
  record LockView(String lockId, String resource, String state, Mode granted, Mode requested, byte[] lvb,
                  Set<String> lastSbflags) {}

  /** One lock on a master's queue. */
  record QueueEntry(String lockId, Mode granted, Mode requested) {}

  /** A resource as its master holds it. */
  record ResourceView(String resource, String master, String directory, List<QueueEntry> grant,
                      List<QueueEntry> convert, List<QueueEntry> waiting) {}

  /** Counters for quiet detection; {@code awaitingReply} counts operations with no answer yet. */
  record Activity(long messagesHandled, long callbacksDelivered, int awaitingReply, int callbacksPending) {}

  /** {@code running} or {@code stopped}; {@code recoveriesCompleted} only grows; {@code generation} of the last. */
  record LockspaceView(String state, long recoveriesCompleted, long generation, Set<String> fencedNodes) {}
}
