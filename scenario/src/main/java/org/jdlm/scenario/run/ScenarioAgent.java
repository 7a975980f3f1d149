package org.jdlm.scenario.run;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jdlm.dlm.api.DlmException;
import org.jdlm.dlm.api.LockHandle;
import org.jdlm.dlm.api.LockResult;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.core.SbFlags;
import org.jdlm.dlm.dump.DumpRenderer;
import org.jdlm.dlm.dump.LockspaceDump;
import org.jdlm.scenario.Mode;

/**
 * One node's side of a scenario: carries out the file's operations on this node's
 * {@link LockspaceHandle} and records every callback delivered here, in delivery order. The
 * in-process mode calls it directly; the jvm mode calls it through the member's control endpoint,
 * so both modes run the very same code against the DLM.
 *
 * <p>Each scenario lock has a value-block buffer, as a libdlm lksb does: it starts zeroed
 * ({@code lvblen} bytes), {@code lvb=} sets it before the call, every call passes it, and a
 * completion that carries a value block writes it back (brief §6).
 */
public final class ScenarioAgent implements NodeDriver {

  private static final long SYNC_TIMEOUT_MILLIS = 10_000;

  private final String nodeName;
  private final LockspaceHandle lockspace;
  private final Function<String, String> nodeNameOf;
  private final Map<String, ScenarioLock> locks = new HashMap<>();
  /** This member's wait-for-graph detector, or null (detector statements then fail with a clear error). */
  private final org.jdlm.dlm.WaitsDetector detector;
  /** Reports that existed before this file's lockspace was joined here: not this file's. */
  private final Set<String> reportsBefore = new java.util.HashSet<>();
  private final List<ObservedEvent> events = new ArrayList<>();
  private long seq;

  /** A scenario lock on this node: its handle (null when the request was refused) and its buffer. */
  private static final class ScenarioLock {
    final String name;
    final String resource;
    final LockHandle handle;
    /** The task that requested it and makes its conversions (the detector's nX/task:T). */
    String task;
    byte[] buffer;
    Set<String> lastSbflags = Set.of();
    /** The fencing token of the last completion that left a mode held; null when none is held. */
    org.jdlm.dlm.core.FencingToken token;

    ScenarioLock(String name, String resource, LockHandle handle, byte[] buffer) {
      this.name = name;
      this.resource = resource;
      this.handle = handle;
      this.buffer = buffer;
    }
  }

  /**
   * @param nodeName   this node's scenario name ({@code n1 …})
   * @param nodeNameOf maps a DLM node id as dumps print it ({@code host:port}) to a scenario name
   */
  public ScenarioAgent(String nodeName, LockspaceHandle lockspace, Function<String, String> nodeNameOf) {
    this(nodeName, lockspace, nodeNameOf, null);
  }

  /** @param detector this member's wait-for-graph detector, for {@code expect deadlock …} and {@code break-deadlocks} */
  public ScenarioAgent(String nodeName, LockspaceHandle lockspace, Function<String, String> nodeNameOf,
      org.jdlm.dlm.WaitsDetector detector) {
    this.nodeName = nodeName;
    this.lockspace = lockspace;
    this.nodeNameOf = nodeNameOf;
    this.detector = detector;
    if (detector != null) {
      detector.reports().forEach(r -> reportsBefore.add(r.id()));
    }
  }

  // ---- the wait-for-graph detector ---------------------------------------------------------

  @Override
  public List<DetectorReport> detectorReports() {
    if (detector == null) {
      throw new IllegalStateException(nodeName + " runs no wait-for-graph detector");
    }
    List<DetectorReport> out = new ArrayList<>();
    for (org.jdlm.dlm.WaitsDetector.Report r : detector.reports()) {
      if (!reportsBefore.contains(r.id())) {
        out.add(new DetectorReport(r.kind(), r.id(), new ArrayList<>(new java.util.TreeSet<>(r.vertices())),
            r.victim().orElse(null), r.text()));
      }
    }
    return out;
  }

