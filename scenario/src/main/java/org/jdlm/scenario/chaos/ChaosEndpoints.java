package org.jdlm.scenario.chaos;

import com.typesafe.config.Config;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import java.util.EnumSet;
import org.jdlm.dlm.Dlm;
import org.jdlm.dlm.api.LockHandle;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.member.ControlEndpoint;
import org.jdlm.member.HostPort;
import org.jdlm.member.MemberNode;
import org.jdlm.member.NodeServices;
import org.jdlm.scenario.chaos.core.Event;

/**
 * A lab member's chaos agent (issue 12, docs/chaos.md): workload clients inside the member JVM,
 * through the DLM's Java API against the member's own DLM, writing registers to the real
 * storage-fenced disk. Installed only with {@code dlm node --lab}: it takes locks and writes the
 * disk in the member's name.
 *
 * <pre>
 *   POST /chaos/start?run=R&amp;workload=W&amp;clients=C&amp;seed=S&amp;origin=NANOS&amp;base=B&amp;timeout=MS&amp;frontends=H:P,...[&amp;broken=grants-twice]
 *        joins lockspace "chaos" and starts C clients → "started clients=C incarnation=I file=PATH"
 *   POST /chaos/stop       stops them (bounded) → "stopped events=N"
 *   POST /chaos/final?run&amp;workload&amp;origin&amp;base&amp;timeout&amp;frontends   the end-of-run reads → "final events=N"
 *   GET  /chaos/clock      "nanos=N": this JVM's System.nanoTime(), for the collector's clock check
 * </pre>
 *
 * <p><b>The history survives the member.</b> Every event is appended to
 * {@code <member dir>/chaos-R-B.jsonl} and flushed (one write system call per line) as it is
 * recorded: a SIGKILLed member's events are in the page cache and the collector reads them after the
 * run. Times are {@code System.nanoTime() - origin}; the origin is the collector's own
 * {@code System.nanoTime()} at the run's start, comparable because on Linux every JVM's
 * {@code nanoTime} reads the host's one {@code CLOCK_MONOTONIC}.
 *
 * <p>{@code broken=grants-twice} wraps the lockspace in {@link GrantsTwice} (every other request
 * "granted" without the DLM): a deliberately broken lock for showing that a real run catches it.
 */
public final class ChaosEndpoints {

  /** The lockspace every chaos client uses. */
  public static final String LOCKSPACE = "chaos";

  private final ActorSystem<?> system;
  private final Optional<NodeServices.Running> services;
  private final String self;
  private final Path dir;
  private final Duration joinTimeout;
  private Running running;
  private final List<LockHandle> pins = new ArrayList<>();

  private ChaosEndpoints(MemberNode member, Optional<NodeServices.Running> services) {
    this.system = member.system();
    this.services = services;
    Config node = system.settings().config().getConfig("jdlm.cli.node");
    this.self = node.getString("name");
    this.dir = Path.of(node.getString("dir"));
    this.joinTimeout = node.getDuration("scenario.join-timeout");
  }

  /** Registers {@code /chaos/*} on the member's control endpoint (lab only). */
  public static void install(MemberNode member, Optional<NodeServices.Running> services) {
    ChaosEndpoints e = new ChaosEndpoints(member, services);
    ControlEndpoint control = member.control();
    control.register("/chaos/start", post(e::start));
    control.register("/chaos/stop", post(p -> e.stop()));
    control.register("/chaos/final", post(e::finals));
    control.register("/chaos/clock", request -> ControlEndpoint.Response.ok("nanos=" + System.nanoTime() + "\n"));
  }

  @FunctionalInterface
  private interface Body {
    String answer(Map<String, String> query) throws Exception;
  }

  private static ControlEndpoint.Handler post(Body body) {
    return request -> {
      if (!request.method().equals("POST")) {
        return ControlEndpoint.Response.error(405, request.path() + " changes state: use POST (got "
            + request.method() + ")");
      }
      try {
        return ControlEndpoint.Response.ok(body.answer(request.query()));
      } catch (IllegalArgumentException e) {
        return ControlEndpoint.Response.error(400, request.path() + ": " + e.getMessage());
      } catch (IllegalStateException e) {
        return ControlEndpoint.Response.error(409, request.path() + ": " + e.getMessage());
      }
    };
  }

  /** The clients of one start: their stop flag, threads and history file. */
  private record Running(AtomicBoolean stop, List<Thread> threads, Sink sink, Duration timeout) {}

  private synchronized String start(Map<String, String> q) throws Exception {
    if (running != null) {
      throw new IllegalStateException("clients are already running on " + self + " (POST /chaos/stop first)");
    }
    Workload workload = Workload.parse(required(q, "workload"));
    int clients = (int) number(q, "clients", 1, 64);
    long seed = number(q, "seed", Long.MIN_VALUE, Long.MAX_VALUE);
    Duration timeout = Duration.ofMillis(number(q, "timeout", 1, 600_000));
    boolean broken = "grants-twice".equals(q.get("broken"));
    if (q.containsKey("broken") && !broken) {
      throw new IllegalArgumentException("broken '" + q.get("broken") + "': the only deliberate breakage is grants-twice");
    }
    LockspaceHandle lockspace = join();
    if (workload == Workload.LVB_COUNTER && pins.isEmpty()) {
      pinCounters(lockspace, timeout);
    }
    if (broken) {
      lockspace = new GrantsTwice(lockspace, new AtomicLong(1L << 40));
    }
    Sink sink = sink(q, "");
    Recorder recorder = recorder(q, sink);
    Register disk = register(q, timeout, seed);
    long incarnation = incarnation();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      WorkloadClient client = new WorkloadClient(workload, lockspace, self, incarnation, recorder, disk, timeout,
          seed * 1_000 + c, stop::get);
      Thread thread = new Thread(client, "chaos-client-" + self + "-" + c);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
    running = new Running(stop, threads, sink, timeout);
    return "started clients=" + clients + " incarnation=" + incarnation + " file=" + sink.file + "\n";
  }

