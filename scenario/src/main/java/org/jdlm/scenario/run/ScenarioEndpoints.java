package org.jdlm.scenario.run;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.jdlm.dlm.Dlm;
import org.jdlm.dlm.api.DlmException;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.member.ControlEndpoint;
import org.jdlm.member.MemberNames;
import org.jdlm.member.MemberNode;

/**
 * A lab member's scenario endpoints: the jvm mode of {@code dlm scenario run} drives the very
 * {@link ScenarioAgent} that the in-process mode calls directly, through these paths. Requests and replies use
 * {@link ScenarioWire}; a bad request is HTTP 400 with one line.
 *
 * <pre>
 *   POST /scenario/join?ls=L&amp;lvblen=N         joins L (idempotent); replies the members seen
 *   GET  /scenario/members?ls=L                the lockspace members this member sees
 *   POST /scenario/lock?ls&amp;lock&amp;resource&amp;mode[&amp;flags][&amp;lvb][&amp;bast=false][&amp;task]   → code
 *   GET  /scenario/detector?ls          → this file's wait-for-graph reports   POST /scenario/break-deadlocks?ls → code
 *   POST /scenario/convert?ls&amp;lock&amp;mode[&amp;flags][&amp;lvb]   → code
 *   POST /scenario/unlock?ls&amp;lock[&amp;flags][&amp;lvb]            → code
 *   POST /scenario/cancel?ls&amp;lock[&amp;flags]                   → code
 *   GET  /scenario/events?ls&amp;after=SEQ&amp;wait=MS   callbacks after SEQ (long poll up to MS)
 *   GET  /scenario/lockview?ls&amp;lock    GET /scenario/resource?ls&amp;resource
 *   GET  /scenario/flush?ls             GET /scenario/lockspace?ls      GET /scenario/dump?ls
 *   GET  /dump[?ls=L][&amp;format=text|records]   this member's own part of every (or one) lockspace
 * </pre>
 *
 * Several lockspaces may each have their agent on one member (the runner reuses a cluster across
 * files, one lockspace per file).
 */
public final class ScenarioEndpoints {

  private final ActorSystem<?> system;
  private final String selfName;
  private final Duration joinTimeout;
  private final long maxEventWaitMillis;
  private final Map<String, ScenarioAgent> agents = new ConcurrentHashMap<>();
  private final MemberNames names;

  private ScenarioEndpoints(ActorSystem<?> system, String selfName, Config node) {
    this.system = system;
    this.selfName = selfName;
    this.names = new MemberNames(system);
    Config c = node.getConfig("scenario");
    this.joinTimeout = c.getDuration("join-timeout");
    this.maxEventWaitMillis = c.getDuration("max-event-wait").toMillis();
  }

  /**
   * Registers the paths above on the member's control endpoint. Lab only: `dlm node --lab` calls it,
   * because every path takes locks or reads them in the member's name on behalf of a test.
   */
  public static ScenarioEndpoints install(MemberNode member) {
    ActorSystem<?> system = member.system();
    Config node = system.settings().config().getConfig("jdlm.cli.node");
    Dlm.get(system); // every member runs the DLM guardian from the start, joined or not
    ScenarioEndpoints e = new ScenarioEndpoints(system, node.getString("name"), node);
    ControlEndpoint control = member.control();
    control.register("/scenario/join", e.post(e::join));
    control.register("/scenario/members", e.get(e::members));
    control.register("/scenario/lock", e.post(e::lock));
    control.register("/scenario/detector", e.get(p -> ScenarioWire.encodeReports(e.agent(p).detectorReports())));
    control.register("/scenario/break-deadlocks", e.post(p -> {
      e.agent(p).breakDeadlocks();
      return ScenarioWire.encodeCode("OK");
    }));
    control.register("/scenario/convert", e.post(e::convert));
    control.register("/scenario/unlock", e.post(e::unlock));
    control.register("/scenario/cancel", e.post(e::cancel));
    control.register("/scenario/events", e.get(e::events));
    control.register("/scenario/lockview", e.get(p -> ScenarioWire.encodeLockView(e.agent(p).lockView(p.required("lock")))));
    control.register("/scenario/resource",
        e.get(p -> ScenarioWire.encodeResourceView(e.agent(p).resourceView(p.required("resource")))));
    control.register("/scenario/flush", e.get(p -> ScenarioWire.encodeActivity(e.agent(p).flush())));
    control.register("/scenario/lockspace", e.get(p -> ScenarioWire.encodeLockspaceView(e.agent(p).lockspaceView())));
    control.register("/scenario/dump", e.get(p -> e.agent(p).dump()));
    // The filesystem and kernel side (FsAgent): mounts, named kernel tasks, their views. Only on a
    // member that runs a kernel, which --lab turns on.
    FsAgent fs = member.filesystems().map(f -> new FsAgent(e.selfName, f, e::nameOf)).orElse(null);
    control.register("/scenario/fs", e.post(p -> {
      if (fs == null) {
        throw new ScenarioWire.BadRequest(e.selfName + " runs no kernel (jdlm.member.kernel.enabled = off), so it "
            + "mounts no filesystem");
      }
      return fs.fs(p.query());
    }));
    return e;
  }

  /** A reply body from parameters; {@link ScenarioWire.BadRequest} becomes HTTP 400. */
  @FunctionalInterface
  private interface Body {
    String answer(ScenarioWire.Params params) throws Exception;
  }

  private ControlEndpoint.Handler get(Body body) {
    return request -> answer(body, request);
  }

