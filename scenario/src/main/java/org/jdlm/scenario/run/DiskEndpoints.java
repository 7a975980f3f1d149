package org.jdlm.scenario.run;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.jdlm.dlm.core.FencingToken;
import org.jdlm.fencing.SharedDisk;
import org.jdlm.fencing.core.SharedDiskState;
import org.jdlm.fencing.core.WriteToken;
import org.jdlm.member.ControlClient;
import org.jdlm.member.ControlEndpoint;
import org.jdlm.member.HostPort;
import org.jdlm.member.MemberNode;
import org.jdlm.member.NodeServices;

/**
 * A member's writes to the shared disk under a DLM lock's fencing token: what a filesystem's
 * journal does, reduced to one control path, so that a test can show the storage half of fencing
 * on real JVMs (a resumed frozen member's write is rejected, the new holder's is accepted).
 *
 * <pre>
 *   POST /disk/write?ls=L&amp;lock=NAME&amp;block=B&amp;data=TEXT[&amp;via=HOST:CONTROL_PORT]
 *        writes TEXT to block B as this incarnation, with the token of scenario lock NAME in L
 *   POST /disk/submit?node=N&amp;incarnation=I&amp;block=B&amp;data=TEXT&amp;generation=G&amp;counter=C
 *        the array's front-end port: hands a fully specified write to the SharedDisk singleton
 *   GET  /disk/read?block=B
 * </pre>
 *
 * Replies (plain text, one line): {@code written block=B token=G.C}, {@code rejected block=B
 * refusal=KEY_REVOKED|STALE_TOKEN|… detail=…}, {@code block block=B data=TEXT token=G.C|-}.
 * Rejections are outcomes (HTTP 200), not errors; a disk that does not answer is HTTP 500 saying so,
 * an unreachable {@code via} front-end HTTP 504.
 *
 * <p><b>Why {@code via}.</b> In the lab the disk is a Cluster Singleton on the oldest member. A
 * member the cluster has removed is quarantined: its cluster messages are dropped before they reach
 * any actor, so its writes through the singleton proxy never arrive. That is a protection of its
 * own, but not the one a SAN gives — an array sits on its own fabric and sees every initiator's
 * I/O, which is exactly why it must check keys and tokens. {@code via} sends the write over HTTP to
 * another member's {@code /disk/submit}, standing in for that fabric, so the disk's own checks
 * decide. Without {@code via} the write goes through this member's singleton proxy.
 */
public final class DiskEndpoints {

  /** The writer's token of {@code lock} in lockspace {@code ls}, or a BadRequest naming what is missing. */
  @FunctionalInterface
  interface Tokens {
    FencingToken of(String ls, String lock);
  }

  private final ActorSystem<?> system;
  private final ActorRef<SharedDisk.Command> disk;
  private final String self;
  private final LongSupplier incarnation;
  private final Tokens tokens;
  private final Duration askTimeout;
  private final ControlClient control;

  private DiskEndpoints(ActorSystem<?> system, ActorRef<SharedDisk.Command> disk, String self, LongSupplier incarnation,
      Tokens tokens, Duration askTimeout) {
    this.system = system;
    this.disk = disk;
    this.self = self;
    this.incarnation = incarnation;
    this.tokens = tokens;
    this.askTimeout = askTimeout;
    this.control = new ControlClient(askTimeout);
  }

  /**
   * Registers the three paths on {@code member}'s control endpoint, writing with the tokens of
   * {@code scenario}'s locks: over the shared disk when the member has a store ({@code services}),
   * else each path answers 503 saying why.
   */
  public static void install(MemberNode member, Optional<NodeServices.Running> services, ScenarioEndpoints scenario) {
    if (services.isEmpty()) {
      String why = "this member runs without a shared store (no --store, no jdlm.store.url)";
      for (String path : new String[] {"/disk/write", "/disk/submit", "/disk/read"}) {
        member.control().register(path, request -> ControlEndpoint.Response.error(503, why));
      }
      return;
    }
    NodeServices.Running s = services.get();
    install(member.control(), member.system(), s.disk(), member.system().settings().config().getString("jdlm.cli.node.name"),
        s::incarnation, scenario::token, s.askTimeout());
  }

  /** Registers the three paths on {@code control}. */
  static void install(ControlEndpoint control, ActorSystem<?> system, ActorRef<SharedDisk.Command> disk, String self,
      LongSupplier incarnation, Tokens tokens, Duration askTimeout) {
    DiskEndpoints e = new DiskEndpoints(system, disk, self, incarnation, tokens, askTimeout);
    control.register("/disk/write", post(e::write));
    control.register("/disk/submit", post(e::submit));
    control.register("/disk/read", request -> answer400(request.path(), () -> e.read(new ScenarioWire.Params(request.query()))));
  }

  @FunctionalInterface
  private interface Body {
    ControlEndpoint.Response answer(ScenarioWire.Params p) throws Exception;
  }

  @FunctionalInterface
  private interface Call {
    ControlEndpoint.Response call() throws Exception;
  }

  /** A write changes the disk: a GET (a browser's prefetch) must not. */
  private static ControlEndpoint.Handler post(Body body) {
    return request -> !request.method().equals("POST")
        ? ControlEndpoint.Response.error(405, request.path() + " changes state: use POST (got " + request.method() + ")")
        : answer400(request.path(), () -> body.answer(new ScenarioWire.Params(request.query())));
  }