  @Override
  public void breakDeadlocks() {
    if (detector == null) {
      throw new IllegalStateException(nodeName + " runs no wait-for-graph detector");
    }
    detector.breakDeadlocksIn(lockspace.name());
  }

  // ---- operations ---------------------------------------------------------------------------

  @Override
  public String lock(String lock, String resource, Mode mode, Set<String> flags, byte[] lvb,
      boolean blockingCallback, String task) {
    LockHandle handle;
    // A file names its tasks; without task=, each lock is a task of its own name, so a lock waiting
    // for another of the same member is a wait, never a self-deadlock of the calling thread. That
    // name carries the lockspace: lock names repeat from file to file on a reused cluster, and one
    // task with two waiting requests (an earlier file's lock left waiting) is a contradiction the
    // detector refuses, leaving the member's facts out.
    String requester = task != null ? task : lock + "@" + lockspace.name();
    synchronized (this) {
      byte[] buffer = lvb != null ? lvb.clone() : new byte[lockspace.lvbLength()];
      try {
        handle = org.jdlm.dlm.api.LockRequester.as(requester, () -> lockspace.lock(
            resource.getBytes(java.nio.charset.StandardCharsets.UTF_8),
            LockMode.valueOf(mode.name()), flagSet(flags), buffer, blockingCallback ? (h, m) -> onBlocking(lock, m) : null,
            (h, r) -> onCompletion(lock, r)));
      } catch (DlmException e) {
        locks.put(lock, new ScenarioLock(lock, resource, null, buffer)); // the name stays bound (brief §6)
        return e.code().name();
      }
      ScenarioLock l = new ScenarioLock(lock, resource, handle, buffer);
      l.task = requester;
      locks.put(lock, l);
    }
    return flags.contains(LockFlag.ORPHAN.name()) ? adoptionCode(handle) : "OK";
  }

