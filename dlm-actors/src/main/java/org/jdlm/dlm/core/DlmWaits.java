package org.jdlm.dlm.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongUnaryOperator;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.Join;
import org.jdlm.kernel.core.waits.DlmRequest;
import org.jdlm.kernel.core.waits.Edge;
import org.jdlm.kernel.core.waits.FactSink;
import org.jdlm.kernel.core.waits.Vertex;

/**
 * The DLM's part of the wait-for graph (issue 11 ★, docs/detector.md §4 and §6): which application
 * requests wait, on what, and who holds what. No member sees a whole cross-member wait, so each
 * feeds the half it knows and the merged graph joins them by name:
 * <pre>
 *   owner:  M/task:T    --waits-dlm-grant(X R)--> M/rq:LS/ID[R rq=X]   T's request, queued at the master
 *   master: M/rq:LS/ID  --waits-dlm-grant(X R)--> N/lkb:LS/J[R gr=Y]  AND over incompatible holders
 *           M/rq:LS/ID  --waits-dlm-grant(X R)--> K/rq:LS/I[R rq=Z]   and over requests queued ahead (FIFO)
 *   owner:  N/lkb:LS/J  --held-by-->              N/task:U           the granted lock's requester
 * </pre>
 * {@code M}, {@code N}, {@code K} are owner members ({@code scope} of the lock's owner node), LS
 * the lockspace (lock ids are per lockspace; tasks are not): the master knows a lock by its owner
 * node and the owner's lock id, the owner knows the task that asked. The request and the granted lock are two vertices because a converting lock is both: it
 * holds its granted mode (others wait on that) while its conversion waits (on others).
 *
 * <p>Conservative by construction: a request the master has not described (no master facts) and a
 * lock whose owner did not describe its holder have no edges out, so they count as able to
 * progress: missing facts give a stall, never a false deadlock. Holders are fed only for tasks
 * that wait themselves (a task that waits on nothing progresses, so its locks could never close a
 * knot) and for kernel tasks (which may wait on anything the kernel knows); this keeps the facts
 * proportional to the waits, not to every lock held.
 */
public final class DlmWaits {

  /** A lock on a master's convert or wait queue, and what keeps it there. */
  public record Blocked(LockId lock, LockMode requested, LockMode granted, boolean conversion,
                        List<Blocker> blockers) {
    public Blocked {
      Objects.requireNonNull(lock, "lock");
      Objects.requireNonNull(requested, "requested");
      blockers = List.copyOf(blockers);
    }
  }

  /** A granted lock with an incompatible mode ({@code ahead} false), or a request queued in front ({@code ahead} true). */
  public record Blocker(LockId lock, LockMode mode, boolean ahead) {}

  /** What one master publishes about one resource's queues ({@code resource}: the printed name). */
  public record ResourceWaits(String resource, List<Blocked> blocked) {
    public ResourceWaits {
      Objects.requireNonNull(resource, "resource");
      blocked = List.copyOf(blocked);
    }
  }

  /**
   * An owner's waiting request: queued at its master (WAITING or CONVERT_QUEUED), asked by
   * {@code task}, since {@code sinceNanos} (the owner's clock).
   */
  public record Request(LockId lock, String lockspace, String resource, LockMode mode, boolean conversion,
                        String task, int priority, long sinceNanos, boolean noDeadlockWait) {}

  /** An owner's granted lock and the task that asked for it; {@code kernelTask} feeds it even when the task waits on no lock. */
  public record Holding(LockId lock, String lockspace, String resource, LockMode granted, String task,
                        boolean kernelTask) {}

  private DlmWaits() {}

  /**
   * The blockers of every converting and waiting lock of one resource (semantics §2.5, rules 5-10):
   * a conversion waits for the holders whose granted mode is incompatible with its request and for
   * the conversions ahead of it (FIFO); a new request also for every conversion and every request
   * ahead of it. A converting lock still holds its granted mode, so it blocks like a granted one.
   */
  public static ResourceWaits of(String resource, List<LockView> granted, List<LockView> converting,
      List<LockView> waiting) {
    List<LockView> holders = new ArrayList<>(granted.size() + converting.size());
    holders.addAll(granted);
    holders.addAll(converting);
    List<Blocked> out = new ArrayList<>(converting.size() + waiting.size());
    for (int i = 0; i < converting.size(); i++) {
      LockView c = converting.get(i);
      List<Blocker> b = incompatible(holders, c);
      for (int j = 0; j < i; j++) {
        b.add(new Blocker(converting.get(j).lock(), converting.get(j).requested(), true));
      }
      out.add(new Blocked(c.lock(), c.requested(), c.granted(), true, b));
    }
    for (int i = 0; i < waiting.size(); i++) {
      LockView w = waiting.get(i);
      List<Blocker> b = incompatible(holders, w);
      for (LockView c : converting) {
        b.add(new Blocker(c.lock(), c.requested(), true));
      }
      for (int j = 0; j < i; j++) {
        b.add(new Blocker(waiting.get(j).lock(), waiting.get(j).requested(), true));
      }
      out.add(new Blocked(w.lock(), w.requested(), null, false, b));
    }
    return new ResourceWaits(resource, out);
  }

