package org.jdlm.scenario.run;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jdlm.scenario.Callback;
import org.jdlm.scenario.Condition;
import org.jdlm.scenario.Expectation;
import org.jdlm.scenario.FsCheck;
import org.jdlm.scenario.FsCommand;
import org.jdlm.scenario.Mode;
import org.jdlm.scenario.SbFlag;
import org.jdlm.scenario.Scenario;
import org.jdlm.scenario.Statement;

/**
 * Runs one parsed scenario file on a fresh cluster and prints what happened: one line per observed
 * callback with a relative timestamp and node, then {@code PASS <file>} or
 * {@code FAIL <file>:<line>: expected …, observed …} followed by a dump of the resources involved
 * (brief §6). Which cluster (in-process or real JVMs) is the factory's business.
 *
 * <p>Semantics that other people's files rely on, implemented here and documented in
 * docs/scenarios.md:
 * <ul>
 *   <li>{@code await L cast S} / {@code await L bast M} consume the earliest matching callback of L
 *       that no earlier await consumed, whether it arrived before or after the line; others stay.</li>
 *   <li>{@code expect L events …} lists every callback of L since the previous {@code expect L events}.</li>
 *   <li>The grant queue is compared as a set; convert and wait queues in order.</li>
 *   <li>A lock name stays bound after its lock is destroyed (later operations answer ENOENT).</li>
 * </ul>
 */
public final class ScenarioRunner {

  /** How one file ended. {@code failure} is the FAIL line's text after the file name, or null. */
  public record FileResult(String file, boolean passed, String failure) {}

  /** How long counters must stay unchanged and idle before {@code await quiet} holds. */
  static final long QUIET_WINDOW_NANOS = 50_000_000L;

  /** Numbers the files this JVM runs, so each file's filesystems have names of their own on reused members. */
  private static final java.util.concurrent.atomic.AtomicLong RUN_IDS = new java.util.concurrent.atomic.AtomicLong();

  private final ScenarioCluster.Factory factory;
  private final PrintStream out;
  private final long pollMillis;

  /**
   * @param pollMillis how long one poll of a node's callbacks may wait while an await is pending
   */
  public ScenarioRunner(ScenarioCluster.Factory factory, PrintStream out, long pollMillis) {
    this.factory = Objects.requireNonNull(factory, "factory");
    this.out = Objects.requireNonNull(out, "out");
    this.pollMillis = pollMillis;
  }

  /** Runs {@code scenario} on a cluster of its own, which is closed whatever happens. */
  public FileResult run(Scenario scenario) {
    String file = scenario.fileName();
    ScenarioCluster cluster;
    try {
      cluster = factory.start(scenario);
    } catch (Exception e) {
      String why = "could not start a " + scenario.header().nodes() + "-node " + factory.mode() + " cluster: "
          + message(e);
      out.println("FAIL " + file + ":1: " + why);
      return new FileResult(file, false, why);
    }
    Execution ex = null;
    try (cluster) {
      ex = new Execution(scenario, cluster);
      ex.startDetector();
      try {
        for (Statement statement : scenario.statements()) {
          ex.current = statement;
          ex.execute(statement);
        }
        ex.pumpAll(0);
      } finally {
        ex.fsReset();
      }
      out.println("PASS " + file);
      return new FileResult(file, true, null);
    } catch (Failure f) {
      String line = f.line + ": " + f.getMessage();
      out.println("FAIL " + file + ":" + line);
      out.print(f.dump);
      return new FileResult(file, false, line);
    } catch (RuntimeException e) {
      String line = "runner error: " + message(e);
      out.println("FAIL " + file + ":" + line);
      return new FileResult(file, false, line);
    }
  }

  private static String message(Throwable e) {
    String m = e.getMessage();
    return (m == null || m.isBlank()) ? e.getClass().getSimpleName() : m;
  }

  /** A statement did not hold: the file fails at {@code line}. */
  private static final class Failure extends Exception {
    final int line;
    final String dump;

    Failure(int line, String message, String dump) {
      super(message, null, false, false);
      this.line = line;
      this.dump = dump;
    }
  }

  /** One callback as the runner keeps it, with whether an await consumed it. */
  private static final class Entry {
    final NodeDriver.ObservedEvent event;
    boolean consumed;

    Entry(NodeDriver.ObservedEvent event) {
      this.event = event;
    }

    String describe() {
      NodeDriver.ObservedEvent e = event;
      return e.kind() == NodeDriver.ObservedEvent.Kind.CAST ? "cast " + e.status() : "bast " + e.mode();
    }
  }

  /** Where a lock name was introduced: its owner node and resource. */
  private record Binding(int node, String resource) {}

  /** The state of one run of one file. */
  private final class Execution {
    final Scenario scenario;
    final ScenarioCluster cluster;
    final long startNanos = System.nanoTime();
    final long[] lastSeq;
    final Map<String, List<Entry>> byLock = new HashMap<>();
    final Map<String, Integer> eventsCursor = new HashMap<>();
    final Map<String, Binding> bindings = new HashMap<>();
    final Map<String, String> nameOfLockId = new HashMap<>();
    final Set<String> resourcesInvolved = new LinkedHashSet<>();
    final Set<Integer> down = new HashSet<>();
    /** Per node: recoveries completed before the latest fault; a restarted node (new incarnation) has none. */
    final Map<Integer, Long> recoveryBaseline = new HashMap<>();
    Statement current;

