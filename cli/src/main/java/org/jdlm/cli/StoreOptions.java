package org.jdlm.cli;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.Optional;
import org.jdlm.lab.ExternalStore;
import org.jdlm.member.CliError;
import picocli.CommandLine.Option;

/**
 * {@code --store URL [--store-user U] [--store-password-file F]}: run a lab's members on an existing
 * database (PostgreSQL, prepared once with {@code dlm store init}) instead of the H2 store process
 * the lab starts by default. Shared by {@code cluster up}, {@code scenario run} and {@code chaos}.
 * The password never appears on a command line: a file, or {@code JDLM_STORE_PASSWORD}.
 */
final class StoreOptions {
  @Option(names = "--store", paramLabel = "URL", description = {"run the members on this store"
      + " (jdbc:postgresql://HOST:PORT/DB, prepared with `dlm store init`) instead of starting an H2 store process"})
  String url;

  @Option(names = "--store-user", paramLabel = "USER", description = "the store's user (default jdlm.store.user)")
  String user;

  @Option(names = "--store-password-file", paramLabel = "FILE", description = {"a file whose first line is the"
      + " store's password; without it the environment variable JDLM_STORE_PASSWORD, else jdlm.store.password"})
  Path passwordFile;

  /** The store the lab's members use, or empty for the lab's own H2 store process. */
  Optional<ExternalStore> external() {
    if (url == null) {
      if (user != null || passwordFile != null) {
        throw new CliError("--store-user and --store-password-file need --store URL");
      }
      return Optional.empty();
    }
    String u = user != null ? user : ConfigFactory.load().getString("jdlm.store.user");
    return Optional.of(ExternalStore.of(url.strip(), u, Optional.ofNullable(passwordFile)));
  }

  /** An external store is for real members: refuse it with {@code --mode inproc}. */
  void requireJvmMode(String command, String mode) {
    if (url != null && !mode.equals("jvm")) {
      throw new CliError(command + ": --store needs --mode jvm (in-process members have no shared store)");
    }
  }
}
