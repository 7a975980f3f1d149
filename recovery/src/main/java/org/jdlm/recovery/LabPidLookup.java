package org.jdlm.recovery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.function.Function;
import org.jdlm.fencing.PowerAgent;
import org.jdlm.fencing.core.FenceOperation;

/**
 * The power fence agent's pid lookup on a lab member: reads the supervisor's {@code <node>.pid}
 * files ({@code "PID START_EPOCH_MS"}, see {@code org.jdlm.lab.RunDir}) in the run directory.
 *
 * <p>Why not just the pid: the agent runs {@code kill -KILL PID}, and a pid recycled by the OS for
 * an unrelated process must never be handed to it. So a pid is returned only when the live process
 * with that pid started when the file says (the same 2 s tolerance as the supervisor), or when no
 * process has that pid any more (the agent then reports the victim gone without killing anything).
 * A recycled pid gives "unknown": the power agent fails and the next agent (storage) fences.
 */
public final class LabPidLookup implements Function<String, OptionalLong> {
  private static final long START_TOLERANCE_MS = 2_000;

  private final Path dir;

  public LabPidLookup(Path dir) {
    this.dir = dir;
  }

  /** The file where each incarnation of {@code node} announces itself as {@code PID UID} (one line each). */
  public static Path incarnationsFile(Path dir, String node) {
    return dir.resolve(node + ".incarnations");
  }

  /**
   * The pid of the incarnation being fenced: the one it announced, so a fence of an old incarnation
   * after a restart never kills the new process (the pid file already names the new one). An
   * incarnation the node never announced is not running ({@link PowerAgent#REPLACED}). Without an
   * announcement file, the pid file decides as before.
   */
  public OptionalLong forTarget(FenceOperation.Target target) {
    if (NodeName.problem(target.node()) != null) {
      return OptionalLong.empty();
    }
    Path file = incarnationsFile(dir, target.node());
    if (!Files.isRegularFile(file)) {
      return apply(target.node());
    }
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String[] w = line.trim().split("\\s+");
        if (w.length == 2 && Long.parseLong(w[1]) == target.incarnation()) {
          return OptionalLong.of(Long.parseLong(w[0]));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(PowerAgent.REPLACED);
  }

  @Override
  public OptionalLong apply(String node) {
    if (NodeName.problem(node) != null) {
      return OptionalLong.empty(); // a node name is never a path
    }
    String[] words;
    try {
      words = Files.readString(dir.resolve(node + ".pid"), StandardCharsets.UTF_8).trim().split("\\s+");
    } catch (IOException e) {
      return OptionalLong.empty();
    }
    long pid;
    long startMillis;
    try {
      pid = Long.parseLong(words[0]);
      startMillis = words.length > 1 ? Long.parseLong(words[1]) : -1;
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
    var live = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (live.isEmpty()) {
      return OptionalLong.of(pid); // gone: the agent sees that and kills nothing
    }
    long actual = live.get().info().startInstant().map(Instant::toEpochMilli).orElse(Long.MIN_VALUE);
    return startMillis >= 0 && Math.abs(actual - startMillis) < START_TOLERANCE_MS
        ? OptionalLong.of(pid) : OptionalLong.empty();
  }
}
