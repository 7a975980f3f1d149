package org.jdlm.dlm.core;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The decisions behind breaking a deadlock among application locks as VMS does (issue 11 ★,
 * docs/detector.md §6): the detector picked a victim request in a report; who asks for it to be
 * denied, once, and whether it is still the same waiting request when the ask arrives. The master's
 * own check (the lock still queued with the same requested mode) is
 * {@link ResourceState#denyDeadlocked}. Every step may be repeated or arrive late: a request that
 * was granted, cancelled or converted again in the meantime is left alone.
 */
public final class DeadlockBreak {

  /**
   * A victim as the detector names it: the report's knot id, the lockspace, the member owning the
   * request, its owner-local lock id and the requested mode.
   */
  public record Victim(String knotId, String lockspace, String member, long lockId, LockMode mode) {
    public Victim {
      Objects.requireNonNull(knotId, "knotId");
      Objects.requireNonNull(lockspace, "lockspace");
      Objects.requireNonNull(member, "member");
      Objects.requireNonNull(mode, "mode");
    }
  }

  /** What the owner does with a victim. */
  public sealed interface Decision {
    /** Ask the master to deny the queued request ({@code conversion}: the lock keeps its granted mode). */
    record Deny(boolean conversion) implements Decision {}

    /** Leave it: the request is not the one the detector saw any more. */
    record Ignore(String reason) implements Decision {}
  }

  private DeadlockBreak() {}

  /**
   * The owner's check against its process copy: only a request still queued at its master
   * (WAITING, or CONVERT_QUEUED) for the same mode is denied; one with a cancel, unlock or another
   * operation in flight, a granted or destroyed lock, or a request for another mode is left alone.
   */
  public static Decision atOwner(Optional<OwnerLockView> view, LockMode mode) {
    if (view.isEmpty()) {
      return new Decision.Ignore("the lock is gone");
    }
    OwnerLockView v = view.get();
    if (v.requested() != mode) {
      return new Decision.Ignore("it now requests " + v.requested() + ", not " + mode);
    }
    return switch (v.state()) {
      case WAITING -> new Decision.Deny(false);
      case CONVERT_QUEUED -> new Decision.Deny(true);
      default -> new Decision.Ignore("it is " + v.state() + ", not queued at its master");
    };
  }

  /**
   * Whether {@code self} is the member that acts on reports: the smallest name among the members
   * whose facts this round merged. Every member merges the same facts, so exactly one acts (two
   * during a change of membership at worst, which the later checks make harmless).
   */
  public static boolean acts(String self, Collection<String> merged) {
    return merged.stream().min(String::compareTo).map(self::equals).orElse(false);
  }

  /** The knots whose victim was already asked for; bounded, oldest forgotten first. */
  public static final class Ledger {
    private final int capacity;
    private final LinkedHashSet<String> asked = new LinkedHashSet<>();

    public Ledger(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("ledger capacity must be positive, got " + capacity);
      }
      this.capacity = capacity;
    }

    /** True the first time a knot id is seen: ask for its victim then, never again. */
    public boolean firstAsk(String knotId) {
      if (!asked.add(knotId)) {
        return false;
      }
      if (asked.size() > capacity) {
        asked.remove(asked.iterator().next());
      }
      return true;
    }

    public Set<String> asked() {
      return Set.copyOf(asked);
    }
  }
}
