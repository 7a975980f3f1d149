package org.jdlm.scenario.run;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jdlm.dlm.dump.LockspaceDump;
import org.jdlm.fs.FsSettings;
import org.jdlm.fs.Glocks;
import org.jdlm.fs.InodeCache;
import org.jdlm.fs.MemberFs;
import org.jdlm.fs.core.GlockName;
import org.jdlm.fs.core.GlockSettings;
import org.jdlm.fs.core.GlockState;
import org.jdlm.fs.core.GlockType;
import org.jdlm.fs.core.HolderFlag;
import org.jdlm.kernel.Allocation;
import org.jdlm.kernel.AllocationResult;
import org.jdlm.kernel.Kernel;
import org.jdlm.kernel.Task;
import org.jdlm.kernel.core.GfpMask;
import org.jdlm.kernel.core.MemoryBudget;
import org.jdlm.kernel.core.MemorySnapshot;
import org.jdlm.kernel.core.TaskFlag;
import org.jdlm.kernel.core.TaskSnapshot;
import org.jdlm.kernel.core.TaskState;
import org.jdlm.member.MemberFilesystems;

/**
 * One member's filesystem and kernel side of a scenario (docs/scenarios.md "Filesystem and
 * kernel"): mounts, named kernel tasks that make glock, inode and memory calls, and the views
 * {@code expect}/{@code await} read. In-process mode calls {@link #fs} directly; jvm mode calls
 * the same method through {@code POST /scenario/fs} ({@link ScenarioEndpoints}), and the parameter
 * map is the wire format in both, so the two modes run the same code.
 *
 * <p>Everything a file does lives in a <em>session</em> ({@code run=ID}): its filesystems are
 * mounted under the names the runner gives them, its tasks are its own, and {@code op=reset} at the
 * end of the file unmounts them, stops its tasks, frees what they allocated and puts the member's
 * memory budget back, so a reused member starts the next file as configured.
 *
 * <p>A named task is a real kernel task ({@link Kernel#spawn}) that runs the calls given to it one
 * after another; each call's blocking waits are the layer's own typed waits, so {@code expect nX
 * task T waiting waits-glock(EX)} reads the member's wait-for registry. Bad parameters are
 * {@link ScenarioWire.BadRequest} (HTTP 400 with the reason).
 */
public final class FsAgent implements FsDriver {

  /** Bound of a synchronous call's wait when the runner gives none. */
  private static final long DEFAULT_WAIT_MILLIS = 30_000;

  private final String nodeName;
  private final MemberFilesystems filesystems;
  private final Kernel kernel;
  private final MemoryBudget.Settings memoryDefaults;
  private final Map<String, Session> sessions = new HashMap<>();
  private final java.util.function.Function<String, String> nodeNameOf;

  /**
   * @param nodeNameOf maps a DLM node id as dumps print it ({@code host:port}) to a scenario name
   */
  public FsAgent(String nodeName, MemberFilesystems filesystems, java.util.function.Function<String, String> nodeNameOf) {
    this.nodeName = nodeName;
    this.nodeNameOf = nodeNameOf;
    this.filesystems = filesystems;
    this.kernel = filesystems.kernel();
    this.memoryDefaults = kernel.settings().memory();
  }

  /**
   * Carries out one request; {@code op} says which (mount, unmount, memory, task, glock, cached,
   * memview, taskview, dlm, reset). Returns the reply line.
   *
   * @throws ScenarioWire.BadRequest for a missing or bad parameter, naming it and the reason
   */
  @Override
  public String fs(Map<String, String> query) {
    ScenarioWire.Params p = new ScenarioWire.Params(query);
    String op = p.required("op");
    Session s = session(p.required("run"));
    try {
      return switch (op) {
        case "mount" -> s.mount(p);
        case "unmount" -> s.unmount(p);
        case "memory" -> memory(p);
        case "task" -> s.task(p);
        case "glock" -> s.glockView(p);
        case "cached" -> s.fs(p).inodes().isCached(ino(p)) ? "cached yes" : "cached no";
        case "memview" -> memView();
        case "taskview" -> s.taskView(p);
        case "dlm" -> s.dlmView(p);
        case "reset" -> reset(p.required("run"));
        case "dump" -> s.dump();
        default -> throw new ScenarioWire.BadRequest("unknown op '" + op
            + "' (expected mount, unmount, memory, task, glock, cached, memview, taskview, dlm or reset)");
      };
    } catch (IllegalArgumentException e) {
      throw new ScenarioWire.BadRequest(e.getMessage());
    }
  }

