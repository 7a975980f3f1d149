package org.jdlm.tests;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jdlm.lab.Supervisor;
import org.jdlm.member.ControlClient;
import org.jdlm.member.OperatorSecret;

/** Requests to a lab member's control endpoint through the supervisor's {@link ControlClient}, with a bounded timeout. */
record ControlHttp(int status, String body) {

  /** {@code GET path} on {@code node}'s control endpoint; empty when it does not answer within {@code timeout}. */
  static Optional<ControlHttp> get(Supervisor cluster, String node, String path, Duration timeout) {
    return send(cluster, node, "GET", path, Map.of(), timeout);
  }

  /** {@code POST path} with {@code headers}; empty when the member does not answer within {@code timeout}. */
  static Optional<ControlHttp> post(Supervisor cluster, String node, String path, Map<String, String> headers,
      Duration timeout) {
    return send(cluster, node, "POST", path, headers, timeout);
  }

  /** {@code path} may carry its own query string (already encoded, see {@link #encode}). */
  private static Optional<ControlHttp> send(Supervisor cluster, String node, String method, String path,
      Map<String, String> headers, Duration timeout) {
    String secret = headers.get(OperatorSecret.HEADER);
    // Only the operator secret travels as a header on a control endpoint; anything else is a test bug.
    if (headers.size() > (secret == null ? 0 : 1)) {
      throw new IllegalArgumentException("unsupported headers " + headers.keySet());
    }
    int q = path.indexOf('?');
    Map<String, String> query = new LinkedHashMap<>();
    if (q >= 0) {
      for (String pair : path.substring(q + 1).split("&")) {
        int eq = pair.indexOf('=');
        query.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    try {
      ControlClient.Reply r = cluster.control().send(new ControlClient.Request(node, cluster.node(node).control(),
          method, q < 0 ? path : path.substring(0, q), query,
          secret == null ? OperatorSecret.none() : OperatorSecret.of(secret), timeout));
      return Optional.of(new ControlHttp(r.status(), r.body()));
    } catch (ControlClient.Unreachable e) {
      return Optional.empty();
    }
  }

  static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  /** The first line starting with {@code kind + " "} that contains every one of {@code fields}. */
  Optional<String> line(String kind, String... fields) {
    return body.lines().filter(l -> l.startsWith(kind + " "))
        .filter(l -> java.util.Arrays.stream(fields).allMatch(f -> (" " + l + " ").contains(" " + f + " ")))
        .findFirst();
  }

  /** The value of {@code key=} in {@code line}. */
  static String field(String line, String key) {
    for (String word : line.split(" ")) {
      if (word.startsWith(key + "=")) {
        return word.substring(key.length() + 1);
      }
    }
    throw new AssertionError("no " + key + "= in: " + line);
  }
}