  private static ControlEndpoint.Response answer400(String path, Call call) throws Exception {
    try {
      return call.call();
    } catch (ScenarioWire.BadRequest e) {
      return ControlEndpoint.Response.error(400, path + ": " + e.getMessage());
    }
  }

  // ---- the writer ------------------------------------------------------------------------------

  private ControlEndpoint.Response write(ScenarioWire.Params p) throws Exception {
    String ls = p.required("ls");
    String lock = p.required("lock");
    int block = block(p);
    String data = p.required("data");
    // Read before anything else: the point of the test is a write issued the moment a frozen
    // member runs again, with the token it held when it froze.
    FencingToken token = tokens.of(ls, lock);
    // Field by field: fencing cannot import the DLM's FencingToken, and the order is the same
    // (generation first, then the per-resource counter; docs/fencing.md "Limits").
    WriteToken writeToken = new WriteToken(token.generation(), token.counter());
    long inc = incarnation.getAsLong();
    String via = p.query().get("via");
    if (via == null || via.isEmpty()) {
      return ControlEndpoint.Response.ok(render(submitToDisk(self, inc, block, data, writeToken)));
    }
    return forward(via, Map.of("node", self, "incarnation", Long.toString(inc), "block", Integer.toString(block),
        "data", data, "generation", Long.toString(writeToken.generation()), "counter", Long.toString(writeToken.counter())));
  }

  private ControlEndpoint.Response forward(String via, Map<String, String> params) throws InterruptedException {
    if (!via.matches("[A-Za-z0-9.\\-]+:\\d{1,5}")) {
      throw new ScenarioWire.BadRequest("via '" + via + "' is not HOST:CONTROL_PORT");
    }
    try {
      ControlClient.Reply r = control.post("the disk front-end", HostPort.parse(via, "via"), "/disk/submit", params,
          askTimeout.plusSeconds(1));
      return new ControlEndpoint.Response(r.status(), r.body());
    } catch (ControlClient.Unreachable e) {
      return ControlEndpoint.Response.error(504, "/disk/write: " + e.getMessage());
    }
  }

  // ---- the array's front-end -------------------------------------------------------------------

  private ControlEndpoint.Response submit(ScenarioWire.Params p) throws Exception {
    WriteToken token = new WriteToken(nonNegative(p, "generation"), nonNegative(p, "counter"));
    long inc = parseLong(p.required("incarnation"), "incarnation");
    return ControlEndpoint.Response.ok(render(submitToDisk(p.required("node"), inc,
        block(p), p.required("data"), token)));
  }

  /** A block number is required: a default would write somewhere the caller did not name. */
  private static int block(ScenarioWire.Params p) {
    p.required("block");
    return (int) p.number("block", -1, 0, Integer.MAX_VALUE);
  }

  private static long nonNegative(ScenarioWire.Params p, String name) {
    p.required(name);
    return p.number(name, 0, 0, Long.MAX_VALUE);
  }

  private static long parseLong(String text, String what) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new ScenarioWire.BadRequest(what + " '" + text + "' is not a number");
    }
  }

  private SharedDiskState.WriteOutcome submitToDisk(String node, long inc, int block, String data, WriteToken token)
      throws InterruptedException {
    byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
    return ask(r -> new SharedDisk.Write(node, inc, block, bytes, token, r));
  }

  private ControlEndpoint.Response read(ScenarioWire.Params p) throws InterruptedException {
    int block = block(p);
    SharedDiskState.ReadOutcome outcome = ask(r -> new SharedDisk.Read(block, r));
    if (outcome instanceof SharedDiskState.BlockContents c) {
      return ControlEndpoint.Response.ok("block block=" + c.block() + " data=" + new String(c.data(), StandardCharsets.UTF_8)
          + " token=" + c.token().map(t -> t.generation() + "." + t.counter()).orElse("-") + "\n");
    }
    SharedDiskState.ReadRefused refused = (SharedDiskState.ReadRefused) outcome;
    return ControlEndpoint.Response.error(400, "/disk/read: " + refused.reason());
  }

  private static String render(SharedDiskState.WriteOutcome outcome) {
    if (outcome instanceof SharedDiskState.Written w) {
      return "written block=" + w.block() + " token=" + w.token().generation() + "." + w.token().counter() + "\n";
    }
    SharedDiskState.WriteRejected r = (SharedDiskState.WriteRejected) outcome;
    return "rejected block=" + r.block() + " refusal=" + r.refusal() + " detail=" + r.detail().strip().replaceAll("\\s+", "_")
        + "\n";
  }

  private <R> R ask(java.util.function.Function<ActorRef<R>, SharedDisk.Command> message) throws InterruptedException {
    try {
      return AskPattern.<SharedDisk.Command, R>ask(disk, message::apply, askTimeout, system.scheduler())
          .toCompletableFuture().get(askTimeout.toMillis() + 500, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new NodeServices.ServiceUnavailable("the shared disk did not answer within " + askTimeout
          + " (jdlm.cli.node.services.ask-timeout)");
    }
  }
}