  private synchronized Session session(String run) {
    if (!run.matches("[A-Za-z0-9_-]{1,24}")) {
      throw new ScenarioWire.BadRequest("run must be 1 to 24 letters, digits, '_' or '-', got '" + run + "'");
    }
    return sessions.computeIfAbsent(run, Session::new);
  }

  // ---- memory -------------------------------------------------------------------------------

  private String memory(ScenarioWire.Params p) {
    long total = p.number("total", -1, 1, Long.MAX_VALUE);
    long min = p.number("min", -1, 0, Long.MAX_VALUE);
    long low = p.number("low", -1, 0, Long.MAX_VALUE);
    long high = p.number("high", -1, 0, Long.MAX_VALUE);
    if (total < 0 || min < 0 || low < 0 || high < 0) {
      throw new ScenarioWire.BadRequest("memory needs total, min, low and high (pages)");
    }
    kernel.memory().resize(total, new MemoryBudget.Watermarks(min, low, high));
    return memView();
  }

  /** {@code memory FREE TOTAL MIN LOW HIGH} in pages. */
  private String memView() {
    MemorySnapshot m = kernel.memory().snapshot();
    return "memory " + m.freePages() + " " + m.totalPages() + " " + m.watermarks().min() + " "
        + m.watermarks().low() + " " + m.watermarks().high();
  }

  private String reset(String run) {
    Session s;
    synchronized (this) {
      s = sessions.remove(run);
    }
    if (s != null) {
      s.close();
    }
    MemorySnapshot m = kernel.memory().snapshot();
    if (m.totalPages() != memoryDefaults.totalPages() || !m.watermarks().equals(memoryDefaults.watermarks())) {
      kernel.memory().resize(memoryDefaults.totalPages(), memoryDefaults.watermarks());
    }
    return "reset";
  }

  private static long ino(ScenarioWire.Params p) {
    return p.number("ino", -1, 0, Long.MAX_VALUE);
  }

  /** {@code 2/1c00} → the glock name. */
  static GlockName glockName(String text) {
    int slash = text == null ? -1 : text.indexOf('/');
    try {
      if (slash < 0) {
        throw new IllegalArgumentException("no '/'");
      }
      return GlockName.of(GlockType.ofNumber(Integer.parseInt(text.substring(0, slash))),
          Long.parseUnsignedLong(text.substring(slash + 1), 16));
    } catch (IllegalArgumentException e) {
      throw new ScenarioWire.BadRequest("glock must be TYPE/HEXNUMBER with a type 1..9 (e.g. 2/1c00), got '" + text
          + "': " + e.getMessage());
    }
  }

  private static <E extends Enum<E>> Set<E> enumSet(Class<E> type, String csv, String prefix, String what) {
    Set<E> out = EnumSet.noneOf(type);
    if (csv == null || csv.isEmpty()) {
      return out;
    }
    for (String name : csv.split(",")) {
      try {
        out.add(Enum.valueOf(type, prefix.isEmpty() ? name : name.substring(prefix.length())));
      } catch (RuntimeException e) {
        throw new ScenarioWire.BadRequest("unknown " + what + " '" + name + "'");
      }
    }
    return out;
  }

  /** One file's filesystems and tasks on this member. */
  private final class Session {
    final String run;
    final Map<String, ScenarioTask> tasks = new LinkedHashMap<>();
    final List<String> mounted = new ArrayList<>();

    Session(String run) {
      this.run = run;
    }

    MemberFs fs(ScenarioWire.Params p) {
      String name = p.required("fs");
      return filesystems.get(name).orElseThrow(() -> new ScenarioWire.BadRequest("filesystem " + name
          + " is not mounted on " + nodeName + " (mount it first: 'nX mount FS')"));
    }

