package org.jdlm.member;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A member's control endpoint: a tiny HTTP server, on loopback unless the member is told otherwise,
 * that the lab supervisor, tests and tools ({@code dump}, {@code scenario}, {@code fence}) talk to.
 * Each path has one {@link Handler}. {@link #register} is the extension point: a plain member
 * registers read-only paths ({@code /status}, {@code /fencing/status}) and the operator fence guarded
 * by {@link OperatorSecret}; whatever changes state for a test or a measurement (the scenario agent,
 * the disk writer, the bench driver) is registered only on a member the lab starts with
 * {@code --lab}. Replies are plain text. There is no authentication besides the operator secret:
 * a member started with {@code --control-host} on another interface trusts that network.
 *
 * <p>It is not an actor: requests arrive on the server's own threads, and handlers that need actor
 * state ask an actor with a bounded timeout (see {@link MemberNode}).
 */
public final class ControlEndpoint implements AutoCloseable {

  /** Answers one request on one path. */
  @FunctionalInterface
  public interface Handler {
    Response handle(Request request) throws Exception;
  }

  /**
   * An HTTP request reduced to what handlers need.
   *
   * @param headers request headers by lower-case name (the first value of each), e.g. the operator
   *     secret ({@link OperatorSecret#HEADER}); never logged
   */
  public record Request(String method, String path, Map<String, String> query, String body, Map<String, String> headers) {
    public Request {
      query = Map.copyOf(query);
      headers = Map.copyOf(headers);
    }

    /** A request without headers. */
    public Request(String method, String path, Map<String, String> query, String body) {
      this(method, path, query, body, Map.of());
    }

    /** The first value of header {@code name} (any case), or null. */
    public String header(String name) {
      return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }
  }

  /** A plain-text reply. */
  public record Response(int status, String body) {
    public static Response ok(String body) {
      return new Response(200, body);
    }

    public static Response error(int status, String message) {
      return new Response(status, message.endsWith("\n") ? message : message + "\n");
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final Map<String, Handler> handlers = new ConcurrentHashMap<>();

  private ControlEndpoint(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds {@code host:port} (0 for an OS-chosen port) and starts serving with {@code threads} threads.
   *
   * @throws IOException if the port cannot be bound (e.g. in use)
   */
  public static ControlEndpoint start(String host, int port, int threads) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
    AtomicInteger n = new AtomicInteger();
    ExecutorService executor = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "control-endpoint-" + n.incrementAndGet());
      t.setDaemon(true); // never keeps a terminated member's JVM alive
      return t;
    });
    server.setExecutor(executor);
    ControlEndpoint endpoint = new ControlEndpoint(server, executor);
    server.createContext("/", endpoint::serve);
    endpoint.register("/", request -> Response.ok("paths: " + String.join(" ", new TreeMap<>(endpoint.handlers).keySet()) + "\n"));
    server.start();
    return endpoint;
  }

  /** Adds the handler for an exact path such as {@code "/status"}; a second one for a path is a bug. */
  public void register(String path, Handler handler) {
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("control path must start with '/': " + path);
    }
    if (handlers.putIfAbsent(path, handler) != null) {
      throw new IllegalStateException("control path registered twice: " + path);
    }
  }

  /** The port actually bound. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The address actually bound (127.0.0.1 unless the member was told otherwise). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      Handler handler = handlers.get(path);
      Response response;
      if (handler == null) {
        response = Response.error(404, "no handler for " + path + " (GET / lists the paths)");
      } else {
        try {
          response = handler.handle(new Request(exchange.getRequestMethod(), path,
              query(exchange.getRequestURI().getRawQuery()), body(exchange.getRequestBody()),
              headers(exchange.getRequestHeaders())));
        } catch (Exception e) {
          response = Response.error(500, path + " failed: " + e);
        }
      }
      byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    }
  }

  private static Map<String, String> query(String raw) {
    if (raw == null || raw.isEmpty()) {
      return Map.of();
    }
    Map<String, String> q = new LinkedHashMap<>();
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      q.put(key, value);
    }
    return Collections.unmodifiableMap(q);
  }

  private static Map<String, String> headers(com.sun.net.httpserver.Headers raw) {
    Map<String, String> h = new LinkedHashMap<>();
    raw.forEach((name, values) -> {
      if (!values.isEmpty()) {
        h.putIfAbsent(name.toLowerCase(java.util.Locale.ROOT), values.get(0));
      }
    });
    return h;
  }

  private static String body(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }

  /** Stops serving at once (the member is going away; in-flight requests may be cut). */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
