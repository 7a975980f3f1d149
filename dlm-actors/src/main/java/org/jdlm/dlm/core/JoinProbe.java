package org.jdlm.dlm.core;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A joining member's probe of the cluster (semantics §6.1): before its first barrier it asks the
 * DLM guardian of every other Up node whether that node runs the lockspace. Decisions only; the
 * {@code Lockspace} actor sends the probes, watches the guardians and runs the timer, and the
 * lockspace simulation drives the same rules. {@code A} is a node address.
 *
 * <p>Why probe at all: the receptionist is eventually consistent, so two nodes joining at once
 * could each run alone for a moment and both master the same name. With the probe, of two
 * concurrent joiners at least one sees the other before its first barrier (a guardian records a
 * member before it answers later probes), so no member runs with a partial view of members it
 * could have known.
 *
 * <h2>Rules</h2>
 * <ol>
 *   <li><b>Ask every other Up node</b>; with none the probe is over before it starts.</li>
 *   <li><b>An answer settles its node</b>, and so does the guardian's death watch: a node that
 *       never started the DLM has no guardian, and its watch answers "no member there" instead of
 *       leaving the join waiting for good.</li>
 *   <li><b>Ask again on every tick, but only nodes still Up</b>: a node that left the cluster (or is
 *       no longer Up) will never answer.</li>
 *   <li><b>The member withholds its StopAck while it probes</b> ({@link #probing()}; see
 *       {@link MemberRecovery} rule 5): it sends it once the last node is settled.</li>
 * </ol>
 */
public final class JoinProbe<A extends Comparable<A>> {

  /** What a reprobe tick leads to (rule 3). */
  public enum Tick {
    /** The probe was already over: nothing to do. */
    NOT_PROBING,
    /** Every node left to ask is no longer Up: the probe is over now. */
    FINISHED,
    /** Ask {@link #outstanding()} again and start the timer again. */
    ASK_AGAIN
  }

  /** The nodes not settled yet; {@code null} once the probe is over. */
  private Set<A> outstanding;

  private JoinProbe(Set<A> outstanding) {
    this.outstanding = outstanding.isEmpty() ? null : outstanding;
  }

  /** Rule 1: probe {@code up} (the Up nodes of the cluster) except {@code self}. */
  public static <A extends Comparable<A>> JoinProbe<A> start(Collection<A> up, A self) {
    Set<A> others = new TreeSet<>(up);
    others.remove(self);
    return new JoinProbe<>(others);
  }

  /** Whether the probe is still under way (rule 4: the StopAck is withheld meanwhile). */
  public boolean probing() {
    return outstanding != null;
  }

  /** The nodes to ask (sorted), none once the probe is over. */
  public List<A> outstanding() {
    return outstanding == null ? List.of() : List.copyOf(outstanding);
  }

  /**
   * Rule 2: {@code address} answered, or its guardian's watch reported it gone. Returns whether
   * this settled the last node, so that the probe is over now (the caller then takes in the view
   * and sends its StopAck); false for a node that was not being asked or while others remain.
   */
  public boolean settled(A address) {
    if (outstanding == null || !outstanding.remove(address)) {
      return false;
    }
    if (outstanding.isEmpty()) {
      outstanding = null;
      return true;
    }
    return false;
  }

  /** Rule 3: the reprobe timer fired; {@code up} are the addresses the cluster shows Up now. */
  public Tick tick(Set<A> up) {
    if (outstanding == null) {
      return Tick.NOT_PROBING;
    }
    outstanding.retainAll(up);
    if (outstanding.isEmpty()) {
      outstanding = null;
      return Tick.FINISHED;
    }
    return Tick.ASK_AGAIN;
  }

  /** The probe is over exactly when nothing is left to ask. */
  public void checkInvariants() {
    if (outstanding != null && outstanding.isEmpty()) {
      throw new IllegalStateException("a probe with nothing left to ask must be over");
    }
  }

  @Override
  public String toString() {
    return outstanding == null ? "probe over" : "probing " + outstanding;
  }
}