    synchronized String mount(ScenarioWire.Params p) {
      String name = p.required("fs");
      FsSettings d = filesystems.defaults();
      boolean putAsync = p.bool("put-async-in-reclaim", d.putAsyncInReclaim());
      GlockSettings g = d.glock();
      long hold = p.number("hold-time", g.defaultHoldMillis(), 0, 3_600_000);
      GlockSettings glock = new GlockSettings(hold, Math.min(g.minHoldMillis(), hold),
          g.holdIncrementMillis(), g.holdDecrementMillis(), g.longWaitMillis(), g.maxHolders(), g.dumpHz());
      FsSettings settings = new FsSettings(glock, d.lru(), d.glockBytes(), d.workqueueActive(), d.workqueueRescuer(),
          d.workRetry(), d.replyTimeout(), d.glockWait(), d.dumpTimeout(), d.inode(), d.inodeBytes(), putAsync,
          d.deleteActive());
      filesystems.mount(name, settings);
      mounted.add(name);
      return "mounted " + name;
    }

    synchronized String unmount(ScenarioWire.Params p) {
      String name = p.required("fs");
      filesystems.unmount(name);
      mounted.remove(name);
      return "unmounted " + name;
    }

    String task(ScenarioWire.Params p) {
      String name = p.required("task");
      if (!name.matches("[A-Za-z0-9_][A-Za-z0-9_./-]{0,31}")) {
        throw new ScenarioWire.BadRequest("task name must be 1 to 32 letters, digits, '_', '.', '/', '-', got '" + name + "'");
      }
      Set<TaskFlag> flags = enumSet(TaskFlag.class, p.optional("flags"), "", "task flag");
      Call call = callOf(p);
      ScenarioTask t;
      synchronized (this) {
        t = tasks.computeIfAbsent(name, ScenarioTask::new);
      }
      long seq = t.submit(flags, call);
      if (p.bool("async", false)) {
        return "started " + seq;
      }
      long wait = p.number("wait", DEFAULT_WAIT_MILLIS, 1, 3_600_000);
      return t.awaitDone(seq, wait);
    }

    /** The call a task request names, checked before the task sees it. */
    Call callOf(ScenarioWire.Params p) {
      String call = p.required("call");
      switch (call) {
        case "nq": {
          MemberFs fs = fs(p);
          GlockName name = glockName(p.required("glock"));
          GlockState state = enumSet(GlockState.class, p.required("state"), "", "glock state").iterator().next();
          Set<HolderFlag> hflags = enumSet(HolderFlag.class, p.optional("hflags"), "", "holder flag");
          if (hflags.contains(HolderFlag.ASYNC) || hflags.contains(HolderFlag.NOPID)) {
            throw new ScenarioWire.BadRequest("holder flags ASYNC and NOPID are not offered to scenarios");
          }
          return t -> t.nq(fs, name, state, hflags);
        }
        case "dq", "get", "put", "put-async": {
          MemberFs fs = fs(p);
          GlockName name = glockName(p.required("glock"));
          return t -> t.glockRef(fs, name, call);
        }
        case "iget", "iput", "unlink": {
          MemberFs fs = fs(p);
          long ino = ino(p);
          return t -> t.inode(fs, ino, call);
        }
        case "drop-caches": {
          MemberFs fs = fs(p);
          return t -> {
            fs.inodes().dropCaches();
            return "OK";
          };
        }
        case "alloc": {
          long pages = p.number("pages", -1, 1, Integer.MAX_VALUE);
          if (pages < 0) {
            throw new ScenarioWire.BadRequest("alloc needs pages");
          }
          GfpMask mask = enumSet(GfpMask.class, p.optional("mask") == null ? "GFP_KERNEL" : p.optional("mask"), "GFP_",
              "mask").iterator().next();
          return t -> t.alloc(pages, mask);
        }
        case "free":
          return ScenarioTask::free;
        default:
          throw new ScenarioWire.BadRequest("unknown call '" + call
              + "' (expected nq, dq, get, put, put-async, iget, iput, unlink, drop-caches, alloc or free)");
      }
    }