    Execution(Scenario scenario, ScenarioCluster cluster) {
      this.scenario = scenario;
      this.cluster = cluster;
      this.lastSeq = new long[cluster.size() + 1];
    }

    long timeoutMillis() {
      return scenario.header().timeout().toMillis();
    }

    void execute(Statement statement) throws Failure {
      if (statement instanceof Statement.Operation op) {
        operate(op);
      } else if (statement instanceof Statement.Await a) {
        await(a.condition());
      } else if (statement instanceof Statement.Expect e) {
        pumpAll(0);
        expect(e.expectation());
      } else if (statement instanceof Statement.Fault f) {
        fault(f);
      } else if (statement instanceof Statement.Fs f) {
        fsOperate(f);
      } else {
        throw new IllegalStateException("no handler for statement " + statement);
      }
    }

    // ---- operations -------------------------------------------------------------------------

    void operate(Statement.Operation op) throws Failure {
      int n = op.node().number();
      NodeDriver node = responsive(n, op);
      int lvbLength = scenario.header().lvbLength();
      String code;
      if (op instanceof Statement.Lock l) {
        bindings.put(l.lock(), new Binding(n, l.resource()));
        resourcesInvolved.add(l.resource());
        code = node.lock(l.lock(), l.resource(), l.mode(), l.flags(), l.lvb().map(v -> v.forBuffer(lvbLength)).orElse(null),
            !l.noBast(), l.task().orElse(null));
        NodeDriver.LockView view = node.lockView(l.lock());
        if (view != null && view.lockId() != null) {
          nameOfLockId.put(view.lockId(), l.lock());
        }
      } else if (op instanceof Statement.Convert c) {
        code = node.convert(c.lock(), c.mode(), c.flags(), c.lvb().map(v -> v.forBuffer(lvbLength)).orElse(null));
      } else if (op instanceof Statement.Unlock u) {
        code = node.unlock(u.lock(), u.flags(), u.lvb().map(v -> v.forBuffer(lvbLength)).orElse(null));
      } else if (op instanceof Statement.Cancel c) {
        code = node.cancel(c.lock(), c.flags());
      } else {
        throw new IllegalStateException("no handler for operation " + op);
      }
      if (!op.expectedCode().equals(code)) {
        throw fail("expected " + describe(op) + " => " + op.expectedCode() + ", observed => " + code);
      }
    }

    String describe(Statement.Operation op) {
      String kind = op.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
      return op.node() + " " + kind + " " + op.lock();
    }

    // ---- callbacks --------------------------------------------------------------------------

    /** Fetches new callbacks from every responsive node; prints and files them. */
    boolean pumpAll(long waitMillis) {
      boolean any = false;
      for (int n = 1; n <= cluster.size(); n++) {
        if (down.contains(n) || !cluster.isResponsive(n)) {
          continue;
        }
        List<NodeDriver.ObservedEvent> events = cluster.node(n).events(lastSeq[n], any ? 0 : waitMillis);
        for (NodeDriver.ObservedEvent e : events) {
          lastSeq[n] = Math.max(lastSeq[n], e.seq());
          byLock.computeIfAbsent(e.lock(), k -> new ArrayList<>()).add(new Entry(e));
          out.println(String.format(java.util.Locale.ROOT, "  +%.3fs %s %s %s", (e.atNanos() - startNanos) / 1e9,
              e.node(), e.lock(), render(e)));
          any = true;
        }
      }
      return any;
    }

    String render(NodeDriver.ObservedEvent e) {
      if (e.kind() == NodeDriver.ObservedEvent.Kind.BAST) {
        return "bast " + e.mode();
      }
      StringBuilder sb = new StringBuilder("cast ").append(e.status());
      if (e.mode() != null) {
        sb.append(" granted=").append(e.mode());
      }
      if (!e.sbflags().isEmpty()) {
        sb.append(" sbflags=").append(String.join(",", new TreeSet<>(e.sbflags())));
      }
      return sb.toString();
    }

    boolean matches(Entry entry, Callback wanted) {
      NodeDriver.ObservedEvent e = entry.event;
      if (wanted instanceof Callback.Cast c) {
        return e.kind() == NodeDriver.ObservedEvent.Kind.CAST && c.status().name().equals(e.status());
      }
      Callback.Bast b = (Callback.Bast) wanted;
      return e.kind() == NodeDriver.ObservedEvent.Kind.BAST && b.mode() == e.mode();
    }

    Entry takeMatching(String lock, Callback wanted) {
      for (Entry entry : byLock.getOrDefault(lock, List.of())) {
        if (!entry.consumed && matches(entry, wanted)) {
          entry.consumed = true;
          return entry;
        }
      }
      return null;
    }

    // ---- awaits -----------------------------------------------------------------------------

