package org.jdlm.kernel.core;

import java.util.List;
import java.util.Objects;

/**
 * One typed wait of one task: the kind (fs-cycles §5.0), its argument as the detector prints it
 * ({@code EX}, {@code 128KiB,GFP_NOFS}, {@code WRITE xid 0x51}), whether it needs all or any of
 * its targets, and the targets as {@code kind:id} strings local to the member ({@code mem},
 * {@code bdi:nfs-client}, {@code task:kswapd0#1}, {@code glock:2/1a2b}). Plain data, so the
 * cluster-wide detector can merge snapshots of it without touching the waiting threads.
 */
public record WaitEdge(EdgeKind kind, String argument, Join join, List<String> targets) {
  public WaitEdge {
    Objects.requireNonNull(kind, "kind");
    if (!kind.isWait()) {
      throw new IllegalArgumentException(kind.label() + " describes ownership or activity, not a wait");
    }
    Objects.requireNonNull(join, "join");
    argument = argument == null ? "" : argument;
    targets = List.copyOf(targets);
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("a " + kind.label() + " wait needs at least one target");
    }
  }

  /** An edge with the kind's own AND/OR. */
  public static WaitEdge of(EdgeKind kind, String argument, String... targets) {
    return new WaitEdge(kind, argument, kind.defaultJoin(), List.of(targets));
  }

  /** {@code waits-memory(bytes,mask)} on the member's memory: OR over every reclaim source. */
  public static WaitEdge memory(long bytes, GfpMask mask, String target) {
    return new WaitEdge(EdgeKind.WAITS_MEMORY, Sizes.human(bytes) + "," + mask.label(), Join.OR, List.of(target));
  }

  /** {@code throttled(bdi)}: OR over whatever completes the device's writeback. */
  public static WaitEdge throttled(String bdi) {
    return new WaitEdge(EdgeKind.THROTTLED, bdi, Join.OR, List.of("bdi:" + bdi));
  }

  /** {@code waits-memory(...)  AND  -> mem} as one line of a dump. */
  public String label() {
    return kind.label() + (argument.isEmpty() ? "" : "(" + argument + ")");
  }

  @Override
  public String toString() {
    return label() + " " + join + " -> " + String.join(",", targets);
  }
}