    /** {@code glock STATE} then {@code holder COMM:STATE:H|W} lines, or {@code noglock}. */
    String glockView(ScenarioWire.Params p) {
      MemberFs fs = fs(p);
      GlockName name = glockName(p.required("glock"));
      String dump;
      try {
        dump = fs.glocks().dump().toCompletableFuture().get(fs.settings().dumpTimeout().toMillis() * 2 + 1000,
            TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        throw new IllegalStateException(nodeName + ": no glock dump of " + fs.name() + ": " + e, e);
      }
      return glockLines(dump, name.toString());
    }

    /** The session's glocks and tasks, for a failing file's dump. */
    String dump() {
      List<String> names;
      List<ScenarioTask> ts;
      synchronized (this) {
        names = new ArrayList<>(mounted);
        ts = new ArrayList<>(tasks.values());
      }
      StringBuilder sb = new StringBuilder();
      for (String n : names) {
        sb.append(filesystems.dumpGlocks(java.util.Optional.of(n)));
      }
      for (ScenarioTask t : ts) {
        sb.append("task ").append(t.name).append(' ').append(t.view().substring(5)).append('\n');
      }
      sb.append(memView()).append('\n');
      return sb.toString();
    }

    String taskView(ScenarioWire.Params p) {
      String name = p.required("task");
      ScenarioTask t;
      synchronized (this) {
        t = tasks.get(name);
      }
      return t == null ? "notask" : t.view();
    }

    /** The glock's DLM resource on this member if it masters it: {@code resource} then queue lines, or {@code noresource}. */
    String dlmView(ScenarioWire.Params p) {
      MemberFs fs = fs(p);
      String resource = glockName(p.required("glock")).dlmResourceName();
      LockspaceDump d;
      try {
        d = fs.lockspace().dump().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException(nodeName + ": no dump of lockspace " + fs.name() + ": " + e, e);
      }
      for (LockspaceDump.ResourceDump r : d.resources()) {
        if (r.name().equals(resource) && d.node().equals(r.master())) {
          StringBuilder sb = new StringBuilder("resource\n");
          queue(sb, "grant", r.grant());
          queue(sb, "convert", r.convert());
          queue(sb, "wait", r.waiting());
          return sb.toString();
        }
      }
      return "noresource";
    }

    private void queue(StringBuilder sb, String q, List<LockspaceDump.QueuedLock> locks) {
      for (LockspaceDump.QueuedLock l : locks) {
        sb.append(q).append(' ').append(nodeNameOf.apply(org.jdlm.dlm.core.NodeId.baseName(l.owner()))).append(' ')
            .append(l.granted() == null ? "-" : l.granted()).append(' ')
            .append(l.requested() == null ? "-" : l.requested()).append('\n');
      }
    }

    void close() {
      List<ScenarioTask> ts;
      List<String> fss;
      synchronized (this) {
        ts = new ArrayList<>(tasks.values());
        fss = new ArrayList<>(mounted);
        mounted.clear();
      }
      ts.forEach(ScenarioTask::stop);
      for (String name : fss) {
        try {
          filesystems.unmount(name);
        } catch (RuntimeException e) {
          // already gone; nothing to undo
        }
      }
    }
  }

  /**
   * The lines of one glock in a glock dump: {@code glock STATE} and one {@code holder
   * COMM:STATE:H|W} per {@code H:} line in queue order; {@code noglock} if it is not there.
   */
  static String glockLines(String dump, String name) {
    StringBuilder out = new StringBuilder();
    boolean in = false;
    for (String line : dump.split("\\R")) {
      if (line.startsWith("G:")) {
        in = line.contains(" n:" + name + " ");
        if (in) {
          out.append("glock ").append(field(line, "s:")).append('\n');
        }
      } else if (in && line.startsWith(" H:")) {
        String state = field(line, "s:");
        String f = field(line, "f:");
        int open = line.indexOf('[');
        int close = line.indexOf(']', open + 1);
        String comm = open < 0 || close < 0 ? "?" : line.substring(open + 1, close);
        out.append("holder ").append(comm).append(':').append(state).append(':')
            .append(f.indexOf('H') >= 0 ? 'H' : 'W').append('\n');
      }
    }
    return out.length() == 0 ? "noglock" : out.toString();
  }