  /** Operations change state: a GET (a browser's prefetch, a stray curl) must not take a lock. */
  private ControlEndpoint.Handler post(Body body) {
    return request -> request.method().equals("POST") ? answer(body, request)
        : ControlEndpoint.Response.error(405, request.path() + " changes state: use POST (got " + request.method() + ")");
  }

  private ControlEndpoint.Response answer(Body body, ControlEndpoint.Request request) throws Exception {
    try {
      return ControlEndpoint.Response.ok(body.answer(new ScenarioWire.Params(request.query())));
    } catch (ScenarioWire.BadRequest e) {
      return ControlEndpoint.Response.error(400, request.path() + ": " + e.getMessage());
    }
  }

  // ---- lockspaces ---------------------------------------------------------------------------

  private synchronized String join(ScenarioWire.Params p) throws Exception {
    String ls = p.required("ls");
    int lvblen = (int) p.number("lvblen", LockspaceSettings.DEFAULT_LVB_LENGTH, 8, 1 << 16);
    if (!agents.containsKey(ls)) {
      LockspaceHandle handle;
      try {
        handle = Dlm.get(system).joinLockspace(ls, new LockspaceSettings(lvblen)).toCompletableFuture()
            .get(joinTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (DlmException e) {
        throw new ScenarioWire.BadRequest("cannot join lockspace '" + ls + "' with lvblen " + lvblen + ": " + e.getMessage());
      } catch (TimeoutException e) {
        throw new IllegalStateException(selfName + " did not join lockspace " + ls + " within " + joinTimeout.toMillis() + " ms");
      } catch (ExecutionException e) {
        throw new IllegalStateException(selfName + " could not join lockspace " + ls + ": " + e.getCause(), e.getCause());
      }
      agents.put(ls, new ScenarioAgent(selfName, handle, this::nameOf, org.jdlm.dlm.WaitsDetector.get(system)));
    }
    return members(p);
  }

  private String members(ScenarioWire.Params p) {
    LockspaceHandle handle = handle(p.required("ls"));
    return ScenarioWire.encodeMembers(handle.members().stream().map(n -> nameOf(n.toString())).toList());
  }

  private LockspaceHandle handle(String ls) {
    LockspaceHandle h = Dlm.get(system).lockspace(ls);
    if (h == null || !agents.containsKey(ls)) {
      throw new ScenarioWire.BadRequest("unknown lockspace '" + ls + "' on " + selfName + " (join it first: POST /scenario/join?ls="
          + ls + "&lvblen=N)");
    }
    return h;
  }

  private ScenarioAgent agent(ScenarioWire.Params p) {
    String ls = p.required("ls");
    ScenarioAgent a = agents.get(ls);
    if (a == null) {
      handle(ls); // throws the one-line explanation
    }
    return a;
  }

  /**
   * The fencing token held by scenario lock {@code lock} in {@code ls} on this member, for a write
   * to the shared disk ({@link DiskEndpoints}); a {@link ScenarioWire.BadRequest} naming the reason
   * when the lockspace or lock is unknown or the lock holds no mode.
   */
  public org.jdlm.dlm.core.FencingToken token(String ls, String lock) {
    ScenarioAgent a = agents.get(ls);
    if (a == null) {
      handle(ls); // throws the one-line explanation
    }
    return a.token(lock).orElseThrow(() -> new ScenarioWire.BadRequest("lock '" + lock + "' in lockspace '" + ls + "' on "
        + selfName + " holds no mode, so it has no fencing token"));
  }

  // ---- operations ---------------------------------------------------------------------------

  private String lock(ScenarioWire.Params p) {
    ScenarioAgent a = agent(p);
    return ScenarioWire.encodeCode(a.lock(p.required("lock"), p.required("resource"), p.mode("mode"), flags(p),
        p.lvb("lvb"), p.bool("bast", true), p.optional("task")));
  }

  private String convert(ScenarioWire.Params p) {
    ScenarioAgent a = agent(p);
    return ScenarioWire.encodeCode(a.convert(p.required("lock"), p.mode("mode"), flags(p), p.lvb("lvb")));
  }

  private String unlock(ScenarioWire.Params p) {
    ScenarioAgent a = agent(p);
    return ScenarioWire.encodeCode(a.unlock(p.required("lock"), flags(p), p.lvb("lvb")));
  }

  private String cancel(ScenarioWire.Params p) {
    ScenarioAgent a = agent(p);
    return ScenarioWire.encodeCode(a.cancel(p.required("lock"), flags(p)));
  }

  /** Flag names are checked here, so a typo is a 400 and not an exception inside the agent. */
  private static Set<String> flags(ScenarioWire.Params p) {
    Set<String> flags = p.flags("flags");
    for (String f : flags) {
      try {
        LockFlag.parse(f);
      } catch (IllegalArgumentException e) {
        throw new ScenarioWire.BadRequest(e.getMessage());
      }
    }
    return flags;
  }

  private String events(ScenarioWire.Params p) {
    ScenarioAgent a = agent(p);
    long after = p.number("after", 0, 0, Long.MAX_VALUE);
    long wait = p.number("wait", 0, 0, maxEventWaitMillis);
    return ScenarioWire.encodeEvents(a.events(after, wait));
  }

  /** {@code host:port} → {@code nK} from the cluster roles; unknown ids stay as they are. */
  String nameOf(String nodeId) {
    return names.nameOf(nodeId);
  }
}
