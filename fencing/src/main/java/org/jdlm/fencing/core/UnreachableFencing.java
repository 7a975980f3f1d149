package org.jdlm.fencing.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * When to fence a member the failure detector gave up on, without waiting for the split-brain
 * resolver's {@code stable-after}: the cluster-stack order "suspect, fence, then remove" (corosync's
 * token loss followed by the fence daemon) instead of "suspect, wait, remove, then fence".
 *
 * <p>A member is fenced from here when all of these hold (docs/fencing.md "Fencing on unreachable"):
 * <ol>
 *   <li>it has been unreachable for at least {@code after} without a break (a reachable blip starts
 *       the count again);</li>
 *   <li><b>this member's own failure detector does not hear it now</b>, checked at the moment the
 *       fence would be sent (issue 14, item 1). Reachability as gossiped lags the detector: an
 *       observer marks a member reachable again only at its next reaper tick and the news then
 *       travels by gossip, while a resumed member's heartbeats (and its lockspace traffic) arrive at
 *       once. A member this side hears again is alive, so its count starts over instead of being
 *       fenced on the old timer; if it really is gone the detector stops hearing it and the count
 *       runs out again {@code after} later;</li>
 *   <li>the reachable <b>Up</b> members form a <b>strict majority</b> of the members that count
 *       (Joining, WeaklyUp, Up, Leaving; a Down, Exiting or Removed member no longer counts). Only
 *       Up members vote: a member still Joining or WeaklyUp may not be known to the others at all
 *       (its welcoming member can die before gossiping it, issue 14 item 2), and a Leaving one is on
 *       its way out; each still counts in the total, which only makes a majority harder to reach.
 *       A minority side never fences anybody, it is the side that gets downed (keep-majority);</li>
 *   <li>this member is the <b>decider</b>: <b>itself Up</b>, and the lowest address among the
 *       reachable Up members, so one member of the majority fences and the others do not pile on;</li>
 *   <li>no fence of that incarnation is already in progress or done here.</li>
 * </ol>
 * After the fence is confirmed the member is downed ({@link Action.Down}): it is dead for certain,
 * so membership may drop it at once. A failed fence makes the member due again {@code after} later.
 *
 * <p>Pure: the node assembly feeds it membership and reachability and carries out its actions.
 */
public final class UnreachableFencing {

  /** A member's status in the membership (Pekko's MemberStatus without the Pekko type). */
  public enum Status {
    JOINING, WEAKLY_UP, UP, LEAVING, EXITING, DOWN;

    /** Whether a member in this status still belongs to the membership a majority is taken of. */
    public boolean counted() {
      return this == JOINING || this == WEAKLY_UP || this == UP || this == LEAVING;
    }
  }

  /** A member as the policy sees it. {@code address} orders members (the decider is the lowest). */
  public record Member(String address, String name, long incarnation, Status status) {
    /** Whether the member counts in the total a majority is taken of. */
    public boolean counted() {
      return status.counted();
    }

    /** Whether the member, when reachable, counts towards a majority (and may decide): Up only. */
    public boolean votes() {
      return status == Status.UP;
    }
  }

  /** What the caller must do. */
  public sealed interface Action {
    /** Ask the fence coordinator to fence {@code member}; report with {@link #fenced} or {@link #fenceFailed}. */
    record Fence(Member member, long unreachableForMillis) implements Action {}

    /** The fence is confirmed: down {@code member} so membership drops it without waiting. */
    record Down(Member member) implements Action {}
  }

  private final long afterMillis;
  private final Map<String, Member> members = new HashMap<>();
  /** Unreachable members (by address) and since when, in the caller's clock. */
  private final Map<String, Long> unreachableSince = new HashMap<>();
  /** Fences asked for and not yet answered, by address (one incarnation per address at a time). */
  private final Set<String> inProgress = new HashSet<>();
  /** Incarnations confirmed fenced: never fenced or downed twice from here. */
  private final Set<Long> fenced = new HashSet<>();

  /** @param afterMillis how long a member must stay unreachable before it is fenced (at least 0) */
  public UnreachableFencing(long afterMillis) {
    if (afterMillis < 0) {
      throw new IllegalArgumentException("the unreachable delay must be at least 0 ms, not " + afterMillis);
    }
    this.afterMillis = afterMillis;
  }