  /**
   * An ORPHAN request is answered synchronously in fs/dlm (semantics §9 K: -EAGAIN, -ENOENT). Here a node
   * without an orphan of its own asks the master, whose answer is the request's CAST
   * (docs/recovery.md "Orphans"); the runner reports that answer as the call's code, so files
   * written against TV-61 ({@code => ENOENT}) hold. Waited for outside the agent's monitor: the CAST
   * arrives through {@link #onCompletion}. Still unanswered after the bound (the lockspace is
   * recovering): OK, and the CAST tells later.
   */
  private static String adoptionCode(LockHandle handle) {
    try {
      LockResult r = handle.completion().toCompletableFuture().get(SYNC_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
      return r.status() == org.jdlm.dlm.core.CastStatus.OK ? "OK" : r.status().name();
    } catch (java.util.concurrent.TimeoutException e) {
      return "OK";
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause() instanceof DlmException d ? d.code().name() : "OK";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "OK";
    }
  }

  @Override
  public synchronized String convert(String lock, Mode mode, Set<String> flags, byte[] lvb) {
    ScenarioLock l = locks.get(lock);
    if (l == null || l.handle == null) {
      return "ENOENT";
    }
    setBuffer(l, lvb);
    try {
      org.jdlm.dlm.api.LockRequester.as(l.task == null ? lock : l.task,
          () -> l.handle.convert(LockMode.valueOf(mode.name()), flagSet(flags), l.buffer));
      return "OK";
    } catch (DlmException e) {
      return e.code().name();
    }
  }

  @Override
  public synchronized String unlock(String lock, Set<String> flags, byte[] lvb) {
    ScenarioLock l = locks.get(lock);
    if (l == null || l.handle == null) {
      return "ENOENT";
    }
    setBuffer(l, lvb);
    try {
      l.handle.unlock(flagSet(flags), l.buffer);
      return "OK";
    } catch (DlmException e) {
      return e.code().name();
    }
  }

  @Override
  public synchronized String cancel(String lock, Set<String> flags) {
    ScenarioLock l = locks.get(lock);
    if (l == null || l.handle == null) {
      return "ENOENT";
    }
    try {
      if (flags.isEmpty()) {
        l.handle.cancel();
      } else {
        // `cancel L flags=…` is the API's unlock with CANCEL added to the written flags.
        Set<LockFlag> all = flagSet(flags);
        all.add(LockFlag.CANCEL);
        l.handle.unlock(all, l.buffer);
      }
      return "OK";
    } catch (DlmException e) {
      return e.code().name();
    }
  }

  private static Set<LockFlag> flagSet(Set<String> names) {
    Set<LockFlag> flags = EnumSet.noneOf(LockFlag.class);
    for (String n : names) {
      flags.add(LockFlag.parse(n));
    }
    return flags;
  }

  private void setBuffer(ScenarioLock l, byte[] lvb) {
    if (lvb != null) {
      l.buffer = lvb.clone();
    }
  }

  // ---- callbacks ----------------------------------------------------------------------------

  /** A completion callback of {@code lock}, exactly as the DLM delivered it (callback thread). */
  private synchronized void onCompletion(String lock, LockResult r) {
    ScenarioLock l = locks.get(lock);
    if (l == null) {
      return;
    }
    if (r.lvb() != null) {
      l.buffer = r.lvb().clone();
    }
    l.lastSbflags = sbflags(r.sbflags());
    l.token = r.token();
    add(new ObservedEvent(++seq, nodeName, lock, System.nanoTime(), ObservedEvent.Kind.CAST, r.status().name(),
        r.grantedMode() == null ? null : Mode.valueOf(r.grantedMode().name()), l.lastSbflags, r.lvb(),
        r.token() == null ? null : r.token().toString()));
    notifyAll();
  }

  /** A blocking callback of {@code lock} (callback thread, in per-lock order with its completions). */
  private synchronized void onBlocking(String lock, LockMode mode) {
    add(new ObservedEvent(++seq, nodeName, lock, System.nanoTime(), ObservedEvent.Kind.BAST, null,
        Mode.valueOf(mode.name()), Set.of(), null, null));
    notifyAll();
  }

  private void add(ObservedEvent e) {
    events.add(e);
  }

  private static Set<String> sbflags(SbFlags f) {
    if (f == null) {
      return Set.of();
    }
    Set<String> s = new LinkedHashSet<>();
    if (f.demoted()) {
      s.add("DEMOTED");
    }
    if (f.valNotValid()) {
      s.add("VALNOTVALID");
    }
    if (f.altMode()) {
      s.add("ALTMODE");
    }
    return Set.copyOf(s);
  }

  @Override
  public synchronized List<ObservedEvent> events(long afterSeq, long waitMillis) {
    long deadline = System.currentTimeMillis() + waitMillis;
    while (seq <= afterSeq) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return List.of();
      }
      try {
        wait(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return List.of();
      }
    }
    List<ObservedEvent> out = new ArrayList<>();
    for (int i = events.size() - 1; i >= 0 && events.get(i).seq() > afterSeq; i--) {
      out.add(0, events.get(i));
    }
    return out;
  }

  // ---- views --------------------------------------------------------------------------------

  @Override
  public synchronized LockView lockView(String lock) {
    ScenarioLock l = locks.get(lock);
    if (l == null) {
      return null;
    }
    if (l.handle == null) {
      return new LockView(null, l.resource, "gone", null, null, l.buffer.clone(), l.lastSbflags);
    }
    String state = l.handle.state().name().toLowerCase(java.util.Locale.ROOT);
    LockMode g = l.handle.grantedMode();
    LockMode rq = l.handle.requestedMode();
    return new LockView(lockId(nodeName, l.handle.id()), l.resource, state,
        g == null ? null : Mode.valueOf(g.name()), rq == null ? null : Mode.valueOf(rq.name()), l.buffer.clone(),
        l.lastSbflags);
  }

