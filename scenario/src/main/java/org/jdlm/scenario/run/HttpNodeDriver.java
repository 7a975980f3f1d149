package org.jdlm.scenario.run;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdlm.member.ControlClient;
import org.jdlm.member.HostPort;
import org.jdlm.member.OperatorSecret;
import org.jdlm.scenario.Mode;

/**
 * {@code --mode jvm}: drives the {@link ScenarioAgent} inside a member JVM through the member's
 * control endpoint ({@code org.jdlm.scenario.run.ScenarioEndpoints}), so both modes run the same
 * DLM-side code. Every call is bounded by {@code requestTimeout}; a member that does not answer,
 * or answers with an error, is an {@link IllegalStateException} naming the node and the path,
 * which the runner reports as a runner error.
 *
 * <p>Operations are never retried: a lost reply of a {@code lock} must not take a second lock.
 */
public final class HttpNodeDriver implements NodeDriver, FsDriver {

  private final String node;
  private final HostPort endpoint;
  private final String lockspace;
  private final ControlClient control;
  private final Duration requestTimeout;

  /**
   * @param node           the member's scenario name, for messages
   * @param endpoint       the member's control endpoint
   * @param lockspace      the lockspace every call addresses (joined with {@link #join})
   * @param control        the control-endpoint client, shared by the drivers of one run
   * @param requestTimeout bound on one request (long polls add their wait to it)
   */
  public HttpNodeDriver(String node, HostPort endpoint, String lockspace, ControlClient control,
      Duration requestTimeout) {
    this.node = node;
    this.endpoint = endpoint;
    this.lockspace = lockspace;
    this.control = control;
    this.requestTimeout = requestTimeout;
  }

  /** Joins the lockspace on this member (idempotent); answers the members it sees. */
  public List<String> join(int lvbLength, Duration timeout) {
    return ScenarioWire.decodeMembers(call("POST", "/scenario/join", params("lvblen", Integer.toString(lvbLength)), timeout));
  }

  /** The lockspace members this member sees, by name. */
  public List<String> members() {
    return ScenarioWire.decodeMembers(get("/scenario/members", params()));
  }

  @Override
  public String lock(String lock, String resource, Mode mode, Set<String> flags, byte[] lvb, boolean blockingCallback,
      String task) {
    return ScenarioWire.decodeCode(post("/scenario/lock", task == null
        ? params("lock", lock, "resource", resource, "mode", mode.name(), "flags", ScenarioWire.flagsParam(flags),
            "lvb", ScenarioWire.lvbParam(lvb), "bast", Boolean.toString(blockingCallback))
        : params("lock", lock, "resource", resource, "mode", mode.name(), "flags", ScenarioWire.flagsParam(flags),
            "lvb", ScenarioWire.lvbParam(lvb), "bast", Boolean.toString(blockingCallback), "task", task)));
  }

  @Override
  public List<DetectorReport> detectorReports() {
    return ScenarioWire.decodeReports(get("/scenario/detector", params()));
  }

  @Override
  public void breakDeadlocks() {
    post("/scenario/break-deadlocks", params());
  }

  @Override
  public String convert(String lock, Mode mode, Set<String> flags, byte[] lvb) {
    return ScenarioWire.decodeCode(post("/scenario/convert", params("lock", lock, "mode", mode.name(),
        "flags", ScenarioWire.flagsParam(flags), "lvb", ScenarioWire.lvbParam(lvb))));
  }

  @Override
  public String unlock(String lock, Set<String> flags, byte[] lvb) {
    return ScenarioWire.decodeCode(post("/scenario/unlock", params("lock", lock,
        "flags", ScenarioWire.flagsParam(flags), "lvb", ScenarioWire.lvbParam(lvb))));
  }

  @Override
  public String cancel(String lock, Set<String> flags) {
    return ScenarioWire.decodeCode(post("/scenario/cancel", params("lock", lock, "flags", ScenarioWire.flagsParam(flags))));
  }

  @Override
  public List<ObservedEvent> events(long afterSeq, long waitMillis) {
    return ScenarioWire.decodeEvents(call("GET", "/scenario/events",
        params("after", Long.toString(afterSeq), "wait", Long.toString(waitMillis)),
        requestTimeout.plusMillis(waitMillis)));
  }

  @Override
  public LockView lockView(String lock) {
    return ScenarioWire.decodeLockView(get("/scenario/lockview", params("lock", lock)));
  }

  @Override
  public ResourceView resourceView(String resource) {
    return ScenarioWire.decodeResourceView(get("/scenario/resource", params("resource", resource)));
  }

  @Override
  public Activity flush() {
    return ScenarioWire.decodeActivity(get("/scenario/flush", params()));
  }

  @Override
  public LockspaceView lockspaceView() {
    return ScenarioWire.decodeLockspaceView(get("/scenario/lockspace", params()));
  }

  @Override
  public String dump() {
    return get("/scenario/dump", params());
  }

  /**
   * {@code POST /scenario/fs}: the member's {@link FsAgent}. A synchronous task call may wait up to
   * its {@code wait} parameter in the member, so the request's bound is that plus the usual one.
   */
  @Override
  public String fs(Map<String, String> query) {
    long wait = query.containsKey("wait") ? Long.parseLong(query.get("wait")) : 0;
    return call("POST", "/scenario/fs", new LinkedHashMap<>(query), requestTimeout.plusMillis(wait));
  }

  // ---- transport ----------------------------------------------------------------------------

  private Map<String, String> params(String... keyValues) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("ls", lockspace);
    for (int i = 0; i < keyValues.length; i += 2) {
      p.put(keyValues[i], keyValues[i + 1]);
    }
    return p;
  }

  private String get(String path, Map<String, String> params) {
    return call("GET", path, params, requestTimeout);
  }

  private String post(String path, Map<String, String> params) {
    return call("POST", path, params, requestTimeout);
  }

  private String call(String method, String path, Map<String, String> params, Duration timeout) {
    ControlClient.Reply response;
    try {
      response = control.send(new ControlClient.Request(node, endpoint, method, path, params, OperatorSecret.none(),
          timeout));
    } catch (ControlClient.Unreachable e) {
      throw new IllegalStateException(e.getMessage(), e); // the runner reports a driver failure as a step failure
    }
    if (response.status() != 200) {
      throw new IllegalStateException(node + " " + path + ": HTTP " + response.status() + ": "
          + response.body().strip());
    }
    return response.body();
  }

  @Override
  public String toString() {
    return "HttpNodeDriver[" + node + " " + endpoint + " " + lockspace + "]";
  }
}
