package org.jdlm.dlm;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code jdlm.dlm-actors} settings of {@code dlm-actors}' {@code reference.conf} (every bound
 * documented there).
 *
 * @param tossDelay how long a master keeps an unused resource before dropping mastery (semantics §5 {@code toss_secs})
 * @param stashCapacity messages a stopped lockspace holds before it fails loudly
 * @param dumpTimeout how long a dump waits for each resource actor's snapshot
 * @param joinTimeout bound on {@code joinLockspace} and {@code leave}
 * @param maxLvbLength the largest {@code lvblen} a lockspace may choose
 * @param maxLocksPerNode bound on the live locks one node owns in one lockspace
 * @param callbackQueueCapacity bound on undelivered callbacks per lock
 * @param recoveryBatchSize most resource names or resent locks in one recovery message
 * @param recoveryBatchesInFlight recovery batches one member has unanswered at one peer at a time
 * @param flushTimeout bound on a flush of this member's masters ({@code LockspaceHandle.flush})
 * @param barrierRetry how often a coordinator waiting at the membership barrier asks the members
 *     whose {@code StopAck} it lacks again
 * @param callbackThreadQueueCapacity tasks one lockspace's callback thread may have queued
 * @param callbackThreadFullWait how long a producer waits for a slot in a full callback queue before failing
 * @param waitsPublishInterval how often a master with queued requests publishes them for the wait-for-graph detector
 */
public record DlmSettings(Duration tossDelay, int stashCapacity, Duration dumpTimeout, Duration joinTimeout,
    int maxLvbLength, int maxLocksPerNode, int callbackQueueCapacity, int recoveryBatchSize,
    int recoveryBatchesInFlight, Duration flushTimeout, Duration barrierRetry, int callbackThreadQueueCapacity,
    Duration callbackThreadFullWait, Duration waitsPublishInterval) {

  public DlmSettings {
    if (tossDelay.isNegative()) {
      throw new IllegalArgumentException("jdlm.dlm-actors.toss-delay must not be negative, got " + tossDelay);
    }
    if (stashCapacity <= 0) {
      throw new IllegalArgumentException("jdlm.dlm-actors.stash-capacity must be positive, got " + stashCapacity);
    }
    if (maxLvbLength <= 0 || maxLvbLength % 8 != 0) {
      throw new IllegalArgumentException("jdlm.dlm-actors.max-lvb-length must be a positive multiple of 8, got " + maxLvbLength);
    }
    if (barrierRetry.isNegative() || barrierRetry.isZero()) {
      throw new IllegalArgumentException("jdlm.dlm-actors.barrier-retry-interval must be positive, got " + barrierRetry);
    }
    if (callbackThreadQueueCapacity <= 0) {
      throw new IllegalArgumentException("jdlm.dlm-actors.callback-thread-queue-capacity must be positive, got "
          + callbackThreadQueueCapacity);
    }
    if (callbackThreadFullWait.isNegative() || callbackThreadFullWait.isZero()) {
      throw new IllegalArgumentException("jdlm.dlm-actors.callback-thread-full-wait must be positive, got "
          + callbackThreadFullWait);
    }
    if (waitsPublishInterval.isNegative() || waitsPublishInterval.isZero()) {
      throw new IllegalArgumentException("jdlm.dlm-actors.waits-publish-interval must be positive, got "
          + waitsPublishInterval);
    }
    if (recoveryBatchSize <= 0) {
      throw new IllegalArgumentException("jdlm.dlm-actors.recovery-batch-size must be positive, got " + recoveryBatchSize);
    }
    if (recoveryBatchesInFlight <= 0) {
      throw new IllegalArgumentException("jdlm.dlm-actors.recovery-batches-in-flight must be positive, got "
          + recoveryBatchesInFlight);
    }
  }

  /** Reads {@code jdlm.dlm-actors} from a full config. */
  public static DlmSettings fromConfig(Config config) {
    Config c = config.getConfig("jdlm.dlm-actors");
    return new DlmSettings(c.getDuration("toss-delay"), c.getInt("stash-capacity"), c.getDuration("dump-timeout"),
        c.getDuration("join-timeout"), c.getInt("max-lvb-length"), c.getInt("max-locks-per-node"),
        c.getInt("callback-queue-capacity"), c.getInt("recovery-batch-size"), c.getInt("recovery-batches-in-flight"),
        c.getDuration("flush-timeout"), c.getDuration("barrier-retry-interval"),
        c.getInt("callback-thread-queue-capacity"), c.getDuration("callback-thread-full-wait"),
        c.getDuration("waits-publish-interval"));
  }
}
