package org.jdlm.tests;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.jdlm.lab.Supervisor;

/** GET requests to a lab member's control endpoint, with a bounded timeout. */
record ControlHttp(int status, String body) {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** {@code GET path} on {@code node}'s control endpoint; empty when it does not answer within {@code timeout}. */
  static Optional<ControlHttp> get(Supervisor cluster, String node, String path, Duration timeout) {
    URI uri = URI.create("http://" + Supervisor.HOST + ":" + cluster.node(node).controlPort() + path);
    try {
      HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      return Optional.of(new ControlHttp(r.statusCode(), r.body()));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** {@code POST path} with {@code headers}; empty when the member does not answer within {@code timeout}. */
  static Optional<ControlHttp> post(Supervisor cluster, String node, String path, java.util.Map<String, String> headers,
      Duration timeout) {
    URI uri = URI.create("http://" + Supervisor.HOST + ":" + cluster.node(node).controlPort() + path);
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).POST(HttpRequest.BodyPublishers.noBody());
    headers.forEach(request::header);
    try {
      HttpResponse<String> r = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return Optional.of(new ControlHttp(r.statusCode(), r.body()));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
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