    void await(Condition condition) throws Failure {
      long deadline = System.nanoTime() + timeoutMillis() * 1_000_000L;
      if (condition instanceof Condition.CallbackArrived c) {
        while (true) {
          pumpAll(0);
          if (takeMatching(c.lock(), c.callback()) != null) {
            return;
          }
          if (System.nanoTime() > deadline) {
            throw fail("expected " + c.lock() + " " + c.callback() + " within " + scenario.header().timeout().toSeconds()
                + "s, observed " + history(c.lock()));
          }
          pumpAll(pollMillis);
        }
      } else if (condition instanceof Condition.Quiet) {
        awaitQuiet(deadline);
      } else if (condition instanceof Condition.Recovered) {
        awaitRecovered(deadline);
      } else if (condition instanceof Condition.Fenced f) {
        awaitFenced(f.node().number(), deadline);
      } else if (condition instanceof Condition.Fs f) {
        awaitFs(f.check(), deadline);
      } else {
        throw new IllegalStateException("no handler for condition " + condition);
      }
    }

    /**
     * Quiet: flush rounds with equal counters everywhere and nothing outstanding, holding for at
     * least {@link #QUIET_WINDOW_NANOS}. Each node's flush ({@code LockspaceHandle.flush}) makes
     * every event its masters sent before it reach its owner's callbacks, so a grant or BAST in
     * flight shows up as a changed counter; an operation in flight shows up as awaiting a reply.
     * Nodes are flushed one after another, so a causal chain that produces no callback (a reply
     * that makes its owner send an overlapped unlock) could still slip between two nodes' flushes
     * of one round: the window of unchanged rounds covers that.
     */
    void awaitQuiet(long deadline) throws Failure {
      Map<Integer, NodeDriver.Activity> previous = null;
      long stableSince = 0;
      while (true) {
        Map<Integer, NodeDriver.Activity> round = new HashMap<>();
        boolean idle = true;
        for (int n = 1; n <= cluster.size(); n++) {
          if (down.contains(n) || !cluster.isResponsive(n)) {
            continue;
          }
          NodeDriver.Activity a = cluster.node(n).flush();
          round.put(n, a);
          idle &= a.awaitingReply() == 0 && a.callbacksPending() == 0;
        }
        pumpAll(0);
        if (idle && round.equals(previous)) {
          if (System.nanoTime() - stableSince >= QUIET_WINDOW_NANOS) {
            return;
          }
        } else {
          stableSince = System.nanoTime();
        }
        if (System.nanoTime() > deadline) {
          throw fail("expected quiet within " + scenario.header().timeout().toSeconds() + "s, observed activity " + round);
        }
        previous = round;
        if (idle) {
          pumpAll(5); // a short bounded wait between rounds instead of spinning
        }
      }
    }

    void awaitRecovered(long deadline) throws Failure {
      while (true) {
        pumpAll(0);
        List<String> notYet = new ArrayList<>();
        for (int n = 1; n <= cluster.size(); n++) {
          if (down.contains(n) || !cluster.isResponsive(n)) {
            continue;
          }
          NodeDriver.LockspaceView v = cluster.node(n).lockspaceView();
          long baseline = recoveryBaseline.getOrDefault(n, -1L);
          if (!"running".equals(v.state()) || v.recoveriesCompleted() <= baseline) {
            notYet.add("n" + n + "=" + v.state() + "/recoveries " + v.recoveriesCompleted());
          }
        }
        if (notYet.isEmpty()) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw fail("expected recovery finished on every survivor within " + scenario.header().timeout().toSeconds()
              + "s, observed " + String.join(", ", notYet));
        }
        pumpAll(pollMillis);
      }
    }

    void awaitFenced(int victim, long deadline) throws Failure {
      while (true) {
        for (int n = 1; n <= cluster.size(); n++) {
          if (n != victim && !down.contains(n) && cluster.isResponsive(n)
              && cluster.node(n).lockspaceView().fencedNodes().contains("n" + victim)) {
            return;
          }
        }
        if (System.nanoTime() > deadline) {
          throw fail("expected n" + victim + " fenced within " + scenario.header().timeout().toSeconds()
              + "s, observed not fenced");
        }
        pumpAll(pollMillis);
      }
    }


    // ---- filesystem and kernel (docs/scenarios.md "Filesystem and kernel") -----------------
    // Kept in one block: FsDriver requests in the scenario's terms, checks evaluated the same way
    // for expect (once) and await (until it holds).

    /** This file's session on every member: filesystems are mounted as {@code FS.<run>}. */
    final String fsRun = "r" + RUN_IDS.incrementAndGet() + Long.toString(ProcessHandle.current().pid() % 46_656, 36);
    boolean fsUsed;

    String fsName(String fs) {
      return fs + "." + fsRun;
    }

    Map<String, String> fsQuery(String op, String... keyValues) {
      Map<String, String> q = new java.util.LinkedHashMap<>();
      q.put("op", op);
      q.put("run", fsRun);
      for (int i = 0; i < keyValues.length; i += 2) {
        if (keyValues[i + 1] != null) {
          q.put(keyValues[i], keyValues[i + 1]);
        }
      }
      return q;
    }

    String fsAsk(int n, Map<String, String> query) throws Failure {
      fsUsed = true;
      if (down.contains(n) || !cluster.isResponsive(n)) {
        throw fail("n" + n + " is not running (killed or paused earlier in the file)");
      }
      try {
        return cluster.fs(n).fs(query).strip();
      } catch (RuntimeException e) {
        throw fail("n" + n + " refused " + query.get("op") + ": " + message(e));
      }
    }

