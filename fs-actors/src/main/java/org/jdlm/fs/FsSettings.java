package org.jdlm.fs;

import com.typesafe.config.Config;
import java.time.Duration;
import org.jdlm.fs.core.GlockLru;
import org.jdlm.fs.core.GlockSettings;
import org.jdlm.fs.core.InodeSettings;

/**
 * The bounds of one mounted filesystem's glock layer, from {@code jdlm.fs} (each is explained in
 * {@code reference.conf}).
 *
 * @param glock             per-glock timings and bounds
 * @param lru               the glock LRU and its shrinker
 * @param glockBytes        kernel memory one glock occupies while it exists
 * @param workqueueActive   glock workqueue workers at most
 * @param workqueueRescuer  whether the glock workqueue has a rescuer ({@code WQ_MEM_RECLAIM})
 * @param workRetry         delay before queueing glock work again after the workqueue refused it
 * @param replyTimeout      bound of a task's wait for a glock actor's prompt answer
 * @param glockWait         bound of a task's wait for a glock grant
 * @param dumpTimeout       bound of collecting every glock's dump
 * @param inode             the inode cache's bounds
 * @param inodeBytes        kernel memory one cached inode occupies
 * @param putAsyncInReclaim fix F-a2: an eviction in reclaim puts its glocks through the workqueue
 * @param deleteActive      delete workqueue workers at most
 */
public record FsSettings(GlockSettings glock, GlockLru.Settings lru, long glockBytes, int workqueueActive,
                         boolean workqueueRescuer, Duration workRetry, Duration replyTimeout, Duration glockWait,
                         Duration dumpTimeout, InodeSettings inode, long inodeBytes, boolean putAsyncInReclaim,
                         int deleteActive) {

  public FsSettings {
    if (inodeBytes <= 0 || deleteActive < 1) {
      throw new IllegalArgumentException("jdlm.fs: inode.struct-bytes (" + inodeBytes
          + ") and delete-workqueue.max-active (" + deleteActive + ") must be positive");
    }
    if (glockBytes <= 0 || workqueueActive < 1) {
      throw new IllegalArgumentException("jdlm.fs: glock.struct-bytes (" + glockBytes
          + ") and glock-workqueue.max-active (" + workqueueActive + ") must be positive");
    }
    for (Duration d : new Duration[] {workRetry, replyTimeout, glockWait, dumpTimeout}) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("jdlm.fs: timeouts must be positive, got " + d);
      }
    }
  }

  /** Reads {@code jdlm.fs} from a full configuration. */
  public static FsSettings from(Config config) {
    Config fs = config.getConfig("jdlm.fs");
    return new FsSettings(glock(fs.getConfig("glock")), glockLru(fs.getConfig("glock-lru")), fs.getBytes("glock.struct-bytes"), fs.getInt("glock-workqueue.max-active"),
        fs.getBoolean("glock-workqueue.mem-reclaim"), fs.getDuration("glock-workqueue.retry-delay"),
        fs.getDuration("tasks.reply-timeout"), fs.getDuration("tasks.glock-wait"), fs.getDuration("dump-timeout"),
        inode(fs.getConfig("inode")), fs.getBytes("inode.struct-bytes"),
        fs.getBoolean("inode.put-async-in-reclaim"), fs.getInt("delete-workqueue.max-active"));
  }

  // The cores take plain values; reading configuration is the shell's job (style rule 2).

  /** {@code jdlm.fs.glock} as the glock core's settings. */
  public static GlockSettings glock(Config glock) {
    return new GlockSettings(millis(glock, "hold-time"), millis(glock, "min-hold-time"),
        millis(glock, "hold-time-increment"), millis(glock, "hold-time-decrement"), millis(glock, "long-wait"),
        glock.getInt("max-holders"), glock.getInt("dump-hz"));
  }

  /** {@code jdlm.fs.glock-lru} as the glock LRU's settings. */
  public static GlockLru.Settings glockLru(Config lru) {
    return new GlockLru.Settings(lru.getInt("soft-limit"), lru.getInt("scan-batch"), lru.getDuration("min-age").toMillis());
  }

  /** {@code jdlm.fs.inode} as the inode core's settings. */
  public static InodeSettings inode(Config inode) {
    return new InodeSettings(inode.getDuration("iopen-upgrade-timeout").toMillis(), inode.getInt("lru-scan-batch"));
  }

  private static long millis(Config c, String path) {
    return c.getDuration(path).toMillis();
  }
}