  private static List<Blocker> incompatible(List<LockView> holders, LockView req) {
    List<Blocker> b = new ArrayList<>();
    for (LockView h : holders) {
      if (!h.lock().equals(req.lock()) && h.granted() != null && !ModeTables.compatible(h.granted(), req.requested())) {
        b.add(new Blocker(h.lock(), h.granted(), false));
      }
    }
    return b;
  }

  /** The vertex of a lock's granted mode: {@code n1/lkb:fs1/0000002a} (owner member, lockspace, owner's lock id). */
  public static Vertex lkb(String lockspace, LockId lock, Function<NodeId, String> scope) {
    return Vertex.lkb(scope.apply(lock.owner()), lockspace + "/" + hex(lock.local()));
  }

  /** The vertex of a lock's queued request or conversion: {@code n1/rq:fs1/0000002a}. */
  public static Vertex rq(String lockspace, LockId lock, Function<NodeId, String> scope) {
    return Vertex.of(scope.apply(lock.owner()), "rq", lockspace + "/" + hex(lock.local()));
  }

  /** A lock id as vertices and reports print it (eight hex digits, like the kernel's lkb ids). */
  public static String hex(long local) {
    return String.format("%08x", local);
  }

  /** Reads {@link #hex} back; a bad id is a clear error. */
  public static long parseHex(String lkbId) {
    try {
      return Long.parseUnsignedLong(lkbId, 16);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("lkb id '" + lkbId + "' is not hexadecimal", e);
    }
  }

  /** The master's half in {@code lockspace}: each queued lock's request waits (AND) on its blockers. */
  public static void feedMaster(FactSink sink, String lockspace, ResourceWaits w, Function<NodeId, String> scope) {
    for (Blocked b : w.blocked()) {
      Vertex rq = rq(lockspace, b.lock(), scope);
      sink.state(rq, requestState(w.resource(), b.requested(), b.granted()));
      if (b.blockers().isEmpty()) {
        continue; // grantable at the next pass: it progresses
      }
      sink.join(rq, Join.AND);
      String arg = b.requested() + " " + w.resource();
      for (Blocker k : b.blockers()) {
        Vertex to;
        if (k.ahead()) {
          to = rq(lockspace, k.lock(), scope);
          sink.state(to, requestState(w.resource(), k.mode(), null));
        } else {
          to = lkb(lockspace, k.lock(), scope);
          sink.state(to, w.resource() + " gr=" + k.mode());
        }
        sink.edge(new Edge(rq, to, EdgeKind.WAITS_DLM_GRANT, arg, k.ahead() ? "queued ahead" : ""));
      }
    }
  }

  private static String requestState(String resource, LockMode requested, LockMode granted) {
    return granted == null ? resource + " rq=" + requested : resource + " " + granted + ">" + requested;
  }

  /**
   * The owner's half on member {@code member}: each waiting request of a task, and the holders of
   * the locks that tasks with a waiting request (and kernel tasks) hold. {@code toDetectorNanos}
   * places the owner's times on the detector's clock.
   */
  public static void feedOwner(FactSink sink, String member, List<Request> requests, List<Holding> holdings,
      Function<NodeId, String> scope, LongUnaryOperator toDetectorNanos) {
    Set<String> waiting = new HashSet<>();
    for (Request r : requests) {
      Vertex task = Vertex.task(member, r.task());
      Vertex rq = rq(r.lockspace(), r.lock(), scope);
      waiting.add(r.task());
      long since = toDetectorNanos.applyAsLong(r.sinceNanos());
      sink.dlmRequest(new DlmRequest(task, r.lockspace(), r.resource(), hex(r.lock().local()), r.mode().name(),
          r.priority(), since, r.noDeadlockWait()));
      sink.waitingSince(task, since);
      // No join: AND is the default, and a kernel task's own wait may have said how it joins.
      sink.edge(new Edge(task, rq, EdgeKind.WAITS_DLM_GRANT, r.mode() + " " + r.resource(),
          r.conversion() ? "conversion" : ""));
    }
    for (Holding h : holdings) {
      if (!h.kernelTask() && !waiting.contains(h.task())) {
        continue;
      }
      Vertex lkb = lkb(h.lockspace(), h.lock(), scope);
      sink.state(lkb, h.resource() + " gr=" + h.granted());
      sink.heldBy(lkb, List.of(Vertex.task(member, h.task())));
    }
  }
}