  @Override
  public ResourceView resourceView(String resource) {
    for (LockspaceDump.ResourceDump r : dumpNow().resources()) {
      if (r.name().equals(resource)) {
        return new ResourceView(r.name(), nodeNameOf.apply(r.master()), nodeNameOf.apply(r.directoryNode()),
            entries(r.grant()), entries(r.convert()), entries(r.waiting()));
      }
    }
    return null;
  }

  private List<QueueEntry> entries(List<LockspaceDump.QueuedLock> q) {
    List<QueueEntry> out = new ArrayList<>(q.size());
    for (LockspaceDump.QueuedLock l : q) {
      // A dead node's orphan is listed under the lock name it had when that node held it.
      String owner = nodeNameOf.apply(org.jdlm.dlm.core.NodeId.baseName(l.owner()));
      out.add(new QueueEntry(lockId(owner, l.lockId()), mode(l.granted()), mode(l.requested())));
    }
    return out;
  }

  private static Mode mode(String m) {
    return m == null || m.equals("IV") ? null : Mode.valueOf(m);
  }

  /** {@code owner:hex}, the same spelling for the owner's copy and the master's copy. */
  static String lockId(String owner, long id) {
    return owner + ":" + Long.toHexString(id);
  }

  private LockspaceDump dumpNow() {
    try {
      return lockspace.dump().toCompletableFuture().get(SYNC_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(nodeName + ": no dump within " + SYNC_TIMEOUT_MILLIS + " ms: " + e, e);
    }
  }

  @Override
  public Activity flush() {
    // Outside the agent's monitor: the flush waits for callbacks, which record under it.
    boolean flushed;
    try {
      flushed = lockspace.flush().toCompletableFuture().get(SYNC_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      flushed = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      flushed = false;
    }
    synchronized (this) {
      // Every event the masters here sent before the flush reached its owner's callbacks (the
      // listeners record synchronously); the lockspace says whether operations await an answer.
      return new Activity(0, seq, flushed && lockspace.isQuiet() ? 0 : 1, 0);
    }
  }

  @Override
  public LockspaceView lockspaceView() {
    org.jdlm.dlm.api.RecoveryState r = lockspace.recoveryState();
    Set<String> fenced = new java.util.TreeSet<>();
    r.fenced().forEach(id -> fenced.add(nodeNameOf.apply(id)));
    return new LockspaceView(r.running() ? "running" : "stopped", r.recoveriesCompleted(), r.generation(), fenced);
  }

  @Override
  public String dump() {
    // Dumps name members by address; a scenario names them n1…nN, so show those names.
    java.util.regex.Matcher m = ADDRESS.matcher(DumpRenderer.render(dumpNow()));
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(nodeNameOf.apply(m.group())));
    }
    return m.appendTail(out).toString();
  }

  private static final java.util.regex.Pattern ADDRESS = java.util.regex.Pattern.compile("\\d{1,3}(?:\\.\\d{1,3}){3}:\\d{1,5}");

  /**
   * The fencing token {@code lock} holds, as its last completion delivered it: what a writer passes
   * to storage with each write (style rule 9). Empty when the name is unknown or holds no mode.
   */
  public synchronized java.util.Optional<org.jdlm.dlm.core.FencingToken> token(String lock) {
    ScenarioLock l = locks.get(lock);
    return l == null ? java.util.Optional.empty() : java.util.Optional.ofNullable(l.token);
  }

  /** For tests and the control endpoint: whether this agent has bound {@code lock}. */
  synchronized boolean knows(String lock) {
    return locks.containsKey(lock);
  }

  @Override
  public String toString() {
    return "ScenarioAgent[" + nodeName + ", " + lockspace.name() + ", locks=" + Arrays.toString(locks.keySet().toArray()) + "]";
  }
}