  private static String field(String line, String key) {
    int i = line.indexOf(" " + key);
    if (i < 0) {
      return "?";
    }
    int from = i + 1 + key.length();
    int to = line.indexOf(' ', from);
    return to < 0 ? line.substring(from) : line.substring(from, to);
  }

  /** A call a named task makes, in that task's thread; returns its code. */
  @FunctionalInterface
  private interface Call {
    String run(ScenarioTask task);
  }

  /**
   * A named kernel task: runs the calls given to it in order. Its references (glock holders and
   * references, inodes, allocations) are its own, as a process's are.
   */
  private final class ScenarioTask {
    final String name;
    final ReentrantLock lock = new ReentrantLock();
    final Condition changed = lock.newCondition();
    final Deque<Object[]> queue = new ArrayDeque<>();
    final Map<String, Deque<Glocks.GlockHolder>> holders = new HashMap<>();
    final Map<String, Deque<Glocks.GlockRef>> refs = new HashMap<>();
    final Map<String, Deque<InodeCache.Inode>> inodes = new HashMap<>();
    final List<Allocation> allocations = new ArrayList<>();
    final Task task;
    long submitted;
    long finished;
    String lastCode = "none";
    String lastMessage = "";
    boolean stopping;

    ScenarioTask(String name) {
      this.name = name;
      this.task = kernel.spawn(name, Set.of(), this::loop);
    }

    long submit(Set<TaskFlag> flags, Call call) {
      lock.lock();
      try {
        if (stopping) {
          throw new ScenarioWire.BadRequest("task " + name + " is stopping");
        }
        queue.add(new Object[] {flags, call});
        changed.signalAll();
        return ++submitted;
      } finally {
        lock.unlock();
      }
    }

    /** Waits (not as a task: the caller is the agent's thread) until call {@code seq} ended; its code. */
    String awaitDone(long seq, long waitMillis) {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
      lock.lock();
      try {
        while (finished < seq) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return "pending " + describeWait();
          }
          changed.awaitNanos(left);
        }
        return finished == seq ? "code " + lastCode + (lastMessage.isEmpty() ? "" : " " + lastMessage)
            : "code " + lastCode;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "pending interrupted";
      } finally {
        lock.unlock();
      }
    }

    private void loop() {
      Task me = Task.current(); // not the field: spawn may start this body before it returns
      while (true) {
        Object[] next;
        lock.lock();
        try {
          me.idle(lock, changed, () -> stopping || !queue.isEmpty(), Duration.ofDays(1));
          if (stopping) {
            return;
          }
          if (queue.isEmpty()) {
            continue;
          }
          next = queue.peek();
        } finally {
          lock.unlock();
        }
        @SuppressWarnings("unchecked")
        Set<TaskFlag> flags = (Set<TaskFlag>) next[0];
        Call call = (Call) next[1];
        String code;
        String message = "";
        try (Task.FlagScope scope = me.withFlags(flags.toArray(new TaskFlag[0]))) {
          code = call.run(this);
        } catch (Glocks.OutOfMemory e) {
          code = "ENOMEM";
          message = e.getMessage();
        } catch (Task.WaitTimedOut e) {
          code = "ETIMEDOUT";
          message = e.getMessage();
        } catch (Task.TaskKilled e) {
          return;
        } catch (RuntimeException e) {
          code = "EIO";
          message = e.toString();
        } catch (Exception e) {
          code = "EIO";
          message = e.toString();
        }
        lock.lock();
        try {
          queue.poll();
          finished++;
          lastCode = code;
          lastMessage = message.replace('\n', ' ');
          changed.signalAll();
        } finally {
          lock.unlock();
        }
      }
    }

