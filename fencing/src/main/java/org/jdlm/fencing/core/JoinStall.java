package org.jdlm.fencing.core;

/**
 * When a member that was welcomed into the cluster but never made it past Joining should give up
 * and join again (issue 14, item 2).
 *
 * <p>Pekko's seed-node process retries a join that got no {@code Welcome}
 * ({@code retry-unsuccessful-join-after}), and gives up on it only with
 * {@code shutdown-after-unsuccessful-join-seed-nodes}. Neither helps once a {@code Welcome} came:
 * the joiner is then a member in its own eyes, its join process is over, and a member never joins
 * twice with one ActorSystem ({@code Cluster.join} is ignored "when already part of a cluster"). If
 * the welcoming member dies before gossiping the newcomer to anyone, the others never learn of it
 * ({@code Ignoring received gossip from unknown}) and it stays Joining for good.
 *
 * <p>The signal used here is the one that tells that case from a legitimate wait (a join held back
 * because some other member is unreachable and convergence waits for its removal): whether any
 * <em>other, reachable</em> member has seen this member's gossip. A member that others know gets
 * their gossip back within a gossip interval or two, and its latest gossip then lists them as
 * having seen it. One that stays Joining for {@code after} without any such member is not known to
 * the cluster, and is told to {@link Verdict#REJOIN}: start over as a new incarnation, through the
 * seed nodes again (the dead welcomer does not answer, a live seed does).
 *
 * <p>Once the member has been anything but Joining (WeaklyUp, Up, ...), the others know it and this
 * never says REJOIN again. Pure: the caller feeds it observations with its clock.
 */
public final class JoinStall {

  /** What the caller must do after an observation. */
  public enum Verdict { WAIT, REJOIN }

  private final long afterMillis;
  /** Since when this member is Joining without any reachable other member having seen its gossip; -1: not stalled. */
  private long stalledSince = -1;
  private boolean joined;

  /** @param afterMillis how long a join may stay unseen before the member starts over (at least 1 ms) */
  public JoinStall(long afterMillis) {
    if (afterMillis < 1) {
      throw new IllegalArgumentException("the join stall bound must be at least 1 ms, not " + afterMillis);
    }
    this.afterMillis = afterMillis;
  }

  /**
   * One look at the membership.
   *
   * @param joining whether this member's own status is Joining (false before it was welcomed too:
   *     Pekko's own join retries cover that)
   * @param wasMember whether its status is past Joining (WeaklyUp, Up, Leaving, ...): the others know it
   * @param seenByAnother whether a reachable member other than itself has seen its latest gossip
   */
  public Verdict observe(long nowMillis, boolean joining, boolean wasMember, boolean seenByAnother) {
    if (wasMember) {
      joined = true;
    }
    if (joined || !joining || seenByAnother) {
      stalledSince = -1;
      return Verdict.WAIT;
    }
    if (stalledSince < 0) {
      stalledSince = nowMillis;
    }
    return nowMillis - stalledSince >= afterMillis ? Verdict.REJOIN : Verdict.WAIT;
  }

  /** How long the current stall has lasted at {@code nowMillis} (0 when not stalled), for the log. */
  public long stalledFor(long nowMillis) {
    return stalledSince < 0 ? 0 : nowMillis - stalledSince;
  }
}
