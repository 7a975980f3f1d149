package org.jdlm.recovery;

import java.util.Objects;
import java.util.concurrent.CompletionStage;
import org.jdlm.dlm.api.FencingPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The order of fs-cycles §4.1 on the member that fences: a lockspace recovery asks this port to
 * fence a failed member (steps 5–7); once the fence is confirmed, the lockspace goes on with its
 * phases (step 8) and, beside it, the filesystem's {@link JournalRecovery} starts (steps 9–11). The
 * journal recovery is started, never awaited here: its journal glock is granted only after the
 * lockspace resumes, so chaining the lockspace's recovery behind it would deadlock. What it needs
 * of the order — fenced first, lockspace recovered before the replay, locks unblocked last — holds
 * by construction: it is started only after the fence, and it waits for the lockspace to run.
 */
public final class RecoveryOrder implements FencingPort {
  private static final Logger LOG = LoggerFactory.getLogger(RecoveryOrder.class);

  private final FencingPort fencing;
  private final JournalRecovery journals;

  public RecoveryOrder(FencingPort fencing, JournalRecovery journals) {
    this.fencing = Objects.requireNonNull(fencing, "fencing");
    this.journals = Objects.requireNonNull(journals, "journals");
  }

  @Override
  public CompletionStage<Long> fence(String node, String address, long incarnation) {
    CompletionStage<Long> fenced = fencing.fence(node, address, incarnation);
    fenced.thenAccept(generation -> {
      LOG.info("{} (incarnation {}) fenced at generation {}; journal recovery starts once its lockspaces resume",
          node, incarnation, generation);
      journals.recover(node, incarnation, generation).whenComplete((v, e) -> {
        if (e != null) {
          LOG.error("journal recovery for {} failed; its filesystems keep locks blocked: {}", node, e.toString());
        } else {
          LOG.info("journal recovery for {} done; locks unblocked", node);
        }
      });
    });
    return fenced;
  }

  @Override
  public CompletionStage<Long> advanceGeneration(long atLeast, String reason) {
    return fencing.advanceGeneration(atLeast, reason);
  }

  @Override
  public String toString() {
    return fencing + ", then journal recovery";
  }
}
