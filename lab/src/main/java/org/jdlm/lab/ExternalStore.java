package org.jdlm.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.jdlm.member.CliError;

/**
 * A store the lab does not run: a PostgreSQL database prepared with {@code dlm store init}. With
 * one, {@code cluster up} starts no H2 store process and every member (also after a restart) gets
 * {@code --store url} and the user on its command line, the password only through the environment
 * ({@code JDLM_STORE_PASSWORD}, read from {@code passwordFile} by the supervisor) or, when no file
 * was given, the supervisor's own environment passed on unchanged.
 *
 * @param url          the JDBC URL (jdbc:postgresql://HOST:PORT/DB)
 * @param user         the store's user
 * @param passwordFile a file whose first line is the password, if given
 */
public record ExternalStore(String url, String user, Optional<Path> passwordFile) {

  /** Checks the URL and the file; every problem is one {@link CliError}. */
  public static ExternalStore of(String url, String user, Optional<Path> passwordFile) {
    if (!url.startsWith("jdbc:postgresql://")) {
      throw new CliError("--store '" + url + "' is not a PostgreSQL JDBC URL (expected jdbc:postgresql://HOST:PORT/DB;"
          + " without --store the lab runs its own H2 store)");
    }
    if (user == null || user.isBlank()) {
      throw new CliError("--store-user is blank");
    }
    passwordFile.ifPresent(f -> {
      if (!Files.isReadable(f)) {
        throw new CliError("--store-password-file " + f + " cannot be read");
      }
    });
    return new ExternalStore(url, user, passwordFile.map(Path::toAbsolutePath));
  }
}
