package org.jdlm.fencing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jdlm.fencing.core.FenceOperation;

/**
 * The {@code power} agent: runs a configured command that cuts the node's power (in the lab,
 * {@code kill -KILL {pid}} through the supervisor's pid files; on a real deployment an IPMI or PDU
 * command), waits for its exit code within a bound, and in the lab confirms that the process is
 * really gone before answering. An exit code of 0 alone is not proof: a command may succeed
 * against the wrong pid, and a killed process may linger while the kernel tears it down.
 *
 * <p>The command is run as argv tokens, never through a shell, so a node name cannot inject
 * anything. Placeholders {@code {node} {pid} {address} {incarnation}} are substituted per token.
 */
public final class PowerAgent implements FenceAgent {

  /** Settings of the agent, from {@code jdlm.fencing.power}. */
  public record Settings(List<String> command, Duration commandTimeout, boolean confirmGone, Duration confirmTimeout) {
    public Settings {
      command = List.copyOf(command);
      if (command.isEmpty()) {
        throw new IllegalArgumentException("jdlm.fencing.power.command is empty: give the argv of the power command");
      }
      if (commandTimeout.isNegative() || commandTimeout.isZero()) {
        throw new IllegalArgumentException("jdlm.fencing.power.command-timeout must be positive, got " + commandTimeout);
      }
    }

    public static Settings fromConfig(com.typesafe.config.Config config) {
      com.typesafe.config.Config c = config.getConfig("jdlm.fencing.power");
      return new Settings(c.getStringList("command"), c.getDuration("command-timeout"), c.getBoolean("confirm-gone"),
          c.getDuration("confirm-timeout"));
    }
  }

  private static final int STDERR_TAIL = 400;

  private final String name;
  private final Settings settings;
  /**
   * What a target-aware pid lookup answers for an incarnation that no longer runs any process: the
   * node was restarted since (the lab kills a member before restarting it), so there is nothing of
   * that incarnation left to kill, and the pid the node's pid file names belongs to a newer, healthy
   * incarnation that must not be touched.
   */
  public static final long REPLACED = -1;

  private final Function<FenceOperation.Target, OptionalLong> pidOf;
  private final Executor blocking;

  /**
   * @param pidOf   the pid of a node's process (the lab supervisor's {@code <dir>/<node>.pid}, see
   *                {@link PidFiles}); empty when unknown
   * @param blocking where to start the process (fork/exec blocks; use the blocking dispatcher)
   */
  public PowerAgent(String name, Settings settings, Function<String, OptionalLong> pidOf, Executor blocking) {
    this(name, blocking, settings, target -> pidOf.apply(target.node()));
  }

  /**
   * @param pidOfTarget the pid of the target incarnation's process, empty when unknown, or
   *                    {@link #REPLACED} when that incarnation has been replaced by a newer one
   */
  public PowerAgent(String name, Executor blocking, Settings settings,
      Function<FenceOperation.Target, OptionalLong> pidOfTarget) {
    this.name = name;
    this.settings = settings;
    this.pidOf = pidOfTarget;
    this.blocking = blocking;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CompletionStage<Result> fence(FenceOperation.Target target) {
    OptionalLong pid = pidOf.apply(target);
    if (pid.isPresent() && pid.getAsLong() == REPLACED) {
      return CompletableFuture.completedFuture(new Done(name, "incarnation " + target.incarnation() + " of "
          + target.node() + " runs no process any more (the node was restarted as a newer incarnation)"));
    }
    boolean needsPid = settings.command().stream().anyMatch(t -> t.contains("{pid}"));
    if (needsPid && pid.isEmpty()) {
      return CompletableFuture.completedFuture(new Failed(name, "no pid known for node " + target.node()
          + " (the command " + settings.command() + " needs {pid})"));
    }
    if (pid.isPresent() && settings.confirmGone() && ProcessHandle.of(pid.getAsLong()).map(h -> !h.isAlive()).orElse(true)) {
      // A retry, or a second coordinator taking over, finds the victim already dead: that is the
      // goal, and kill would fail with "no such process".
      return CompletableFuture.completedFuture(new Done(name, "pid " + pid.getAsLong() + " of " + target.node()
          + " is already gone"));
    }
    List<String> argv = substitute(target, pid);
    return CompletableFuture.supplyAsync(() -> start(argv), blocking)
        .thenCompose(started -> started.map(p -> awaitExit(p, argv, target, pid))
            .orElseGet(() -> CompletableFuture.completedFuture(new Failed(name, "could not start " + argv))));
  }

  private List<String> substitute(FenceOperation.Target target, OptionalLong pid) {
    List<String> argv = new ArrayList<>();
    for (String token : settings.command()) {
      argv.add(token.replace("{node}", target.node())
          .replace("{pid}", pid.isPresent() ? Long.toString(pid.getAsLong()) : "")
          .replace("{address}", target.address())
          .replace("{incarnation}", Long.toString(target.incarnation())));
    }
    return argv;
  }

  private record Started(Process process, Path stderr) {}

  private Optional<Started> start(List<String> argv) {
    try {
      Path stderr = Files.createTempFile("jdlm-power-", ".err");
      Process p = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(stderr.toFile()).start();
      return Optional.of(new Started(p, stderr));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private CompletionStage<Result> awaitExit(Started s, List<String> argv, FenceOperation.Target target, OptionalLong pid) {
    return s.process().onExit().orTimeout(settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .handle((p, error) -> {
          if (error != null) {
            s.process().destroyForcibly();
            return (Result) new Failed(name, argv + " did not exit within " + settings.commandTimeout());
          }
          String err = tail(s.stderr());
          if (p.exitValue() != 0) {
            return new Failed(name, argv + " exited " + p.exitValue() + (err.isEmpty() ? "" : ": " + err));
          }
          return null;
        })
        .thenCompose(failed -> {
          deleteQuietly(s.stderr());
          if (failed != null) {
            return CompletableFuture.completedFuture(failed);
          }
          if (!settings.confirmGone() || pid.isEmpty()) {
            return CompletableFuture.completedFuture(new Done(name, argv + " exited 0"));
          }
          return confirmGone(pid.getAsLong(), target);
        });
  }

  /** Waits until the pid no longer names a live process, within the confirm timeout. */
  private CompletionStage<Result> confirmGone(long pid, FenceOperation.Target target) {
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty() || !handle.get().isAlive()) {
      return CompletableFuture.completedFuture(new Done(name, "pid " + pid + " of " + target.node() + " is gone"));
    }
    return handle.get().onExit().orTimeout(settings.confirmTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .handle((h, error) -> error instanceof TimeoutException || (error != null && error.getCause() instanceof TimeoutException)
            ? new Failed(name, "pid " + pid + " of " + target.node() + " still alive " + settings.confirmTimeout()
                + " after the power command")
            : error != null ? new Failed(name, "could not watch pid " + pid + ": " + error)
            : new Done(name, "pid " + pid + " of " + target.node() + " is gone"));
  }

  private static String tail(Path file) {
    try {
      String all = Files.readString(file, StandardCharsets.UTF_8).strip();
      return all.length() <= STDERR_TAIL ? all : "..." + all.substring(all.length() - STDERR_TAIL);
    } catch (IOException e) {
      return "";
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a leftover temp file is harmless; the OS cleans the temp dir
    }
  }
}