  /** A member joined or changed status (a member that no longer counts is still remembered until removed). */
  public void memberChanged(Member member) {
    Member previous = members.put(member.address(), member);
    if (previous != null && previous.incarnation() != member.incarnation()) {
      // A new incarnation at the same address: it owes nothing to its predecessor's unreachability.
      unreachableSince.remove(member.address());
      inProgress.remove(member.address());
    }
  }

  /** The member left the membership for good. */
  public void memberRemoved(String address) {
    members.remove(address);
    unreachableSince.remove(address);
    inProgress.remove(address);
  }

  /** The failure detector (of any member, as gossiped) marked {@code address} unreachable at {@code nowMillis}. */
  public void unreachable(String address, long nowMillis) {
    unreachableSince.putIfAbsent(address, nowMillis);
  }

  /** {@code address} is reachable again: its count starts over if it fails again. */
  public void reachable(String address) {
    unreachableSince.remove(address);
  }

  /**
   * The fences due now, as seen from {@code self}. Call it at the moment the fences would be sent,
   * with what this member's failure detector says right then: each one returned is marked in
   * progress, and the caller sends it at once and reports its outcome.
   *
   * @param heardNow whether this member's own failure detector hears the member at that address
   *     now (it monitors it and the last heartbeat is within the acceptable pause); a member heard
   *     now is not fenced and its count starts over at {@code nowMillis}
   */
  public List<Action> due(String self, long nowMillis, Predicate<String> heardNow) {
    List<Action> out = new ArrayList<>();
    if (!isDecider(self)) {
      return out;
    }
    for (Map.Entry<String, Long> e : unreachableSince.entrySet()) {
      Member m = members.get(e.getKey());
      long unreachableFor = nowMillis - e.getValue();
      if (m == null || !m.counted() || m.address().equals(self) || unreachableFor < afterMillis
          || inProgress.contains(m.address()) || fenced.contains(m.incarnation())) {
        continue;
      }
      if (heardNow.test(m.address())) {
        // Alive as of this instant, whatever the gossiped reachability still says: start over.
        e.setValue(nowMillis);
        continue;
      }
      inProgress.add(m.address());
      out.add(new Action.Fence(m, unreachableFor));
    }
    out.sort(java.util.Comparator.comparing(a -> ((Action.Fence) a).member().address()));
    return out;
  }

  /** The fence of {@code member} is confirmed: down it, unless a newer incarnation took its address meanwhile. */
  public List<Action> fenced(Member member) {
    inProgress.remove(member.address());
    fenced.add(member.incarnation());
    Member now = members.get(member.address());
    if (now == null || now.incarnation() != member.incarnation()) {
      return List.of(); // already removed, or restarted: the address belongs to someone else now
    }
    return List.of(new Action.Down(member));
  }

  /** The fence of {@code member} failed or timed out: it is due again after the delay. */
  public void fenceFailed(Member member, long nowMillis) {
    inProgress.remove(member.address());
    if (unreachableSince.containsKey(member.address())) {
      unreachableSince.put(member.address(), nowMillis);
    }
  }

  /** Whether any member is waiting to become due (the caller keeps a timer running while true). */
  public boolean anyUnreachable() {
    return !unreachableSince.isEmpty();
  }

  /**
   * {@code self} is Up, the reachable Up members are a strict majority of the counted ones, and
   * {@code self} is the lowest of them. {@code self} unknown to the membership (not joined yet),
   * Joining, WeaklyUp or Leaving is never the decider.
   */
  boolean isDecider(String self) {
    Member me = members.get(self);
    if (me == null || !me.votes()) {
      return false;
    }
    int counted = 0;
    int reachable = 0;
    String lowest = null;
    for (Member m : members.values()) {
      if (!m.counted()) {
        continue;
      }
      counted++;
      if (m.votes() && !unreachableSince.containsKey(m.address())) {
        reachable++;
        if (lowest == null || m.address().compareTo(lowest) < 0) {
          lowest = m.address();
        }
      }
    }
    return reachable * 2 > counted && self.equals(lowest);
  }
}