  private synchronized String stop() throws InterruptedException {
    if (running == null) {
      return "stopped events=0\n";
    }
    running.stop().set(true);
    long deadline = System.nanoTime() + running.timeout().toNanos() * 2;
    for (Thread t : running.threads()) {
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      t.interrupt();
    }
    long events = running.sink().close();
    running = null;
    return "stopped events=" + events + "\n";
  }

  private synchronized String finals(Map<String, String> q) throws Exception {
    Workload workload = Workload.parse(required(q, "workload"));
    Duration timeout = Duration.ofMillis(number(q, "timeout", 1, 600_000));
    Sink sink = sink(q, "-final");
    try {
      WorkloadRun.recordFinals(workload, join(), timeout, recorder(q, sink), register(q, timeout, 0));
    } finally {
      sink.close();
    }
    return "final events=" + sink.count.get() + "\n";
  }

  /**
   * NL locks on the counters for the rest of this JVM's life, never released by /chaos/stop: a
   * value block lives only while some lock references its resource (docs/semantics.md §4), and the
   * final reads come after every client has stopped and let go of its own pins.
   */
  private void pinCounters(LockspaceHandle lockspace, Duration timeout) throws InterruptedException {
    for (int i = 0; i < WorkloadClient.HOT; i++) {
      LockHandle pin = lockspace.lock("counter-" + i, LockMode.NL, EnumSet.noneOf(LockFlag.class), null, null);
      try {
        if (pin.completion().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS).granted()) {
          pins.add(pin);
        }
      } catch (ExecutionException | TimeoutException e) {
        throw new IllegalStateException(self + " could not pin counter-" + i + " with NL within " + timeout.toMillis()
            + " ms: " + e);
      }
    }
  }

  private LockspaceHandle join() throws InterruptedException {
    LockspaceHandle handle = Dlm.get(system).lockspace(LOCKSPACE);
    if (handle != null) {
      return handle;
    }
    try {
      return Dlm.get(system).joinLockspace(LOCKSPACE, LockspaceSettings.defaults()).toCompletableFuture()
          .get(joinTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(self + " could not join lockspace " + LOCKSPACE + " within "
          + joinTimeout.toMillis() + " ms: " + e);
    }
  }

  private long incarnation() {
    return services.map(NodeServices.Running::incarnation).orElse(0L);
  }

  private Register register(Map<String, String> q, Duration timeout, long seed) {
    if (services.isEmpty()) {
      // Without a store there is no fenced disk: the rw and mutex registers would be meaningless.
      throw new IllegalStateException(self + " runs without a shared store: no fenced disk for the registers");
    }
    List<HostPort> frontEnds = new ArrayList<>();
    for (String hp : required(q, "frontends").split(",")) {
      if (!hp.isBlank()) {
        frontEnds.add(HostPort.parse(hp.strip(), "front-end"));
      }
    }
    return new DiskRegister(system, services.get().disk(), self, incarnation(), frontEnds, timeout, seed);
  }

  private Recorder recorder(Map<String, String> q, Sink sink) {
    long origin = number(q, "origin", Long.MIN_VALUE, Long.MAX_VALUE);
    int base = (int) number(q, "base", 0, Integer.MAX_VALUE / 2);
    return new Recorder(System::nanoTime, Clock.systemUTC(), origin, base, sink::write, false);
  }

  private Sink sink(Map<String, String> q, String suffix) throws IOException {
    String run = required(q, "run");
    if (!run.matches("[A-Za-z0-9_-]{1,64}")) {
      throw new IllegalArgumentException("run '" + run + "' must be 1 to 64 letters, digits, '_' or '-'");
    }
    Files.createDirectories(dir);
    return new Sink(dir.resolve("chaos-" + run + "-" + number(q, "base", 0, Integer.MAX_VALUE / 2) + suffix + ".jsonl"));
  }

  /** The history file: one JSON line per event, flushed as written. */
  private static final class Sink {
    final Path file;
    final BufferedWriter out;
    final AtomicLong count = new AtomicLong();
    boolean closed;

    Sink(Path file) throws IOException {
      this.file = file;
      this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    }

    synchronized void write(Event event) {
      if (closed) {
        return; // a client finishing after stop: its event is not part of the run any more
      }
      try {
        out.write(HistoryJson.toLine(event));
        out.write('\n');
        out.flush();
        count.incrementAndGet();
      } catch (IOException e) {
        throw new UncheckedIOException("writing the chaos history " + file, e);
      }
    }

    synchronized long close() {
      if (!closed) {
        closed = true;
        try {
          out.close();
        } catch (IOException e) {
          throw new UncheckedIOException("closing the chaos history " + file, e);
        }
      }
      return count.get();
    }
  }

  private static String required(Map<String, String> q, String name) {
    String v = q.get(name);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("missing " + name + "=");
    }
    return v;
  }

  private static long number(Map<String, String> q, String name, long min, long max) {
    String v = required(q, name);
    long n;
    try {
      n = Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " '" + v + "' is not a whole number");
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException(name + " " + n + " is outside " + min + ".." + max);
    }
    return n;
  }
}
