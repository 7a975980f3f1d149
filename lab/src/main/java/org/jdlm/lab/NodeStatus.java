package org.jdlm.lab;

import java.util.Optional;
import java.util.OptionalLong;
import org.jdlm.member.MembershipView;

/**
 * One line of {@code dlm cluster status}: a member's derived {@link NodeState}, its process and
 * what the observing member sees of it.
 *
 * @param observer the member whose view was used, empty if no live member answered
 * @param seen that view's entry for this member: a current member, else its last removal, else empty
 * @param incarnation the uid of the member's current incarnation, if its process answered itself
 */
public record NodeStatus(
    NodeSpec node,
    NodeState state,
    ProcessState process,
    OptionalLong pid,
    Optional<String> observer,
    Optional<MembershipView.Member> seen,
    Optional<MembershipView.Removed> seenRemoved,
    OptionalLong incarnation) {

  /** The MEMBERSHIP column: e.g. "Up reachable", "Up unreachable", "Removed (was Down)", "-". */
  public String membershipText() {
    if (seen.isPresent()) {
      return seen.get().status() + " " + (seen.get().reachable() ? "reachable" : "unreachable")
          + " uid=" + seen.get().uid();
    }
    if (seenRemoved.isPresent()) {
      return "Removed (was " + seenRemoved.get().previous() + ") uid=" + seenRemoved.get().uid();
    }
    return observer.isPresent() ? "not a member" : "-";
  }
}
