package org.jdlm.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.jdlm.fencing.store.StoreException;
import org.jdlm.fencing.store.StoreServer;
import org.jdlm.member.CliError;

/**
 * {@code dlm store …}: the lab's shared store. Only {@code serve} for now, which `dlm cluster up`
 * runs as its own JVM before the members; by hand it is useful to keep one store for members
 * started with {@code dlm node --store URL}.
 */
public final class StoreCommand implements Subcommands.CommandGroup {

  private final Subcommands actions = new Subcommands("dlm store").register(new Serve());

  @Override
  public String name() {
    return "store";
  }

  @Override
  public String summary() {
    return "the lab's shared store (H2 on 127.0.0.1): serve";
  }

  @Override
  public String usage() {
    return actions.help();
  }

  @Override
  public int run(List<String> args, Console console) throws Exception {
    return actions.dispatch(args, console);
  }

  /** `store serve`: a foreground H2 server until SIGTERM. */
  static final class Serve implements Subcommand {
    @Override
    public String name() {
      return "serve";
    }

    @Override
    public String summary() {
      return "serve the store's H2 database on 127.0.0.1 in the foreground until SIGTERM";
    }

    @Override
    public String usage() {
      return """
          usage: dlm store serve --dir DIR [--port PORT]

          Creates (first time) or opens the H2 database DIR/jdlm.mv.db with pekko-persistence-jdbc's
          tables, serves it on 127.0.0.1 only, and prints its JDBC URL as the first line of stdout
          (give it to members: dlm node --store URL). Runs until SIGTERM or Ctrl-C, which close the
          database cleanly. The user and password are jdlm.store.user / jdlm.store.password.
            --dir DIR     directory of the database (created if missing)
            --port PORT   TCP port (default 0: one the OS picks, see the printed URL)
          Exit status: 2 when the port is in use or the database cannot be opened.
          """;
    }

    @Override
    public int run(List<String> args, Console console) throws InterruptedException {
      Options o = Options.parse("store serve", args, Set.of("--dir", "--port"), Set.of()).noPositional();
      Path dir = Path.of(o.require("--dir"));
      int port = o.integer("--port", 0, 65535).orElse(0);
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
}
