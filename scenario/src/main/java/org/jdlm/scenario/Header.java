package org.jdlm.scenario;

import java.time.Duration;

/**
 * The header of a scenario: {@code nodes N}, then optionally {@code lockspace NAME [lvblen N]},
 * {@code timeout D} (brief §6) and {@code break-deadlocks} (the wait-for-graph detector denies a
 * victim of every deadlock among the file's locks with EDEADLK, as VMS does; docs/detector.md §6). Omitted settings take the language's defaults below; these
 * are part of the language (a file must mean the same everywhere), so they are constants and not
 * configuration.
 */
public record Header(int nodes, String lockspace, int lvbLength, Duration timeout, boolean breakDeadlocks) {

  /** Lockspace name when the file has no {@code lockspace} statement. */
  public static final String DEFAULT_LOCKSPACE = "default";
  /** Value-block length in bytes when {@code lockspace} has no {@code lvblen}. */
  public static final int DEFAULT_LVB_LENGTH = 32;
  /** Bound on every {@code await} when the file has no {@code timeout} statement. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  public Header {
    if (nodes < 1) {
      throw new IllegalArgumentException("a scenario needs at least one node, got " + nodes);
    }
    if (lockspace == null || lockspace.isEmpty()) {
      throw new IllegalArgumentException("lockspace name must not be empty");
    }
    if (lvbLength < 8 || lvbLength % 8 != 0) {
      throw new IllegalArgumentException("lvblen must be a positive multiple of 8, got " + lvbLength);
    }
    if (timeout == null || timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
  }

  /** A header without {@code break-deadlocks}: deadlocks among the file's locks are only reported. */
  public Header(int nodes, String lockspace, int lvbLength, Duration timeout) {
    this(nodes, lockspace, lvbLength, timeout, false);
  }

  /** Whether {@code node} is one of {@code n1 … nN}. */
  public boolean hasNode(Node node) {
    return node.number() <= nodes;
  }
}
