package org.jdlm.member;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

/**
 * The one client of members' control endpoints ({@link ControlEndpoint}): the lab supervisor, the
 * jvm-mode scenario runner and disk writer, the bench, and the {@code dlm cluster/bench/dump/fence}
 * commands all ask through it, so the HTTP version, the connect timeout, the query encoding, the
 * operator-secret header and the wording of "did not answer" live here only.
 *
 * <p>A member that cannot be reached (refused, reset, timed out, interrupted) is an {@link Unreachable}:
 * one line naming the member, its endpoint, the method and path, and the reason. An answer with any
 * HTTP status is a {@link Reply}; what a status means is the caller's business.
 */
public final class ControlClient {
  private final HttpClient http;
  private final Duration connectTimeout;

  /** A client whose connections give up after {@code connectTimeout}. */
  public ControlClient(Duration connectTimeout) {
    this.connectTimeout = connectTimeout;
    // HTTP/1.1: the JDK server behind ControlEndpoint does not speak h2c, and the upgrade attempt costs a round trip.
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout).build();
  }

  /** An endpoint's answer: its HTTP status and body. */
  public record Reply(int status, String body) {
    public boolean ok() {
      return status == 200;
    }

    /** The first line of the body, for one-line errors. */
    public String firstLine() {
      return body.strip().lines().findFirst().orElse("(no reason given)");
    }
  }

  /** No answer: the member is not listening, did not answer in time, or the wait was interrupted. */
  public static final class Unreachable extends CliError {
    private static final long serialVersionUID = 1L;

    Unreachable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * One request to a member's control endpoint.
   *
   * @param member  the member's name for messages (e.g. {@code n2}); the endpoint is added to it
   * @param control where its control endpoint listens
   * @param method  {@code GET} or {@code POST} (a POST has no body: parameters travel in the query)
   * @param path    e.g. {@code /status}
   * @param query   parameters, URL-encoded here, in the map's order
   * @param secret  the operator secret, sent as its header when set (never in the URL)
   * @param timeout how long to wait for the answer
   */
  public record Request(String member, HostPort control, String method, String path, Map<String, String> query,
      OperatorSecret secret, Duration timeout) {

    URI uri() {
      return URI.create("http://" + control + path + (query.isEmpty() ? "" : "?" + encode(query)));
    }

    String describe() {
      return member + " (" + control + ")";
    }
  }

  /** {@code GET path?query}; an {@link Unreachable} when the member does not answer. */
  public Reply get(String member, HostPort control, String path, Map<String, String> query, Duration timeout) {
    return send(new Request(member, control, "GET", path, query, OperatorSecret.none(), timeout));
  }

  /** {@code POST path?query} without a body; an {@link Unreachable} when the member does not answer. */
  public Reply post(String member, HostPort control, String path, Map<String, String> query, Duration timeout) {
    return send(new Request(member, control, "POST", path, query, OperatorSecret.none(), timeout));
  }

  /** Like {@link #get}, but empty instead of an error when the member does not answer. */
  public Optional<Reply> tryGet(String member, HostPort control, String path, Map<String, String> query,
      Duration timeout) {
    try {
      return Optional.of(get(member, control, path, query, timeout));
    } catch (Unreachable e) {
      return Optional.empty();
    }
  }

  /** Sends {@code request} and waits for the answer. */
  public Reply send(Request request) {
    try {
      HttpResponse<String> r = http.send(build(request), HttpResponse.BodyHandlers.ofString());
      return new Reply(r.statusCode(), r.body());
    } catch (IOException e) {
      throw unreachable(request, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unreachable("interrupted while asking " + request.describe() + " " + request.method() + " "
          + request.path(), e);
    }
  }

  /** Sends {@code request} without waiting; the future fails with an {@link Unreachable}. */
  public CompletableFuture<Reply> sendAsync(Request request) {
    return http.sendAsync(build(request), HttpResponse.BodyHandlers.ofString())
        .handle((r, failure) -> {
          if (failure != null) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
            throw unreachable(request, cause);
          }
          return new Reply(r.statusCode(), r.body());
        });
  }

  /** Encodes {@code query} as {@code k=v&k=v} in the map's order, keys and values URL-encoded. */
  public static String encode(Map<String, String> query) {
    return query.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  private static HttpRequest build(Request request) {
    HttpRequest.Builder b = HttpRequest.newBuilder(request.uri()).timeout(request.timeout())
        .method(request.method(), HttpRequest.BodyPublishers.noBody());
    request.secret().applyTo(b::header);
    return b.build();
  }

  private Unreachable unreachable(Request request, Throwable cause) {
    String why = cause.getMessage() == null || cause.getMessage().isBlank()
        ? cause.getClass().getSimpleName() : cause.getMessage();
    return new Unreachable(request.describe() + " did not answer " + request.method() + " " + request.path()
        + " (connect timeout " + connectTimeout.toMillis() + " ms, answer timeout " + request.timeout().toMillis()
        + " ms): " + why.replaceAll("\\s*\\R\\s*", " "), cause);
  }
}