    void fsOperate(Statement.Fs f) throws Failure {
      int n = f.node().number();
      FsCommand c = f.command();
      if (c instanceof FsCommand.Mount m) {
        fsAsk(n, fsQuery("mount", "fs", fsName(m.fs()),
            "put-async-in-reclaim", m.putAsyncInReclaim() == null ? null : m.putAsyncInReclaim().toString(),
            "hold-time", m.holdTimeMillis() == null ? null : m.holdTimeMillis().toString()));
      } else if (c instanceof FsCommand.Unmount u) {
        fsAsk(n, fsQuery("unmount", "fs", fsName(u.fs())));
      } else if (c instanceof FsCommand.Memory m) {
        fsAsk(n, fsQuery("memory", "total", Long.toString(m.total()), "min", Long.toString(m.min()),
            "low", Long.toString(m.low()), "high", Long.toString(m.high())));
      } else if (c instanceof FsCommand.TaskCall t) {
        List<String> kv = new ArrayList<>(List.of("task", t.task(), "flags", String.join(",", t.flags()),
            "async", Boolean.toString(t.async()), "wait", Long.toString(timeoutMillis())));
        FsCommand.Call call = t.call();
        if (call instanceof FsCommand.Nq q) {
          kv.addAll(List.of("call", "nq", "fs", fsName(q.fs()), "glock", q.glock(), "state", q.state(),
              "hflags", String.join(",", q.holderFlags())));
        } else if (call instanceof FsCommand.GlockRefCall g) {
          kv.addAll(List.of("call", g.verb(), "fs", fsName(g.fs()), "glock", g.glock()));
        } else if (call instanceof FsCommand.InodeCall i) {
          kv.addAll(List.of("call", i.verb(), "fs", fsName(i.fs()), "ino", Long.toString(i.ino())));
        } else if (call instanceof FsCommand.DropCaches d) {
          kv.addAll(List.of("call", "drop-caches", "fs", fsName(d.fs())));
        } else if (call instanceof FsCommand.Alloc a) {
          kv.addAll(List.of("call", "alloc", "pages", Long.toString(a.pages()), "mask", a.mask()));
        } else if (call instanceof FsCommand.Free) {
          kv.add("call");
          kv.add("free");
        } else {
          throw new IllegalStateException("no handler for task call " + call);
        }
        String reply = fsAsk(n, fsQuery("task", kv.toArray(new String[0])));
        if (t.async()) {
          return;
        }
        if (reply.startsWith("pending")) {
          throw fail("expected " + f.node() + " task " + t.task() + " to finish its call within "
              + scenario.header().timeout().toSeconds() + "s, observed it still " + reply.substring("pending".length()).strip()
              + " (write 'async' and 'await " + f.node() + " task " + t.task() + " done' for a call that waits)");
        }
        String[] parts = reply.split(" ", 3);
        String code = parts.length > 1 ? parts[1] : reply;
        if (!t.expectedCode().equals(code)) {
          throw fail("expected " + f.node() + " task " + t.task() + " => " + t.expectedCode() + ", observed => " + code
              + (parts.length > 2 ? " (" + parts[2] + ")" : ""));
        }
      } else {
        throw new IllegalStateException("no handler for fs command " + c);
      }
    }

    /** Why {@code check} does not hold now, or null when it does. */
    String fsProblem(FsCheck check) throws Failure {
      if (check instanceof FsCheck.GlockState g) {
        String view = fsAsk(g.node().number(), fsQuery("glock", "fs", fsName(g.fs()), "glock", g.glock()));
        String have = view.equals("noglock") ? "gone" : "state " + view.lines().findFirst().orElse("").substring(6);
        String want = g.state() == null ? "gone" : "state " + g.state();
        return have.equals(want) ? null
            : "expected " + g.node() + " glock " + g.fs() + " " + g.glock() + " " + want + ", observed " + have;
      } else if (check instanceof FsCheck.GlockHolders h) {
        String view = fsAsk(h.node().number(), fsQuery("glock", "fs", fsName(h.fs()), "glock", h.glock()));
        List<String> have = view.lines().filter(l -> l.startsWith("holder ")).map(l -> l.substring(7)).toList();
        return have.equals(h.holders()) ? null
            : "expected " + h.node() + " glock " + h.fs() + " " + h.glock() + " holders " + queue(h.holders())
                + ", observed holders " + queue(have) + (view.equals("noglock") ? " (no such glock)" : "");
      } else if (check instanceof FsCheck.Cached c) {
        String view = fsAsk(c.node().number(), fsQuery("cached", "fs", fsName(c.fs()), "ino", Long.toString(c.ino())));
        boolean have = view.equals("cached yes");
        return have == c.cached() ? null
            : "expected " + c.node() + " cached " + c.fs() + " " + c.ino() + " " + (c.cached() ? "yes" : "no")
                + ", observed " + (have ? "yes" : "no");
      } else if (check instanceof FsCheck.MemoryFree m) {
        String[] v = fsAsk(m.node().number(), fsQuery("memview")).split(" ");
        long free = Long.parseLong(v[1]);
        long bound = m.watermark() == null ? m.pages() : switch (m.watermark()) {
          case "min" -> Long.parseLong(v[3]);
          case "low" -> Long.parseLong(v[4]);
          default -> Long.parseLong(v[5]);
        };
        boolean holds = m.atLeast() ? free >= bound : free < bound;
        String want = "free" + (m.atLeast() ? ">=" : "<") + (m.watermark() == null ? m.pages() + "p" : m.watermark());
        return holds ? null : "expected " + m.node() + " memory " + want + ", observed free=" + free + "p total="
            + v[2] + "p min=" + v[3] + " low=" + v[4] + " high=" + v[5];
      } else if (check instanceof FsCheck.TaskIs t) {
        String view = fsAsk(t.node().number(), fsQuery("taskview", "task", t.task()));
        if (view.equals("notask")) {
          return "expected " + t.node() + " task " + t.task() + " " + t.status() + ", observed no task " + t.task();
        }
        String[] v = view.split(" ", 4); // task STATUS CODE [EDGE]
        String status = v[1];
        String code = v[2];
        String edge = v.length > 3 ? v[3] : "";
        String observed = status + (status.equals("waiting") ? " " + edge : status.equals("done") ? " => " + code : "");
        boolean holds = status.equals(t.status());
        if (holds && t.status().equals("waiting")) {
          holds = t.edge().contains("(") ? edge.equals(t.edge()) : edge.equals(t.edge()) || edge.startsWith(t.edge() + "(");
        }
        if (holds && t.code().isPresent()) {
          holds = t.code().get().equals(code);
        }
        String want = t.status() + (t.edge() != null ? " " + t.edge() : "") + t.code().map(x -> " => " + x).orElse("");
        return holds ? null : "expected " + t.node() + " task " + t.task() + " " + want + ", observed " + observed;
      } else if (check instanceof FsCheck.DlmQueues d) {
        return dlmProblem(d);
      }
      throw new IllegalStateException("no handler for fs check " + check);
    }

