package org.jdlm.dlm.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What one lockspace member knows about the lockspace's membership (docs/recovery.md §1): the
 * members the registry lists, those it learned from others' Hellos and StopAcks, those that
 * departed for good, the cluster addresses it has seen Up, the members whose reported termination
 * it is verifying, and the failures (unreachable or downed incarnations) that need fencing. From
 * these it computes the view it would stop for ({@link #proposed()}) and decides what a death-watch
 * report, a guardian's answer and a cluster event mean. Decisions only: the {@code Lockspace}
 * actor watches, asks and stops as told.
 *
 * <p>Members and addresses are type parameters so that the core stays free of the actor toolkit
 * (the shell uses its member actor references and cluster addresses; the simulation uses plain
 * records).
 *
 * <h2>Rules</h2>
 * <ol>
 *   <li><b>Departed is forever.</b> A terminated member never comes back: a restart is a new
 *       incarnation with a new reference. It leaves the view even while others still name it.</li>
 *   <li><b>Watch only what the cluster's death watch covers.</b> A member is watched once its
 *       address has been seen Up (and not removed since), in the order the cluster published those
 *       events; watched earlier, the watcher can report a live member terminated at once.</li>
 *   <li><b>A termination at an address seen Up is verified, not believed</b> (issue 4): the
 *       watcher reports every member at an address terminated when it processes an earlier
 *       incarnation's removal there. The node's guardian is asked; the member departs only if the
 *       guardian no longer runs it, if the node leaves the cluster, or if the guardian never answers
 *       within the join timeout. Elsewhere (never seen Up, or this node itself) the report is
 *       certain.</li>
 *   <li><b>Fencing names the incarnation that failed</b>, from the failure event itself: a member
 *       restarted at the same address must never be fenced for its predecessor.</li>
 *   <li><b>A removal departs what only the cluster could settle</b>: members at that address never
 *       seen Up here, or under verification, unless a newer incarnation was already seen there.</li>
 *   <li><b>A downed incarnation departs at once</b> (not at its removal, a leader-actions interval
 *       later) unless the cluster already shows another incarnation at its address.</li>
 *   <li><b>The lowest member coordinates</b> (by node, then incarnation), so every member of one
 *       view picks the same one.</li>
 * </ol>
 *
 * @param <M> a member incarnation
 * @param <A> a cluster node address
 */
public final class MembershipView<M, A> {

  /** What to do about watching a member just learned or named in a view (rule 2). */
  public enum Watch {
    /** Watch it now (watching twice is one watch). */
    NOW,
    /** Its address has not been seen Up: watch it when it is ({@link Event#watch}). */
    WHEN_UP,
    /** Nothing to do: already waiting for its address, or not a member to learn. */
    NONE
  }

  /** What a reported termination means (rule 3). */
  public enum Termination {
    /** Certain: the member departed. */
    DEPART,
    /** Possibly false: ask its node's guardian (first question). */
    VERIFY_FIRST,
    /** Possibly false and already being asked about: ask again, the first question's time stays. */
    VERIFY_AGAIN
  }

  /** A cluster event about the node at an address, as the shell adapts it. */
  public enum Change { UNREACHABLE, REACHABLE, DOWNED, UP, REMOVED, OTHER_STATUS }

  /** Incarnation {@code incarnation} of {@code node} (cluster address {@code address}) was seen unreachable or downed. */
  public record Failure(String node, String address, long incarnation) {}

  /**
   * What a cluster event asks of the shell: members to watch now, members that departed (the view
   * may have changed), whether a member of the view became unreachable (stop) or reachable again
   * (a barrier for the same view can complete: repeat the StopAck).
   */
  public record Event<M>(List<M> watch, List<M> departed, boolean unreachableInView, boolean reachableInView) {}

  /** One round of verification ticks: members given up on (no answer within the timeout) and members to ask again. */
  public record VerifyRound<M>(List<M> departed, List<M> askAgain) {}

  /** A guardian's answer: members it still runs (watch again) and members it no longer runs (departed). */
  public record Settled<M>(List<M> alive, List<M> departed) {}

  private final M self;
  private final A selfAddress;
  private final Function<M, A> addressOf;
  private final Predicate<A> remote;
  private final Function<A, String> nodeOf;
  private final Comparator<M> order;
  private final boolean verifyTerminations;

  private Set<M> listed = new HashSet<>();
  private final Set<M> learned = new HashSet<>();
  private final Set<M> departed = new HashSet<>();
  private final Set<A> upAddresses = new HashSet<>();
  private final Set<M> unwatched = new HashSet<>();
  /** Members under verification, with when the first question was asked (the caller's monotonic nanos). */
  private final Map<M, Long> verifying = new HashMap<>();
  /** The incarnation of the latest event seen at each address, removals aside. */
  private final Map<A, Long> incarnationAt = new HashMap<>();
  /** Failed addresses with the incarnation that failed (rule 4); cleared when reachable again or settled by a run. */
  private final Map<A, Long> failed = new HashMap<>();
  private Set<M> view;
  private Set<M> ranWith = Set.of();
  private long ranGeneration;

  /**
   * @param addressOf the cluster address of a member
   * @param remote    whether an address is another node's (a local member's termination is certain)
   * @param nodeOf    the node name of an address (what fencing and recovery name)
   * @param order     member order: by node, then incarnation (rule 7)
   */
  public MembershipView(M self, A selfAddress, Function<M, A> addressOf, Predicate<A> remote,
      Function<A, String> nodeOf, Comparator<M> order) {
    this(self, selfAddress, addressOf, remote, nodeOf, order, true);
  }

  private MembershipView(M self, A selfAddress, Function<M, A> addressOf, Predicate<A> remote,
      Function<A, String> nodeOf, Comparator<M> order, boolean verifyTerminations) {
    this.self = self;
    this.selfAddress = selfAddress;
    this.addressOf = addressOf;
    this.remote = remote;
    this.nodeOf = nodeOf;
    this.order = order;
    this.verifyTerminations = verifyTerminations;
    this.view = Set.of(self);
  }

  /**
   * The behaviour before issue 4's fix: every reported termination is believed (rule 3 off). Only
   * the lockspace simulation uses it, to show that it finds the bug the rule fixed.
   */
  public static <M, A> MembershipView<M, A> believingEveryTermination(M self, A selfAddress,
      Function<M, A> addressOf, Predicate<A> remote, Function<A, String> nodeOf, Comparator<M> order) {
    return new MembershipView<>(self, selfAddress, addressOf, remote, nodeOf, order, false);
  }

  // ---- the view ----------------------------------------------------------------------------------

  /** The view this member stopped or runs for. */
  public Set<M> view() {
    return view;
  }

  /** Adopts {@code next} as the view (the shell stops for it). */
  public void adopt(Set<M> next) {
    if (!next.contains(self)) {
      throw new IllegalArgumentException("a view must hold this member " + self + ": " + next);
    }
    view = Set.copyOf(next);
  }

  /** The view from what this member knows: listed and learned members, without the departed (rule 1), with itself. */
  public Set<M> proposed() {
    Set<M> next = new HashSet<>(listed);
    next.addAll(learned);
    next.removeAll(departed);
    next.add(self);
    return next;
  }

  /** The coordinator of the view: its lowest member (rule 7). */
  public M coordinator() {
    return view.stream().min(order).orElseThrow();
  }

  /** The view's members in member order: the same list on every member. */
  public List<M> sorted(Set<M> members) {
    return members.stream().sorted(order).toList();
  }

  /** Whether an operation from {@code owner} comes from outside the view (semantics §6.2: departed traffic is purged). */
  public boolean outsideView(M owner) {
    return !owner.equals(self) && !view.contains(owner);
  }

  /** Whether a member of the view other than this one lives at {@code address}. */
  public boolean viewHasAddress(A address) {
    for (M member : view) {
      if (!member.equals(self) && addressOf.apply(member).equals(address)) {
        return true;
      }
    }
    return false;
  }

  /** The member incarnations of the last view this member ran with. */
  public Set<M> ranWith() {
    return ranWith;
  }

  /** The generation this member last ran (0 before its first run). */
  public long ranGeneration() {
    return ranGeneration;
  }

  /**
   * The view runs at {@code generation}: remember it as the last one run with, and settle the failures of the nodes the
   * run saw depart (a restarted incarnation at the same address starts with a clean record).
   */
  public void running(long generation, Set<String> departedNodes) {
    failed.keySet().removeIf(a -> departedNodes.contains(nodeOf.apply(a)));
    ranWith = Set.copyOf(view);
    ranGeneration = generation;
  }

  // ---- learning members --------------------------------------------------------------------------

  /** The registry lists {@code members} now (it may still list some that departed). */
  public void listed(Set<M> members) {
    listed = new HashSet<>(members);
    learned.removeAll(listed);
  }

  /** Another member named {@code member} (in a Hello, StopAck, run or probe answer). */
  public Watch learn(M member) {
    if (!departed.contains(member) && !listed.contains(member) && learned.add(member)) {
      return watch(member);
    }
    return Watch.NONE;
  }

  /** Whether (and when) to watch {@code member} (rule 2). */
  public Watch watch(M member) {
    A address = addressOf.apply(member);
    if (!remote.test(address) || address.equals(selfAddress) || upAddresses.contains(address)) {
      return Watch.NOW;
    }
    return unwatched.add(member) ? Watch.WHEN_UP : Watch.NONE;
  }

  // ---- terminations (rule 3) ---------------------------------------------------------------------

  /** The death watch reported {@code member} terminated at {@code nowNanos}. */
  public Termination terminated(M member, long nowNanos) {
    // Already departed (downed, say, before the watcher reported it): nothing to verify (rule 1).
    // Found by the lockspace simulation: the question went to a dead node and the member "departed"
    // again a join timeout later, with a warning.
    if (verifyTerminations && !departed.contains(member) && seenUp(addressOf.apply(member))) {
      return verifying.putIfAbsent(member, nowNanos) == null ? Termination.VERIFY_FIRST : Termination.VERIFY_AGAIN;
    }
    depart(member);
    return Termination.DEPART;
  }

  /** Whether any reported termination is still being verified (the shell keeps its tick running). */
  public boolean verifying() {
    return !verifying.isEmpty();
  }

  /** The verification tick: give up on members unanswered for longer than {@code timeoutNanos}, ask again about the rest. */
  public VerifyRound<M> verifyTick(long nowNanos, long timeoutNanos) {
    List<M> gone = new ArrayList<>();
    List<M> again = new ArrayList<>();
    for (Map.Entry<M, Long> e : List.copyOf(verifying.entrySet())) {
      if (nowNanos - e.getValue() > timeoutNanos) {
        depart(e.getKey());
        gone.add(e.getKey());
      } else {
        again.add(e.getKey());
      }
    }
    return new VerifyRound<>(gone, again);
  }

  /** The guardian at {@code address} runs {@code running} (none, or one member): settle the members verified there. */
  public Settled<M> guardianAnswered(A address, List<M> running) {
    List<M> alive = new ArrayList<>();
    List<M> gone = new ArrayList<>();
    for (M member : List.copyOf(verifying.keySet())) {
      if (!addressOf.apply(member).equals(address)) {
        continue;
      }
      verifying.remove(member);
      if (running.contains(member)) {
        alive.add(member); // if the watcher still lags, it reports it again and it is asked again
      } else {
        depart(member);
        gone.add(member);
      }
    }
    return new Settled<>(alive, gone);
  }

  private boolean seenUp(A address) {
    return !address.equals(selfAddress) && remote.test(address) && upAddresses.contains(address);
  }

  private void depart(M member) {
    departed.add(member);
    unwatched.remove(member);
    verifying.remove(member);
    learned.remove(member);
    listed.remove(member);
  }

  /** Members that departed for good (for the log). */
  public Set<M> departed() {
    return departed;
  }

  // ---- cluster events ------------------------------------------------------------------------------

  /**
   * A cluster event about incarnation {@code incarnation} at {@code address}.
   * {@code otherIncarnationThere}: the cluster's membership already shows another incarnation at
   * that address (only read for {@link Change#DOWNED}, rule 6).
   */
  public Event<M> event(A address, long incarnation, Change change, boolean otherIncarnationThere) {
    if (change != Change.REMOVED) {
      incarnationAt.put(address, incarnation);
    }
    switch (change) {
      case UNREACHABLE, DOWNED -> {
        failed.put(address, incarnation); // rule 4
        if (change == Change.DOWNED) {
          List<M> gone = departDowned(address, otherIncarnationThere);
          if (!gone.isEmpty()) {
            return new Event<>(List.of(), gone, false, false);
          }
          return new Event<>(List.of(), List.of(), false, false);
        }
        return new Event<>(List.of(), List.of(), viewHasAddress(address), false);
      }
      case REACHABLE -> {
        failed.remove(address);
        return new Event<>(List.of(), List.of(), false, viewHasAddress(address));
      }
      case UP -> {
        upAddresses.add(address);
        List<M> now = new ArrayList<>();
        for (M member : List.copyOf(unwatched)) {
          if (addressOf.apply(member).equals(address)) {
            unwatched.remove(member);
            now.add(member);
          }
        }
        return new Event<>(now, List.of(), false, false);
      }
      case REMOVED -> {
        upAddresses.remove(address); // as the cluster's watcher does, whichever incarnation left
        Long latest = incarnationAt.get(address);
        List<M> gone = new ArrayList<>();
        if (latest == null || latest == incarnation) {
          incarnationAt.remove(address);
          Set<M> pending = new HashSet<>(unwatched);
          pending.addAll(verifying.keySet());
          for (M member : pending) {
            if (addressOf.apply(member).equals(address)) {
              depart(member);
              gone.add(member);
            }
          }
        }
        return new Event<>(List.of(), gone, false, false);
      }
      case OTHER_STATUS -> {
        return new Event<>(List.of(), List.of(), false, false);
      }
      default -> throw new IllegalStateException("unknown member change " + change);
    }
  }

  private List<M> departDowned(A address, boolean otherIncarnationThere) {
    if (address.equals(selfAddress) || otherIncarnationThere) {
      return List.of();
    }
    List<M> gone = new ArrayList<>();
    for (M member : List.copyOf(view)) {
      if (!member.equals(self) && addressOf.apply(member).equals(address)) {
        depart(member);
        gone.add(member);
      }
    }
    return gone;
  }

  /** What this member saw fail, by node: the incarnation that failed (rule 4). */
  public Map<String, Failure> failures() {
    Map<String, Failure> out = new TreeMap<>();
    for (Map.Entry<A, Long> e : failed.entrySet()) {
      String node = nodeOf.apply(e.getKey());
      out.put(node, new Failure(node, e.getKey().toString(), e.getValue()));
    }
    return out;
  }

  /**
   * Rule 1 and the view's shape: a departed member is not learned, awaited or verified (the registry
   * may still list it for a while; {@link #proposed} leaves it out), this member never departs, and
   * it is in its view. Cheap: the simulation calls it after every event.
   */
  public void checkInvariants() {
    for (M gone : departed) {
      if (learned.contains(gone) || unwatched.contains(gone) || verifying.containsKey(gone)) {
        throw new IllegalStateException("departed member " + gone + " is still known: learned " + learned
            + ", unwatched " + unwatched + ", verifying " + verifying.keySet());
      }
    }
    if (departed.contains(self)) {
      throw new IllegalStateException("this member " + self + " departed from its own view");
    }
    if (!view.contains(self)) {
      throw new IllegalStateException("view " + view + " lacks this member " + self);
    }
  }
}
