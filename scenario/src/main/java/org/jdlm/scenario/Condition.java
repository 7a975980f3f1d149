package org.jdlm.scenario;

/**
 * What an {@code await} waits for (brief §6). Every await is bounded by the header's timeout; a
 * bound that expires fails the file at that line.
 */
public sealed interface Condition {

  /**
   * {@code await L cast S} / {@code await L bast M}: satisfied by the earliest callback of L of
   * that kind and value that no earlier await has consumed, whether it arrived before or after the
   * await line runs; it consumes that callback. Non-matching callbacks are skipped, not consumed.
   */
  record CallbackArrived(String lock, Callback callback) implements Condition {}

  /** {@code await quiet}: every request processed and every callback delivered; consumes nothing. */
  record Quiet() implements Condition {}

  /**
   * {@code await recovered}: the recovery caused by the latest kill/pause has finished on every
   * surviving lockspace member (not merely "no recovery is running right now").
   */
  record Recovered() implements Condition {}

  /** {@code await fenced nX}: the fencing of node nX has completed. */
  record Fenced(Node node) implements Condition {}

  /** {@code await} of a filesystem, memory or task fact ({@link FsCheck}): holds once it is true. */
  record Fs(FsCheck check) implements Condition {}
}