    String dlmProblem(FsCheck.DlmQueues d) throws Failure {
      String found = null;
      for (int n = 1; n <= cluster.size(); n++) {
        if (down.contains(n) || !cluster.isResponsive(n)) {
          continue;
        }
        String view = fsAsk(n, fsQuery("dlm", "fs", fsName(d.fs()), "glock", d.glock()));
        // A master keeps an unused resource for a while (fs/dlm's toss list): no lock on it is gone.
        if (!view.equals("noresource") && view.lines().count() > 1) {
          found = view;
        }
      }
      String what = "expected dlm " + d.fs() + " " + d.glock() + " ";
      if (d.gone()) {
        return found == null ? null : what + "gone, observed " + found.lines().skip(1).collect(Collectors.joining(", "));
      }
      List<String> grant = new ArrayList<>();
      List<String> convert = new ArrayList<>();
      List<String> wait = new ArrayList<>();
      if (found != null) {
        for (String line : found.lines().skip(1).toList()) {
          String[] f = line.split(" "); // QUEUE NODE GRANTED REQUESTED
          switch (f[0]) {
            case "grant" -> grant.add(f[1] + ":" + f[2]);
            case "convert" -> convert.add(f[1] + ":" + f[2] + ">" + f[3]);
            default -> wait.add(f[1] + ":" + f[3]);
          }
        }
      }
      List<String> problems = new ArrayList<>();
      if (d.grant().isPresent() && !new TreeSet<>(d.grant().get()).equals(new TreeSet<>(grant))) {
        problems.add("grant=" + queue(d.grant().get()) + ", observed grant=" + queue(grant));
      }
      if (d.convert().isPresent() && !d.convert().get().equals(convert)) {
        problems.add("convert=" + queue(d.convert().get()) + ", observed convert=" + queue(convert));
      }
      if (d.waiting().isPresent() && !d.waiting().get().equals(wait)) {
        problems.add("wait=" + queue(d.waiting().get()) + ", observed wait=" + queue(wait));
      }
      return problems.isEmpty() ? null : what + String.join("; ", problems)
          + (found == null ? " (no master holds the resource)" : "");
    }

    void expectFs(FsCheck check) throws Failure {
      String problem = fsProblem(check);
      if (problem != null) {
        throw fail(problem);
      }
    }

