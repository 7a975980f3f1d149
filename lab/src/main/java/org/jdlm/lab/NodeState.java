package org.jdlm.lab;

import java.util.Optional;
import org.jdlm.member.MembershipView;

/**
 * The one word {@code dlm cluster status} prints first for a member, combining what the OS says
 * about its process with what a live member sees in the membership. The decision table:
 *
 * <pre>
 *   process   observer  in observer's view              state
 *   -------   --------  ------------------------------  -----------
 *   DEAD      any       any                             Dead
 *   PAUSED    any       any                             Paused
 *   RUNNING   none      -                               Unknown      (no live member answered)
 *   RUNNING   yes       member, unreachable             Unreachable
 *   RUNNING   yes       member, reachable, status S     S            (Joining, WeaklyUp, Up, Leaving, Exiting, Down, ...)
 *   RUNNING   yes       not a member, was removed       Removed
 *   RUNNING   yes       not a member, never seen        NotMember    (still joining)
 * </pre>
 *
 * The process state wins because it is certain, while the membership view may lag a few seconds.
 * The observer's view of a dead or paused member is still printed beside it (the MEMBERSHIP column).
 */
public enum NodeState {
  UP("Up"), JOINING("Joining"), WEAKLY_UP("WeaklyUp"), LEAVING("Leaving"), EXITING("Exiting"), DOWN("Down"),
  PREPARING_FOR_SHUTDOWN("PreparingForShutdown"), READY_FOR_SHUTDOWN("ReadyForShutdown"),
  REMOVED("Removed"), UNREACHABLE("Unreachable"), NOT_MEMBER("NotMember"), UNKNOWN("Unknown"),
  PAUSED("Paused"), DEAD("Dead");

  private final String label;

  NodeState(String label) {
    this.label = label;
  }

  /** The word printed in tables. */
  public String label() {
    return label;
  }

  /** Applies the table above; {@code observed} is empty when no live member answered. */
  public static NodeState derive(ProcessState process, String name, Optional<MembershipView> observed) {
    if (process == ProcessState.DEAD) {
      return DEAD;
    }
    if (process == ProcessState.PAUSED) {
      return PAUSED;
    }
    if (observed.isEmpty()) {
      return UNKNOWN;
    }
    MembershipView view = observed.get();
    Optional<MembershipView.Member> member = view.member(name);
    if (member.isPresent()) {
      return member.get().reachable() ? fromPekkoStatus(member.get().status()) : UNREACHABLE;
    }
    return view.lastRemoved(name).isPresent() ? REMOVED : NOT_MEMBER;
  }

  /** Maps Pekko's {@code MemberStatus} name to a state; an unknown name is a bug in this table. */
  static NodeState fromPekkoStatus(String status) {
    return switch (status) {
      case "Joining" -> JOINING;
      case "WeaklyUp" -> WEAKLY_UP;
      case "Up" -> UP;
      case "Leaving" -> LEAVING;
      case "Exiting" -> EXITING;
      case "Down" -> DOWN;
      case "Removed" -> REMOVED;
      case "PreparingForShutdown" -> PREPARING_FOR_SHUTDOWN;
      case "ReadyForShutdown" -> READY_FOR_SHUTDOWN;
      default -> throw new IllegalArgumentException("unknown Pekko member status '" + status + "'");
    };
  }
}
