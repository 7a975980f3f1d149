package org.jdlm.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.jdlm.fencing.store.StoreConfig;
import org.jdlm.fencing.store.StoreException;
import org.jdlm.fencing.store.StoreReadiness;
import org.jdlm.fencing.store.StoreServer;
import org.jdlm.member.CliError;
import org.jdlm.member.StoreCredentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dlm store …}: the shared store. {@code serve} runs the lab's H2 store (which `dlm cluster up`
 * starts as its own JVM before the members); {@code init} prepares a database once (PostgreSQL, or
 * an H2 server) so that members can use it: a member refuses to start on a store without the tables.
 */
@Command(name = "store", description = "the shared store: serve (the lab's H2), init (prepare a database once)",
    subcommands = {StoreCommand.Serve.class, StoreCommand.Init.class})
final class StoreCommand extends DlmCommand.Group {

  /** `store serve`: a foreground H2 server until SIGTERM. */
  @Command(name = "serve", description = {
      "serve the store's H2 database on 127.0.0.1 in the foreground until SIGTERM", "",
      "Creates (first time) or opens the H2 database DIR/jdlm.mv.db with pekko-persistence-jdbc's tables, serves it"
          + " on 127.0.0.1 only, and prints its JDBC URL as the first line of stdout (give it to members: dlm node"
          + " --store URL). Runs until SIGTERM or Ctrl-C, which close the database cleanly. The user and password"
          + " are jdlm.store.user / jdlm.store.password."},
      exitCodeList = {"0:stopped by SIGTERM", "2:the port is in use or the database cannot be opened"})
  static final class Serve extends DlmCommand {
    @Option(names = "--dir", paramLabel = "DIR", required = true,
        description = "directory of the database (created if missing)")
    Path dir;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "0",
        description = "TCP port (default 0: one the OS picks, see the printed URL)")
    int port;

    @Override
    protected int run(Console console) throws InterruptedException {
      range("--port", port, 0, 65535);
      if (port != 0) {
        requireFree(port);
      }
      Config config = ConfigFactory.load();
      StoreServer server;
      try {
        server = StoreServer.start(dir, port, config.getString("jdlm.store.user"), config.getString("jdlm.store.password"));
      } catch (StoreException | IllegalArgumentException e) {
        throw new CliError("store: " + e.getMessage());
      }
      CountDownLatch stopped = new CountDownLatch(1);
      // SIGTERM and Ctrl-C run shutdown hooks: close the database so the next start finds it clean.
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        server.close();
        stopped.countDown();
      }, "jdlm-store-shutdown"));
      console.out().println(server.jdbcUrl());
      console.out().flush();
      // H2's server threads are daemons: this thread keeps the JVM alive until the hook has run.
      stopped.await();
      return 0;
    }

    /** H2 reports a busy port in a multi-line message; check first so the user gets one line. */
    private static void requireFree(int port) {
      try (ServerSocket probe = new ServerSocket()) {
        probe.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
      } catch (IOException e) {
        throw new CliError("store: port " + port + " on 127.0.0.1 is in use");
      }
    }
  }

  /** `store init`: create the store's tables once (idempotent). */
  @Command(name = "init", description = {"prepare a database as the shared store (create its tables; idempotent)", "",
      "Connects to URL as USER and creates every table the members need (the journal, snapshots and durable state"
          + " of pekko-persistence-jdbc) that is not there yet, then checks that all are visible, and prints what it"
          + " created. Run it once per database before the first member starts: a member refuses to start (exit"
          + " 78) on a store without the tables. The password comes from --password-file or the environment"
          + " variable JDLM_STORE_PASSWORD (else jdlm.store.password), never from the command line."},
      exitCodeList = {"0:the store is ready", "2:bad input, or the database cannot be reached or prepared"})
  static final class Init extends DlmCommand {
    @Option(names = "--url", paramLabel = "URL", required = true, description = {"the database:"
        + " jdbc:postgresql://HOST:PORT/DB, or an H2 server's jdbc:h2:tcp://HOST:PORT/NAME;WRITE_DELAY=0"})
    String url;

    @Option(names = "--user", paramLabel = "USER", description = "the user to connect as (default jdlm.store.user)")
    String user;

    @Option(names = "--password-file", paramLabel = "FILE",
        description = "a file whose first line is the password (else JDLM_STORE_PASSWORD, else jdlm.store.password)")
    Path passwordFile;

    private final Function<String, String> env;

    Init() {
      this(System::getenv);
    }

    /** With {@code env} standing in for the process environment (tests). */
    Init(Function<String, String> env) {
      this.env = env;
    }

    @Override
    protected int run(Console console) {
      Config config = ConfigFactory.load();
      String u = url.strip();
      StoreConfig.Kind kind = u.startsWith("jdbc:postgresql:") ? StoreConfig.Kind.POSTGRES
          : u.startsWith("jdbc:h2:") ? StoreConfig.Kind.H2 : null;
      if (kind == null) {
        throw new CliError("store init: --url '" + u + "' is not a store URL (expected jdbc:postgresql://HOST:PORT/DB"
            + " or jdbc:h2:tcp://HOST:PORT/NAME;WRITE_DELAY=0)");
      }
      String password = StoreCredentials.password(Optional.ofNullable(passwordFile), env)
          .orElse(config.getString("jdlm.store.password"));
      StoreConfig.Settings settings;
      try {
        settings = new StoreConfig.Settings(kind, u, user != null ? user : config.getString("jdlm.store.user"),
            password, 1, config.getDuration("jdlm.store.connection-timeout"));
      } catch (IllegalArgumentException e) {
        throw new CliError("store init: " + e.getMessage());
      }
      Duration timeout = config.getDuration("jdlm.cli.node.services.store-check-timeout");
      try {
        console.out().println(StoreReadiness.init(settings, timeout).summary());
      } catch (StoreException e) {
        throw new CliError("store init: " + e.getMessage(), e);
      }
      console.out().println("store " + kind.name().toLowerCase(Locale.ROOT) + " " + u + " is ready: start members with"
          + " --store " + u);
      return 0;
    }
  }
}
