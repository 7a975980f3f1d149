package org.jdlm.kernel.core.waits;

import java.util.List;
import java.util.Objects;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.Join;

/**
 * The graph shape of plain DLM locks held and requested by application tasks (issue 11 ★), which
 * the DLM layer feeds. A waiting request of task T on member M for mode X on resource R becomes
 * <pre>
 *   M/task:T --waits-dlm-grant(X R)--> N/lkb:ID[R gr=Y]  (AND over every incompatible granted lkb)
 *   N/lkb:ID --held-by--> N/task:U                       (the granted lock's owner)
 * </pre>
 * so a cycle over two resources on two members is an ordinary AND knot of the merged graph, and
 * the {@link DlmRequest} is recorded for the victim choice. The waiting lkb itself is not a vertex:
 * a task has one wait, and the request is what a victim choice denies.
 *
 * <p>This is the shape as one observer who sees both ends would feed it (fixtures, tests). The live
 * DLM cannot: the requesting task is known on the owner member, the blockers on the master, so
 * {@code org.jdlm.dlm.core.DlmWaits} splits the first edge through a request vertex
 * {@code M/rq:ID} that each side names alike (docs/detector.md §4.1.1); the knot is the same with
 * two more vertices per request.
 */
public final class DlmFacts {

  /** A granted lkb blocking a request: where it lives, its id, granted mode, and owner task. */
  public record Granted(String member, String lkbId, String mode, Vertex owner) {
    public Granted {
      Objects.requireNonNull(member, "member");
      Objects.requireNonNull(lkbId, "lkbId");
      Objects.requireNonNull(mode, "mode");
      Objects.requireNonNull(owner, "owner");
    }
  }

  private DlmFacts() {}

  /** Feeds one waiting request and the granted locks it is incompatible with. */
  public static void request(FactSink sink, DlmRequest r, List<Granted> blockers) {
    if (blockers.isEmpty()) {
      throw new IllegalArgumentException("request " + r.describe() + " waits on no granted lock: it would be granted");
    }
    sink.dlmRequest(r);
    sink.waitingSince(r.task(), r.queuedAtNanos());
    sink.join(r.task(), Join.AND);
    for (Granted g : blockers) {
      Vertex lkb = Vertex.lkb(g.member(), g.lkbId());
      sink.state(lkb, r.resource() + " gr=" + g.mode());
      sink.edge(new Edge(r.task(), lkb, EdgeKind.WAITS_DLM_GRANT, r.mode() + " " + r.resource(), ""));
      sink.heldBy(lkb, List.of(g.owner()));
    }
  }
}
