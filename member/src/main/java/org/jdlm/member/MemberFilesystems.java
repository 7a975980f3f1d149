package org.jdlm.member;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.jdlm.fs.FsSettings;
import org.jdlm.fs.MemberFs;
import org.jdlm.kernel.Kernel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The filesystems mounted on one member, on the member's kernel and DLM: one {@link MemberFs} (one
 * DLM lockspace) per filesystem name. What a member mounts at start is configuration
 * ({@code jdlm.member.fs.mounts}); a lab member's scenario agent mounts and unmounts on demand. The
 * table is guarded by its monitor, which is never held across a mount's lockspace join.
 */
public final class MemberFilesystems implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MemberFilesystems.class);

  /** A filesystem name is a DLM lockspace name: 1 to 64 letters, digits, '_', '.', '-'. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private final ActorSystem<?> system;
  private final Kernel kernel;
  private final FsSettings defaults;
  private final Duration joinTimeout;
  private final Duration dumpTimeout;
  private final Map<String, MemberFs> mounted = new TreeMap<>();
  /** Names being mounted right now, so two mounts of one name cannot race past the check. */
  private final java.util.Set<String> mounting = new java.util.HashSet<>();

  public MemberFilesystems(ActorSystem<?> system, Kernel kernel, Config config) {
    this.system = system;
    this.kernel = kernel;
    this.defaults = FsSettings.from(config);
    Config fs = config.getConfig("jdlm.member.fs");
    this.joinTimeout = fs.getDuration("join-timeout");
    this.dumpTimeout = config.getDuration("jdlm.fs.dump-timeout").multipliedBy(2);
  }

  /**
   * The filesystems of {@code jdlm.member.fs.mounts}, mounted in the background once the member
   * runs (a mount joins a lockspace, which needs the cluster); a failed mount is logged.
   */
  public void mountConfigured(Config config) {
    List<String> names = config.getStringList("jdlm.member.fs.mounts");
    if (names.isEmpty()) {
      return;
    }
    Thread t = new Thread(() -> {
      for (String name : names) {
        try {
          mount(name, defaults);
        } catch (RuntimeException e) {
          LOG.error("jdlm.member.fs.mounts: could not mount {}: {}", name, e.getMessage());
        }
      }
    }, "fs-mount");
    t.setDaemon(true);
    t.start();
  }

  public Kernel kernel() {
    return kernel;
  }

  /** {@code jdlm.fs} as configured: what a mount without overrides uses. */
  public FsSettings defaults() {
    return defaults;
  }

  /**
   * Mounts {@code name} with {@code settings}: joins its lockspace and starts its glocks and inode
   * cache on this member's kernel.
   *
   * @throws IllegalArgumentException for a bad name or a name already mounted, naming it
   * @throws IllegalStateException    when the lockspace join does not complete within
   *                                  {@code jdlm.member.fs.join-timeout}
   */
  public MemberFs mount(String name, FsSettings settings) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("filesystem name must be 1 to 64 letters, digits, '_', '.' or '-', got '"
          + name + "'");
    }
    synchronized (this) {
      if (mounted.containsKey(name) || !mounting.add(name)) {
        throw new IllegalArgumentException("filesystem " + name + " is already mounted on " + kernel.member());
      }
    }
    MemberFs fs = null;
    try {
      fs = MemberFs.mount(system, kernel, name, settings, joinTimeout);
      return fs;
    } finally {
      synchronized (this) {
        mounting.remove(name);
        if (fs != null) {
          mounted.put(name, fs);
        }
      }
    }
  }

  /** Unmounts {@code name} ({@link MemberFs#close()}). @throws IllegalArgumentException if not mounted */
  public void unmount(String name) {
    MemberFs fs;
    synchronized (this) {
      fs = mounted.remove(name);
    }
    if (fs == null) {
      throw new IllegalArgumentException("filesystem " + name + " is not mounted on " + kernel.member());
    }
    fs.close();
  }

  public synchronized Optional<MemberFs> get(String name) {
    return Optional.ofNullable(mounted.get(name));
  }

  public synchronized List<String> names() {
    return List.copyOf(mounted.keySet());
  }

  /**
   * Every mounted filesystem's glocks in GFS2's debugfs format (docs/dump-format.md "Glocks"): per
   * filesystem a {@code # glocks FS member NAME} line, then its glocks; only {@code only} when given.
   */
  public String dumpGlocks(Optional<String> only) {
    List<MemberFs> which = new ArrayList<>();
    synchronized (this) {
      if (only.isPresent()) {
        MemberFs fs = mounted.get(only.get());
        if (fs == null) {
          throw new IllegalArgumentException("filesystem " + only.get() + " is not mounted on " + kernel.member()
              + " (mounted: " + (mounted.isEmpty() ? "none" : String.join(", ", mounted.keySet())) + ")");
        }
        which.add(fs);
      } else {
        which.addAll(mounted.values());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (MemberFs fs : which) {
      sb.append("# glocks ").append(fs.name()).append(" member ").append(kernel.member()).append('\n');
      try {
        sb.append(fs.glocks().dump().toCompletableFuture().get(dumpTimeout.toMillis(), TimeUnit.MILLISECONDS));
      } catch (Exception e) {
        sb.append("# no glock dump within ").append(dumpTimeout.toMillis()).append(" ms: ").append(e).append('\n');
      }
    }
    return sb.toString();
  }

  /** Unmounts everything (the member stops). */
  @Override
  public void close() {
    for (String name : names()) {
      try {
        unmount(name);
      } catch (RuntimeException e) {
        LOG.warn("unmount of {} failed: {}", name, e.toString());
      }
    }
  }
}
