package org.jdlm.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorSystem;
import org.jdlm.dlm.Dlm;
import org.jdlm.dlm.api.DlmException;
import org.jdlm.dlm.api.LockHandle;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.member.ControlEndpoint;
import org.jdlm.member.ControlEndpoint.Request;
import org.jdlm.member.ControlEndpoint.Response;

/**
 * The member side of {@code dlm bench}: control paths that join the bench lockspace, pre-place
 * mastery and run a workload on this member ({@link BenchDriver}), so that what is measured is a
 * real member over Artery, not the command's JVM.
 *
 * <pre>
 *   POST /bench/join                               join the bench lockspace; "node=ID members=N"
 *   GET  /bench/members                            "members=N generation=G" (409 before the join)
 *   POST /bench/hold?run=R&amp;count=N[&amp;handoff=1]     NL-lock this member's pool 0..N-1 (and the
 *                                                  hand-off resource): this member masters them
 *   POST /bench/release?run=R                      unlock what hold took
 *   POST /bench/run?workload=W&amp;run=R&amp;self=S&amp;nodes=A,B&amp;clients=N&amp;warmup-ms=&amp;duration-ms=
 *                  [&amp;own-share=F&amp;pool=N&amp;target=T]    run; replies a {@link BenchResult}
 * </pre>
 * One run at a time per member (409 otherwise). Bad parameters get 400 with the reason.
 */
public final class BenchEndpoints {

  private final ActorSystem<?> system;
  private final BenchSettings settings;
  private final AtomicBoolean running = new AtomicBoolean();
  private final Map<String, List<LockHandle>> held = new ConcurrentHashMap<>();

  private BenchEndpoints(ActorSystem<?> system, BenchSettings settings) {
    this.system = system;
    this.settings = settings;
  }

  /** Registers the bench paths on a member's control endpoint (called once by {@code MemberNode}). */
  public static void install(ActorSystem<?> system, ControlEndpoint control) {
    BenchEndpoints bench = new BenchEndpoints(system, BenchSettings.fromConfig(system.settings().config()));
    control.register("/bench/join", bench::join);
    control.register("/bench/members", bench::members);
    control.register("/bench/hold", bench::hold);
    control.register("/bench/release", bench::release);
    control.register("/bench/run", bench::run);
  }

  private Response join(Request request) throws Exception {
    LockspaceHandle joined = Dlm.get(system).lockspace(settings.lockspace());
    if (joined != null) { // a later bench against the same cluster: already a member
      return Response.ok("node=" + joined.nodeId().name() + " members=" + joined.members().size() + "\n");
    }
    Duration timeout = Dlm.get(system).settings().joinTimeout();
    LockspaceHandle ls = Dlm.get(system).joinLockspace(settings.lockspace(), LockspaceSettings.defaults())
        .toCompletableFuture().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    return Response.ok("node=" + ls.nodeId().name() + " members=" + ls.members().size() + "\n");
  }

  private Response members(Request request) {
    LockspaceHandle ls = Dlm.get(system).lockspace(settings.lockspace());
    if (ls == null) {
      return Response.error(409, "this member has not joined lockspace " + settings.lockspace() + " (POST /bench/join)");
    }
    return Response.ok("members=" + ls.members().size() + " generation=" + ls.generation() + "\n");
  }

  private Response hold(Request request) throws Exception {
    LockspaceHandle ls = Dlm.get(system).lockspace(settings.lockspace());
    if (ls == null) {
      return Response.error(409, "this member has not joined lockspace " + settings.lockspace());
    }
    try {
      String run = word(request, "run");
      int count = integer(request, "count", 0, settings.maxPool());
      String self = word(request, "self");
      List<String> names = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        names.add(BenchDriver.poolName(run, self, i));
      }
      if ("1".equals(request.query().get("handoff"))) {
        names.add(BenchDriver.handoffName(run));
      }
      if (held.putIfAbsent(run, List.of()) != null) {
        return Response.error(409, "run " + run + " already holds locks on this member");
      }
      held.put(run, BenchDriver.hold(ls, names, settings.holdTimeout()));
      return Response.ok("held=" + names.size() + "\n");
    } catch (IllegalArgumentException e) {
      return Response.error(400, e.getMessage());
    }
  }

  private Response release(Request request) throws Exception {
    List<LockHandle> locks = held.remove(request.query().getOrDefault("run", ""));
    if (locks == null) {
      return Response.ok("released=0\n");
    }
    BenchDriver.release(locks, settings.holdTimeout());
    return Response.ok("released=" + locks.size() + "\n");
  }

  private Response run(Request request) throws Exception {
    LockspaceHandle ls = Dlm.get(system).lockspace(settings.lockspace());
    if (ls == null) {
      return Response.error(409, "this member has not joined lockspace " + settings.lockspace());
    }
    BenchDriver.Spec spec;
    try {
      spec = spec(request);
    } catch (IllegalArgumentException | DlmException e) {
      return Response.error(400, e.getMessage());
    }
    if (!running.compareAndSet(false, true)) {
      return Response.error(409, "a bench run is already in progress on this member");
    }
    try {
      return Response.ok(BenchDriver.run(ls, spec, settings.stopTimeout()).encode());
    } finally {
      running.set(false);
    }
  }

  private BenchDriver.Spec spec(Request request) {
    String id = word(request, "workload");
    BenchWorkload workload = BenchWorkload.of(id)
        .orElseThrow(() -> new IllegalArgumentException("unknown workload '" + id + "'"));
    List<String> nodes = Arrays.asList(word(request, "nodes").split(","));
    Duration warmup = Duration.ofMillis(integer(request, "warmup-ms", 0, (int) settings.maxDuration().toMillis()));
    Duration duration = Duration.ofMillis(integer(request, "duration-ms", 1, (int) settings.maxDuration().toMillis()));
    double share;
    try {
      share = Double.parseDouble(request.query().getOrDefault("own-share", "1"));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("own-share '" + request.query().get("own-share") + "' is not a number");
    }
    return new BenchDriver.Spec(workload, word(request, "run"), word(request, "self"), nodes,
        integer(request, "clients", 1, settings.maxClients()), warmup, duration, share,
        request.query().containsKey("pool") ? integer(request, "pool", 1, settings.maxPool()) : 1,
        request.query().get("target"));
  }

  private static String word(Request request, String key) {
    String v = request.query().get(key);
    if (v == null || v.isEmpty() || !v.matches("[A-Za-z0-9_.,-]{1,200}")) {
      throw new IllegalArgumentException("parameter '" + key + "' is missing or not letters, digits, '_.,-': " + v);
    }
    return v;
  }

  private static int integer(Request request, String key, int min, int max) {
    String v = word(request, key);
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw new IllegalArgumentException("parameter '" + key + "' " + n + " is out of range " + min + ".." + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("parameter '" + key + "' '" + v + "' is not a number");
    }
  }
}