    void awaitFs(FsCheck check, long deadline) throws Failure {
      while (true) {
        pumpAll(0);
        String problem = fsProblem(check);
        if (problem == null) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw fail(problem.replaceFirst("^expected ", "expected within " + scenario.header().timeout().toSeconds()
              + "s "));
        }
        pumpAll(Math.min(pollMillis, 10));
      }
    }

    /** End of the file: every member drops this file's filesystems, tasks and pages, and its memory budget. */
    void fsReset() {
      if (!fsUsed) {
        return;
      }
      for (int n = 1; n <= cluster.size(); n++) {
        if (down.contains(n) || !cluster.isResponsive(n)) {
          continue;
        }
        try {
          cluster.fs(n).fs(fsQuery("reset"));
        } catch (RuntimeException e) {
          out.println("  (n" + n + ": reset of the file's filesystems failed: " + message(e) + ")");
        }
      }
    }

    // ---- faults -----------------------------------------------------------------------------

    void fault(Statement.Fault f) throws Failure {
      int n = f.node().number();
      recoveryBaseline.clear();
      for (int m = 1; m <= cluster.size(); m++) {
        if (m != n && !down.contains(m) && cluster.isResponsive(m)) {
          recoveryBaseline.put(m, cluster.node(m).lockspaceView().recoveriesCompleted());
        }
      }
      try {
        cluster.fault(f.kind(), n);
      } catch (Exception e) {
        throw fail("could not " + f.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + f.node() + ": " + message(e));
      }
      switch (f.kind()) {
        case KILL, PAUSE -> down.add(n);
        case RESUME -> down.remove(n);
        case RESTART -> {
          down.remove(n);
          lastSeq[n] = 0; // a new incarnation numbers its callbacks afresh
          recoveryBaseline.put(n, -1L); // its own join is the recovery it takes part in
        }
        default -> throw new IllegalStateException("no handler for fault " + f.kind());
      }
    }

    // ---- the wait-for-graph detector (docs/scenarios.md "Detector") -------------------------

    /** {@code break-deadlocks}: every member's detector breaks deadlocks in this file's lockspace. */
    void startDetector() {
      if (scenario.header().breakDeadlocks()) {
        for (int n = 1; n <= cluster.size(); n++) {
          cluster.node(n).breakDeadlocks();
        }
      }
    }

    /** Every report of this file on every running member, by id (members that merged the same knot each report it). */
    List<NodeDriver.DetectorReport> detectorReports() {
      List<NodeDriver.DetectorReport> all = new ArrayList<>();
      for (int n = 1; n <= cluster.size(); n++) {
        if (!down.contains(n) && cluster.isResponsive(n)) {
          all.addAll(cluster.node(n).detectorReports());
        }
      }
      return all;
    }

    void expectDetector(Expectation e) throws Failure {
      long start = System.nanoTime();
      if (e instanceof Expectation.Deadlock || e instanceof Expectation.Livelock) {
        String kind = e instanceof Expectation.Deadlock ? "DEADLOCK" : "LIVELOCK";
        java.time.Duration within = e instanceof Expectation.Deadlock d ? d.within() : ((Expectation.Livelock) e).within();
        while (detectorReports().stream().noneMatch(r -> r.kind().equals(kind))) {
          if (System.nanoTime() - start > within.toNanos()) {
            throw fail("expected " + kind.toLowerCase(java.util.Locale.ROOT) + " within " + within.toMillis()
                + "ms, observed none (reports: " + kinds(detectorReports()) + ")");
          }
          sleepPoll();
        }
      } else if (e instanceof Expectation.NoDeadlock nd) {
        Set<String> before = new HashSet<>();
        // A knot is known by its vertices: members scan out of phase, so one already reported on n1
        // may be reported on n2 a moment later; that is not a new deadlock.
        detectorReports().forEach(r -> before.add(r.kind() + " " + new TreeSet<>(r.vertices())));
        while (System.nanoTime() - start < nd.duration().toNanos()) {
          for (NodeDriver.DetectorReport r : detectorReports()) {
            if (r.kind().equals("DEADLOCK") && !before.contains(r.kind() + " " + new TreeSet<>(r.vertices()))) {
              throw fail("expected no-deadlock for " + nd.duration().toMillis() + "ms, observed:\n" + r.text());
            }
          }
          sleepPoll();
        }
      } else {
        Expectation.KnotContains k = (Expectation.KnotContains) e;
        NodeDriver.DetectorReport latest = null;
        for (NodeDriver.DetectorReport r : detectorReports()) {
          if (r.kind().equals("DEADLOCK")) {
            latest = r;
          }
        }
        if (latest == null) {
          throw fail("expected knot contains " + String.join(" ", k.patterns()) + ", observed no deadlock report");
        }
        List<String> missing = new ArrayList<>();
        for (String p : k.patterns()) {
          java.util.regex.Pattern re = glob(p);
          if (latest.vertices().stream().noneMatch(v -> re.matcher(v).matches())) {
            missing.add(p);
          }
        }
        if (!missing.isEmpty()) {
          throw fail("expected knot contains " + String.join(" ", missing) + ", observed knot "
              + latest.vertices() + ":\n" + latest.text());
        }
      }
    }

    private void sleepPoll() throws Failure {
      try {
        Thread.sleep(Math.max(10, Math.min(pollMillis, 100)));
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw fail("interrupted while waiting for the detector");
      }
    }

    private static String kinds(List<NodeDriver.DetectorReport> reports) {
      return reports.isEmpty() ? "none" : reports.stream().map(r -> r.kind() + " " + r.id()).distinct().toList().toString();
    }

    /** {@code *} matches any run of characters; everything else literally. */
    private static java.util.regex.Pattern glob(String pattern) {
      StringBuilder re = new StringBuilder();
      for (String part : pattern.split("\\*", -1)) {
        if (re.length() > 0 || pattern.startsWith("*")) {
          re.append(".*");
        }
        re.append(java.util.regex.Pattern.quote(part));
      }
      return java.util.regex.Pattern.compile(re.toString());
    }

    // ---- expectations -----------------------------------------------------------------------

    void expect(Expectation e) throws Failure {
      if (e instanceof Expectation.Granted g) {
        expectPlace(g.lock(), "granted " + g.mode(), "grant", g.mode(), null);
      } else if (e instanceof Expectation.Waiting w) {
        expectPlace(w.lock(), "waiting " + w.mode(), "wait", null, w.mode());
      } else if (e instanceof Expectation.Converting c) {
        expectPlace(c.lock(), "converting " + c.from() + ">" + c.to(), "convert", c.from(), c.to());
      } else if (e instanceof Expectation.Gone g) {
        String where = placeOf(g.lock());
        if (!"gone".equals(where)) {
          throw fail("expected " + g.lock() + " gone, observed " + where);
        }
      } else if (e instanceof Expectation.LvbEquals l) {
        byte[] want = l.value().forBuffer(scenario.header().lvbLength());
        byte[] have = ownerView(l.lock()).lvb();
        if (!Arrays.equals(want, have)) {
          throw fail("expected " + l.lock() + " lvb " + hex(want) + ", observed " + hex(have));
        }
      } else if (e instanceof Expectation.LvbZero z) {
        byte[] have = ownerView(z.lock()).lvb();
        if (have != null && !Arrays.equals(have, new byte[have.length])) {
          throw fail("expected " + z.lock() + " lvb zero, observed " + hex(have));
        }
      } else if (e instanceof Expectation.SbFlags s) {
        Set<String> want = s.flags().stream().map(SbFlag::name).collect(Collectors.toCollection(TreeSet::new));
        Set<String> have = new TreeSet<>(ownerView(s.lock()).lastSbflags());
        if (!want.equals(have)) {
          throw fail("expected " + s.lock() + " sbflags " + flags(want) + ", observed " + flags(have));
        }
      } else if (e instanceof Expectation.Events ev) {
        List<Entry> all = byLock.getOrDefault(ev.lock(), List.of());
        int from = eventsCursor.getOrDefault(ev.lock(), 0);
        List<String> have = all.subList(from, all.size()).stream().map(Entry::describe).toList();
        List<String> want = ev.callbacks().stream().map(Callback::toString).toList();
        eventsCursor.put(ev.lock(), all.size());
        if (!want.equals(have)) {
          throw fail("expected " + ev.lock() + " events " + list(want) + ", observed " + list(have));
        }
      } else if (e instanceof Expectation.Queues q) {
        expectQueues(q);
      } else if (e instanceof Expectation.Master m) {
        resourcesInvolved.add(m.resource());
        NodeDriver.ResourceView r = master(m.resource());
        String have = r == null ? "no master (resource unused)" : r.master();
        if (!m.node().toString().equals(have)) {
          throw fail("expected master " + m.resource() + " " + m.node() + ", observed " + have);
        }
      } else if (e instanceof Expectation.Deadlock || e instanceof Expectation.Livelock
          || e instanceof Expectation.NoDeadlock || e instanceof Expectation.KnotContains) {
        expectDetector(e);
      } else if (e instanceof Expectation.Fs f) {
        expectFs(f.check());
      } else if (e instanceof Expectation.LockspaceState s) {
        String want = s.state().name().toLowerCase(java.util.Locale.ROOT);
        List<String> wrong = new ArrayList<>();
        for (int n = 1; n <= cluster.size(); n++) {
          if (!down.contains(n) && cluster.isResponsive(n)) {
            String state = cluster.node(n).lockspaceView().state();
            if (!want.equals(state)) {
              wrong.add("n" + n + " " + state);
            }
          }
        }
        if (!wrong.isEmpty()) {
          throw fail("expected lockspace " + want + ", observed " + String.join(", ", wrong));
        }
      } else {
        throw new IllegalStateException("no handler for expectation " + e);
      }
    }

    void expectPlace(String lock, String wanted, String queue, Mode granted, Mode requested) throws Failure {
      Binding b = bindings.get(lock);
      NodeDriver.LockView view = ownerView(lock);
      NodeDriver.ResourceView r = master(b.resource());
      if (r != null && view.lockId() != null) {
        List<NodeDriver.QueueEntry> entries = switch (queue) {
          case "grant" -> r.grant();
          case "convert" -> r.convert();
          default -> r.waiting();
        };
        for (NodeDriver.QueueEntry q : entries) {
          if (q.lockId().equals(view.lockId())
              && (granted == null || granted == q.granted()) && (requested == null || requested == q.requested())) {
            return;
          }
        }
      }
      throw fail("expected " + lock + " " + wanted + ", observed " + placeOf(lock));
    }

    /** Where a lock sits on its master, in the words of {@code expect}. */
    String placeOf(String lock) throws Failure {
      Binding b = bindings.get(lock);
      NodeDriver.LockView view = ownerView(lock);
      NodeDriver.ResourceView r = master(b.resource());
      if (view.lockId() != null && r != null) {
        for (NodeDriver.QueueEntry q : r.grant()) {
          if (q.lockId().equals(view.lockId())) {
            return "granted " + q.granted();
          }
        }
        for (NodeDriver.QueueEntry q : r.convert()) {
          if (q.lockId().equals(view.lockId())) {
            return "converting " + q.granted() + ">" + q.requested();
          }
        }
        for (NodeDriver.QueueEntry q : r.waiting()) {
          if (q.lockId().equals(view.lockId())) {
            return "waiting " + q.requested();
          }
        }
      }
      boolean gone = view.lockId() == null || "gone".equals(view.state()) || "destroyed".equals(view.state());
      return gone ? "gone" : view.state() + " (not on the master's queues)";
    }

    void expectQueues(Expectation.Queues q) throws Failure {
      resourcesInvolved.add(q.resource());
      NodeDriver.ResourceView r = master(q.resource());
      List<NodeDriver.QueueEntry> grant = r == null ? List.of() : r.grant();
      List<NodeDriver.QueueEntry> convert = r == null ? List.of() : r.convert();
      List<NodeDriver.QueueEntry> wait = r == null ? List.of() : r.waiting();
      List<String> problems = new ArrayList<>();
      if (q.grantQueue().isPresent()) {
        Set<String> want = q.grantQueue().get().stream().map(h -> h.lock() + ":" + h.mode()).collect(Collectors.toCollection(TreeSet::new));
        Set<String> have = grant.stream().map(e -> name(e.lockId()) + ":" + e.granted()).collect(Collectors.toCollection(TreeSet::new));
        if (!want.equals(have)) {
          problems.add("grant=" + queue(want) + " but was grant=" + queue(have));
        }
      }
      if (q.convertQueue().isPresent()) {
        List<String> want = q.convertQueue().get().stream().map(c -> c.lock() + ":" + c.from() + ">" + c.to()).toList();
        List<String> have = convert.stream().map(e -> name(e.lockId()) + ":" + e.granted() + ">" + e.requested()).toList();
        if (!want.equals(have)) {
          problems.add("convert=" + queue(want) + " but was convert=" + queue(have));
        }
      }
      if (q.waitQueue().isPresent()) {
        List<String> want = q.waitQueue().get().stream().map(h -> h.lock() + ":" + h.mode()).toList();
        List<String> have = wait.stream().map(e -> name(e.lockId()) + ":" + e.requested()).toList();
        if (!want.equals(have)) {
          problems.add("wait=" + queue(want) + " but was wait=" + queue(have));
        }
      }
      if (!problems.isEmpty()) {
        throw fail("expected queues " + q.resource() + " " + String.join("; ", problems).replace(" but was ", ", observed "));
      }
    }

    String name(String lockId) {
      return nameOfLockId.getOrDefault(lockId, lockId);
    }

    // ---- helpers ----------------------------------------------------------------------------

    NodeDriver responsive(int n, Statement at) throws Failure {
      if (down.contains(n) || !cluster.isResponsive(n)) {
        throw fail("n" + n + " is not running (killed or paused earlier in the file)");
      }
      return cluster.node(n);
    }

    NodeDriver.LockView ownerView(String lock) throws Failure {
      Binding b = bindings.get(lock);
      if (b == null) {
        throw fail("lock " + lock + " was never requested");
      }
      NodeDriver.LockView v = down.contains(b.node()) ? null : cluster.node(b.node()).lockView(lock);
      return v != null ? v : new NodeDriver.LockView(null, b.resource(), "gone", null, null, null, Set.of());
    }

    /** The master copy of {@code resource}; two nodes claiming mastery is itself a failure. */
    NodeDriver.ResourceView master(String resource) throws Failure {
      NodeDriver.ResourceView found = null;
      for (int n = 1; n <= cluster.size(); n++) {
        if (down.contains(n) || !cluster.isResponsive(n)) {
          continue;
        }
        NodeDriver.ResourceView r = cluster.node(n).resourceView(resource);
        if (r != null) {
          if (found != null) {
            throw fail("resource " + resource + " has two masters: " + found.master() + " and " + r.master());
          }
          found = r;
        }
      }
      return found;
    }

    String history(String lock) {
      List<Entry> all = byLock.getOrDefault(lock, List.of());
      if (all.isEmpty()) {
        return "no callback for " + lock;
      }
      return all.stream().map(en -> en.describe() + (en.consumed ? " (consumed)" : "")).collect(Collectors.joining(", "));
    }

    Failure fail(String message) {
      int line = current == null ? 1 : current.at().line();
      StringBuilder dump = new StringBuilder();
      for (int n = 1; n <= cluster.size(); n++) {
        if (down.contains(n) || !cluster.isResponsive(n)) {
          dump.append("  n").append(n).append(": not running\n");
          continue;
        }
        try {
          for (String l : cluster.node(n).dump().split("\n")) {
            dump.append("  ").append(l).append('\n');
          }
        } catch (RuntimeException e) {
          dump.append("  n").append(n).append(": dump failed: ").append(message(e)).append('\n');
        }
        if (fsUsed) {
          try {
            for (String l : cluster.fs(n).fs(fsQuery("dump")).split("\n")) {
              dump.append("  n").append(n).append(" ").append(l).append('\n');
            }
          } catch (RuntimeException e) {
            dump.append("  n").append(n).append(": fs dump failed: ").append(message(e)).append('\n');
          }
        }
      }
      return new Failure(line, message, dump.toString());
    }
  }

  private static String hex(byte[] b) {
    if (b == null) {
      return "none";
    }
    return "0x" + java.util.HexFormat.of().formatHex(b);
  }

  private static String flags(Set<String> f) {
    return f.isEmpty() ? "none" : String.join(",", f);
  }

  private static String list(List<String> l) {
    return l.isEmpty() ? "none" : String.join(", ", l);
  }

  private static String queue(java.util.Collection<String> q) {
    return q.isEmpty() ? "-" : String.join(",", q);
  }
}
