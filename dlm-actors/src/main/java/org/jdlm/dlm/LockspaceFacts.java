package org.jdlm.dlm;

import java.util.Collection;
import java.util.List;
import java.util.function.UnaryOperator;
import org.jdlm.dlm.api.LockspaceHandle;
import org.jdlm.dlm.api.RecoveryState;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.Join;
import org.jdlm.kernel.core.waits.FactSink;
import org.jdlm.kernel.core.waits.Vertex;

/**
 * The DLM's part of a member's wait-for graph (docs/detector.md §4, "DLM lockspace"): a stopped
 * lockspace is {@code dlm/ls:NAME[STOPPED gen G]}, and on the member coordinating its recovery it
 * {@code --waits-fencing(nX)-->} {@code <member>/fence:nX} for every fence the run waits for. The
 * tasks blocked at a DLM entry point ({@code waits-dlm-running}) come from the kernel registry.
 *
 * <p>Reads only what each lockspace already published ({@link LockspaceHandle#recoveryState()}, a
 * volatile record): it never blocks and never asks an actor, so it answers while the lockspace is
 * stopped and every task is stuck.
 */
public final class LockspaceFacts {
  private LockspaceFacts() {}

  /**
   * Feeds {@code lockspaces} as seen from {@code member} (the fence actor when it coordinates);
   * {@code memberName} turns a DLM node id ({@code host:port}) into the detector's member name.
   */
  public static void feed(String member, Collection<? extends LockspaceHandle> lockspaces,
                          UnaryOperator<String> memberName, FactSink sink) {
    for (LockspaceHandle ls : lockspaces) {
      RecoveryState s = ls.recoveryState();
      if (s.running()) {
        continue; // a running lockspace holds nobody up: no vertex needed
      }
      Vertex v = Vertex.lockspace(ls.name());
      sink.state(v, "STOPPED gen " + s.generation());
      for (String node : s.awaitingFence()) {
        String target = memberName.apply(node);
        sink.waits(v, EdgeKind.WAITS_FENCING, target, Join.AND, List.of(Vertex.fence(member, target)));
      }
    }
  }
}
