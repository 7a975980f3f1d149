package org.jdlm.member;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where the shared store's password comes from, the same way for {@code dlm node}, {@code dlm store
 * init} and the lab's members: a file ({@code jdlm.store.password-file}, {@code --password-file}) or
 * the environment variable {@value #PASSWORD_ENV}, never a command-line argument (every user of the
 * machine sees those in {@code ps}) and never a log line. {@code jdlm.store.password} in
 * configuration still works for embedders, and is what the other two are written into.
 */
public final class StoreCredentials {
  /** The environment variable that may hold the store's password. */
  public static final String PASSWORD_ENV = "JDLM_STORE_PASSWORD";
  /** The configuration key naming a file whose first line is the password. */
  public static final String PASSWORD_FILE_KEY = "jdlm.store.password-file";

  private StoreCredentials() {}

  /**
   * The password from {@code file} (its first line) when given, else from the environment, else
   * empty (the configured {@code jdlm.store.password} then applies).
   *
   * @throws CliError when the file cannot be read; the message names the file, never the content
   */
  public static Optional<String> password(Optional<Path> file, Function<String, String> env) {
    if (file.isPresent()) {
      try {
        return Optional.of(Files.readString(file.get(), StandardCharsets.UTF_8).lines().findFirst().orElse(""));
      } catch (IOException e) {
        throw new CliError("the store password file " + file.get() + " cannot be read: "
            + e.getClass().getSimpleName());
      }
    }
    String fromEnv = env.apply(PASSWORD_ENV);
    return fromEnv == null || fromEnv.isEmpty() ? Optional.empty() : Optional.of(fromEnv);
  }

  /**
   * {@code config} with {@code jdlm.store.password} taken from {@code jdlm.store.password-file} or
   * the environment when either is set; unchanged otherwise.
   */
  public static Config resolve(Config config, Function<String, String> env) {
    String file = config.hasPath(PASSWORD_FILE_KEY) ? config.getString(PASSWORD_FILE_KEY).strip() : "";
    return password(file.isEmpty() ? Optional.empty() : Optional.of(Path.of(file)), env)
        .map(p -> config.withValue("jdlm.store.password", ConfigValueFactory.fromAnyRef(p)))
        .orElse(config);
  }
}
