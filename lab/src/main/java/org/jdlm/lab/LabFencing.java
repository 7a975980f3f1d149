package org.jdlm.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jdlm.member.CliError;

/**
 * Which fence agents lab members run, as a choice a user makes on the command line
 * ({@code dlm cluster up --fencing …}, {@code dlm chaos --fencing power|storage|both}) rather than by
 * writing {@code -D} options
 * (issue 14: the lab fenced with the power agent and {@code require = any} only, so a write rejected
 * with {@code KEY_REVOKED} never happened in a chaos run).
 *
 * <ul>
 *   <li>{@code power}: the power agent alone (SIGKILL through the pid files, then confirmed gone);</li>
 *   <li>{@code storage}: the storage agent alone (the member's key is preempted on the shared disk;
 *       a frozen process stays alive and only its writes are refused, StorageFencingSafetyJvmTest);</li>
 *   <li>{@code both}: storage, then power, and a fence counts only when <b>both</b> confirmed
 *       ({@code require = all}), so every fence revokes the key and also kills the process.</li>
 * </ul>
 * The options are {@code -D} system properties, which override jdlm-node.conf (NodeConfig). Without
 * a choice members keep jdlm-node.conf's {@code [power, storage]} with {@code require = any}.
 */
public enum LabFencing {
  POWER(List.of("-Djdlm.fencing.agents.0=power", "-Djdlm.fencing.require=any")),
  STORAGE(List.of("-Djdlm.fencing.agents.0=storage", "-Djdlm.fencing.require=any")),
  BOTH(List.of("-Djdlm.fencing.agents.0=storage", "-Djdlm.fencing.agents.1=power", "-Djdlm.fencing.require=all"));

  private final List<String> memberOptions;

  LabFencing(List<String> memberOptions) {
    this.memberOptions = memberOptions;
  }

  /** The member JVM options that select these agents. */
  public List<String> memberOptions() {
    return memberOptions;
  }

  /** {@code power}, {@code storage} or {@code both}; anything else is a {@link CliError} naming it. */
  public static LabFencing parse(String command, String text) {
    return switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "power" -> POWER;
      case "storage" -> STORAGE;
      case "both" -> BOTH;
      default -> throw new CliError(command + ": unknown --fencing '" + text + "' (expected power, storage or both)");
    };
  }

  /** The file in a run directory that remembers the choice of {@code cluster up} for later restarts. */
  public static Path file(Path runDir) {
    return runDir.resolve("fencing");
  }

  /**
   * Records {@code choice} for the run directory (or forgets an earlier one), so that {@code cluster
   * restart} starts a member with the same agents as {@code cluster up} did.
   */
  public static void remember(Path runDir, Optional<LabFencing> choice) throws IOException {
    if (choice.isPresent()) {
      Files.createDirectories(runDir);
      Files.writeString(file(runDir), choice.get().name().toLowerCase(Locale.ROOT) + "\n", StandardCharsets.UTF_8);
    } else {
      Files.deleteIfExists(file(runDir));
    }
  }

  /** The choice recorded for {@code runDir}, if any. */
  public static Optional<LabFencing> recorded(Path runDir) {
    Path f = file(runDir);
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    try {
      return Optional.of(parse("cluster", Files.readString(f, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new CliError("cannot read " + f + ": " + e.getMessage());
    }
  }

  /** {@code settings} with these options after its member JVM options. */
  public LabSettings apply(LabSettings settings) {
    List<String> jvm = new java.util.ArrayList<>(settings.memberJvmOptions());
    jvm.addAll(memberOptions);
    return new LabSettings(settings.defaultDir(), settings.maxNodes(), settings.upTimeout(), settings.restartTimeout(),
        settings.controlTimeout(), settings.pollInterval(), settings.downGrace(), settings.killTimeout(), jvm,
        settings.storeStartTimeout(), settings.storeJvmOptions());
  }
}
