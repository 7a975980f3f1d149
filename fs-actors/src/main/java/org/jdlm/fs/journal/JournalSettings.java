package org.jdlm.fs.journal;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The journal layer's bounds, from {@code jdlm.fs.journal} (each explained in {@code reference.conf}).
 *
 * @param checkpointEvery transactions between two moves of the log's tail (1: after every commit)
 * @param commitWait      bound of a task's wait for another task's commit on the same journal
 * @param recoveryWait    bound of a wait for journal recovery: a gated glock request, a busy journal's glock
 * @param recoveryPoll    how often a mount looks for a new lockspace generation (the DLM has no callback)
 */
public record JournalSettings(int checkpointEvery, Duration commitWait, Duration recoveryWait, Duration recoveryPoll) {

  public JournalSettings {
    if (checkpointEvery < 1) {
      throw new IllegalArgumentException("jdlm.fs.journal.checkpoint-every must be at least 1, got " + checkpointEvery);
    }
    for (Duration d : new Duration[] {commitWait, recoveryWait, recoveryPoll}) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("jdlm.fs.journal: waits must be positive, got " + d);
      }
    }
  }

  /** Reads {@code jdlm.fs.journal} from a full configuration. */
  public static JournalSettings from(Config config) {
    Config j = config.getConfig("jdlm.fs.journal");
    return new JournalSettings(j.getInt("checkpoint-every"), j.getDuration("commit-wait"),
        j.getDuration("recovery-wait"), j.getDuration("recovery-poll"));
  }
}
