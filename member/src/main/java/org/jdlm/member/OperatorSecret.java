package org.jdlm.member;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The shared secret an operator action on a member's control endpoint must present (today: the
 * operator fence, {@code POST /fencing/fence}). Anyone who can reach the endpoint could otherwise
 * fence a node, so a member without a configured secret refuses every operator action.
 *
 * <p>Configuration: {@code jdlm.member.operator-secret} (the secret itself) or
 * {@code jdlm.member.operator-secret-file} (a file whose first line is the secret, for deployments
 * that keep secrets out of configuration files); the file wins when both are set. The secret is
 * compared in constant time ({@link MessageDigest#isEqual}) and never logged or printed: this
 * class's {@link #toString} says only whether one is set.
 */
public final class OperatorSecret {
  /** The request header that carries the secret. A header, not a query parameter: URLs end up in logs. */
  public static final String HEADER = "X-Jdlm-Operator-Secret";

  /** Shortest secret accepted: a short one is guessable, and a guess costs an attacker one request. */
  public static final int MIN_LENGTH = 16;

  private final byte[] secret; // null: none configured

  private OperatorSecret(byte[] secret) {
    this.secret = secret;
  }

  /** No secret: every operator action is refused. */
  public static OperatorSecret none() {
    return new OperatorSecret(null);
  }

  /**
   * The secret {@code text} (trimmed).
   *
   * @throws IllegalArgumentException if it is shorter than {@link #MIN_LENGTH} (the message never contains it)
   */
  public static OperatorSecret of(String text) {
    String t = text.strip();
    if (t.length() < MIN_LENGTH) {
      throw new IllegalArgumentException("the operator secret has " + t.length() + " characters; at least "
          + MIN_LENGTH + " are required");
    }
    return new OperatorSecret(t.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads {@code jdlm.member.operator-secret-file} or {@code jdlm.member.operator-secret}; both blank
   * (the default) means no secret.
   *
   * @throws IllegalArgumentException naming the setting and the reason (never the secret)
   */
  public static OperatorSecret fromConfig(Config config) {
    String file = config.getString("jdlm.member.operator-secret-file").strip();
    if (!file.isEmpty()) {
      return fromFile(Path.of(file), "jdlm.member.operator-secret-file");
    }
    String text = config.getString("jdlm.member.operator-secret");
    if (text.isBlank()) {
      return none();
    }
    try {
      return of(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("jdlm.member.operator-secret: " + e.getMessage());
    }
  }

  /** The first line of {@code file}; {@code what} names where the path came from in an error. */
  public static OperatorSecret fromFile(Path file, String what) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("");
    } catch (IOException e) {
      throw new IllegalArgumentException(what + " " + file + " cannot be read: " + e.getClass().getSimpleName());
    }
    try {
      return of(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " " + file + ": " + e.getMessage());
    }
  }

  /** Whether a secret is configured. */
  public boolean isSet() {
    return secret != null;
  }

  /**
   * Why {@code presented} does not authorise an operator action, or empty when it does. The
   * comparison takes the same time wherever the first difference is.
   */
  public Optional<String> refusal(String presented) {
    if (secret == null) {
      return Optional.of("operator actions are disabled on this member: no jdlm.member.operator-secret(-file) is configured");
    }
    if (presented == null || presented.isEmpty()) {
      return Optional.of("operator action without the operator secret (header " + HEADER + ")");
    }
    if (!MessageDigest.isEqual(secret, presented.strip().getBytes(StandardCharsets.UTF_8))) {
      return Optional.of("operator action with a wrong operator secret");
    }
    return Optional.empty();
  }

  /**
   * Guards {@code handler}: a request without the right secret gets 403 with one line, before the
   * handler sees it (so an unauthorised caller learns nothing, not even whether the member has a store).
   */
  public ControlEndpoint.Handler guard(ControlEndpoint.Handler handler) {
    return request -> {
      Optional<String> refused = refusal(request.header(HEADER));
      return refused.isPresent() ? ControlEndpoint.Response.error(403, "refused: " + refused.get()) : handler.handle(request);
    };
  }

  /**
   * Hands the secret to a client's request as the {@link #HEADER} header ({@code header.accept(name,
   * value)}); the only way the secret leaves this object. Nothing when no secret is set.
   */
  public void applyTo(java.util.function.BiConsumer<String, String> header) {
    if (secret != null) {
      header.accept(HEADER, new String(secret, StandardCharsets.UTF_8));
    }
  }

  @Override
  public String toString() {
    return secret == null ? "no operator secret" : "an operator secret (not shown)";
  }
}
