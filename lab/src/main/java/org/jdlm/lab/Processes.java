package org.jdlm.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jdlm.member.CliError;

/**
 * The operating-system side of the lab's power switch: a recorded member process's state and the
 * signals sent to it. Linux only ({@code /proc}, {@code /bin/kill}), as the lab is.
 */
final class Processes {
  // A recorded start time matches the live process's if they differ by less than this; both come
  // from /proc/<pid>/stat's start time, so a pid recycled for a different process is far off.
  private static final long START_TOLERANCE_MS = 2_000;

  private Processes() {}

  /** The start time the OS reports for a live process, in epoch ms. */
  static long startMillis(ProcessHandle handle) {
    return handle.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
  }

  /** The live process recorded as {@code record}, if it still exists and is the same process. */
  static Optional<ProcessHandle> handle(RunDir.PidRecord record) {
    return ProcessHandle.of(record.pid())
        .filter(ProcessHandle::isAlive)
        .filter(h -> Math.abs(startMillis(h) - record.startMillis()) < START_TOLERANCE_MS);
  }

  /** RUNNING, PAUSED (stopped by a signal) or DEAD (gone, zombie, or recycled pid). */
  static ProcessState state(RunDir.PidRecord record) {
    if (handle(record).isEmpty()) {
      return ProcessState.DEAD;
    }
    char s = procState(record.pid());
    return switch (s) {
      case 'T', 't' -> ProcessState.PAUSED;
      case 'Z', 'X', 'x', '?' -> ProcessState.DEAD;
      default -> ProcessState.RUNNING;
    };
  }

  /** The state letter of /proc/PID/stat (the field after the parenthesised command), '?' if unreadable. */
  static char procState(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
      int close = stat.lastIndexOf(')');
      return close < 0 || close + 2 >= stat.length() ? '?' : stat.charAt(close + 2);
    } catch (IOException e) {
      return '?';
    }
  }

  /** Sends a signal by name (KILL, TERM, STOP, CONT) with /bin/kill; failure to send is an error. */
  static void signal(long pid, String signal) {
    String kill = Files.isExecutable(Path.of("/bin/kill")) ? "/bin/kill" : "kill";
    try {
      Process p = new ProcessBuilder(kill, "-s", signal, Long.toString(pid))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new CliError(kill + " -s " + signal + " " + pid + " did not finish within 5s");
      }
      if (p.exitValue() != 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        throw new CliError(kill + " -s " + signal + " " + pid + " failed with status " + p.exitValue());
      }
    } catch (IOException e) {
      throw new CliError("cannot run " + kill + " to send SIG" + signal + " to " + pid + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliError("interrupted while sending SIG" + signal + " to " + pid);
    }
  }

  /** Waits until the recorded process is gone; true if it went within {@code timeout}. */
  static boolean awaitDeath(RunDir.PidRecord record, Duration timeout, Duration poll) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (state(record) != ProcessState.DEAD) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(Math.max(10, poll.toMillis())); // polling the OS: there is no event to wait on for a non-child
    }
    return true;
  }
}
