package org.jdlm.kernel.core.waits;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which waiting DLM request to deny with EDEADLK to break a deadlock among application locks
 * (issue 11 ★), as OpenVMS does it (docs/semantics.md §7; docs/detector.md §6):
 * <ol>
 *   <li>Requests flagged {@code NODLCKWT} are not candidates (VMS {@code LCK$M_NODLCKWT}: "do not
 *       consider this lock as waiting in a deadlock search").</li>
 *   <li>The lowest deadlock priority is chosen (VMS {@code PCB$L_DLCKPRI}: lower is chosen; 0 by
 *       default, raised by applications that must not be victims).</li>
 *   <li>Among equal priorities, the request queued last: the one that closed the cycle. Before it
 *       was queued there was no deadlock, it has waited least, and denying it undoes the least work.
 *       This is also Linux's rule for the one deadlock it detects (a conversion deadlock goes to the
 *       later converter). VMS's own tie-break is the request whose DEADLOCK_WAIT expiry started the
 *       search; with a uniform DEADLOCK_WAIT that is the oldest waiter, which we deliberately do not
 *       follow: it would deny the request that has waited longest, and the choice must not depend
 *       on which member happened to search first.</li>
 *   <li>Remaining ties (same priority, same time): the smallest task name, then lkb id, so every
 *       member computing the choice picks the same one.</li>
 * </ol>
 * The victim's request completes with EDEADLK; for a conversion its lock keeps its granted mode
 * (the Linux/VMS behaviour on a refused conversion).
 */
public final class VictimChoice {

  /** The request to deny and why it was chosen (printed in the report). */
  public record Choice(DlmRequest victim, String reason) {}

  static final Comparator<DlmRequest> ORDER = Comparator.comparingInt(DlmRequest::priority)
      .thenComparing(Comparator.comparingLong(DlmRequest::queuedAtNanos).reversed())
      .thenComparing(r -> r.task().name())
      .thenComparing(DlmRequest::lkbId);

  private VictimChoice() {}

  /** The victim among the waiting requests of one knot; empty when every one is NODLCKWT. */
  public static Optional<Choice> choose(List<DlmRequest> requests) {
    List<DlmRequest> candidates = requests.stream().filter(r -> !r.noDeadlockWait()).sorted(ORDER).toList();
    if (candidates.isEmpty()) {
      return Optional.empty();
    }
    DlmRequest v = candidates.get(0);
    String reason;
    if (candidates.size() == 1) {
      reason = "only candidate";
    } else if (candidates.get(1).priority() != v.priority()) {
      reason = "lowest priority " + v.priority();
    } else if (candidates.get(1).queuedAtNanos() != v.queuedAtNanos()) {
      reason = "priority " + v.priority() + ", queued last: closed the cycle";
    } else {
      reason = "priority " + v.priority() + ", same time: smallest name";
    }
    return Optional.of(new Choice(v, reason));
  }
}