    String nq(MemberFs fs, GlockName name, GlockState state, Set<HolderFlag> flags) {
      Glocks.GlockRef ref = fs.glocks().get(name);
      Glocks.NqResult r;
      try {
        r = fs.glocks().nq(ref, state, flags, "scenario_nq");
      } finally {
        fs.glocks().put(ref); // the holder keeps its own reference (gfs2_glock_nq_num)
      }
      if (r instanceof Glocks.Granted g) {
        holders.computeIfAbsent(key(fs, name), k -> new ArrayDeque<>()).push(g.holder());
        return "OK";
      }
      return ((Glocks.Failed) r).error().name();
    }

    String glockRef(MemberFs fs, GlockName name, String verb) {
      String key = key(fs, name);
      switch (verb) {
        case "dq": {
          Deque<Glocks.GlockHolder> hs = holders.get(key);
          if (hs == null || hs.isEmpty()) {
            throw new IllegalStateException("task " + name + " holds no holder of glock " + name);
          }
          fs.glocks().dq(hs.pop());
          return "OK";
        }
        case "get":
          refs.computeIfAbsent(key, k -> new ArrayDeque<>()).push(fs.glocks().get(name));
          return "OK";
        default: {
          Deque<Glocks.GlockRef> rs = refs.get(key);
          if (rs == null || rs.isEmpty()) {
            throw new IllegalStateException("task " + this.name + " holds no reference to glock " + name
                + " (take one with 'glock FS " + name + " get')");
          }
          Glocks.GlockRef ref = rs.pop();
          if (verb.equals("put")) {
            fs.glocks().put(ref);
          } else {
            fs.glocks().putAsync(ref);
          }
          return "OK";
        }
      }
    }

    String inode(MemberFs fs, long ino, String verb) {
      String key = fs.name() + "#" + ino;
      if (verb.equals("iget")) {
        inodes.computeIfAbsent(key, k -> new ArrayDeque<>()).push(fs.inodes().iget(ino));
        return "OK";
      }
      Deque<InodeCache.Inode> is = inodes.get(key);
      if (is == null || is.isEmpty()) {
        throw new IllegalStateException("task " + name + " holds no reference to inode " + ino + " (iget it first)");
      }
      if (verb.equals("unlink")) {
        fs.inodes().unlink(is.peek());
      } else {
        fs.inodes().iput(is.pop());
      }
      return "OK";
    }

    String alloc(long pages, GfpMask mask) {
      AllocationResult r = kernel.memory().allocate(pages * kernel.settings().memory().pageSize(), mask);
      if (r instanceof Allocation a) {
        synchronized (allocations) {
          allocations.add(a);
        }
        boolean ended;
        lock.lock();
        try {
          ended = stopping;
        } finally {
          lock.unlock();
        }
        if (ended) {
          free(); // granted after the file ended (its reset grew the budget back): nobody will free it
        }
        return "OK";
      }
      return "ENOMEM";
    }

    String free() {
      List<Allocation> all;
      synchronized (allocations) {
        all = new ArrayList<>(allocations);
        allocations.clear();
      }
      all.forEach(Allocation::close);
      return "OK";
    }

    private String key(MemberFs fs, GlockName name) {
      return fs.name() + "#" + name;
    }

    /** {@code task done|running|waiting CODE [EDGE]}. */
    String view() {
      TaskSnapshot snap = task.snapshot();
      lock.lock();
      try {
        boolean done = queue.isEmpty();
        String status = done ? "done" : snap.state() == TaskState.WAITING ? "waiting"
            : snap.state() == TaskState.EXITED ? "exited" : "running";
        return "task " + status + " " + lastCode + (status.equals("waiting") ? " " + snap.waitEdge().label() : "");
      } finally {
        lock.unlock();
      }
    }

    String describeWait() {
      TaskSnapshot snap = task.snapshot();
      return snap.state() == TaskState.WAITING ? snap.waitEdge().label() : snap.state().name().toLowerCase();
    }

    /** End of the file: the task leaves its loop once its current call returns; its pages are freed now. */
    void stop() {
      lock.lock();
      try {
        stopping = true;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
      free();
    }
  }
}
