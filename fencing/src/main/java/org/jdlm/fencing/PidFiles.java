package org.jdlm.fencing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * The lab supervisor's pid files: it records each member's pid as {@code <dir>/<node>.pid}. This
 * is the default pid lookup for the {@link PowerAgent}; a real deployment plugs in its own.
 */
public final class PidFiles {
  private PidFiles() {}

  /** A lookup reading {@code <dir>/<node>.pid} on every call (a restarted member has a new pid). */
  public static Function<String, OptionalLong> inDirectory(Path dir) {
    return node -> {
      if (node.contains("/") || node.contains("\\") || node.contains("..")) {
        return OptionalLong.empty(); // a node name is never a path
      }
      Path file = dir.resolve(node + ".pid");
      try {
        // The lab supervisor writes "PID START_MILLIS"; the first field is the pid.
        return OptionalLong.of(Long.parseLong(Files.readString(file).strip().split("\\s+")[0]));
      } catch (IOException | NumberFormatException e) {
        return OptionalLong.empty();
      }
    };
  }
}
