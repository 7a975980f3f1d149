package org.jdlm.dlm.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * How the DLM reaches fencing without depending on it (the {@code fencing} module depends on
 * nothing of the DLM, and the DLM on nothing of fencing; the node assembly connects them through
 * {@link org.jdlm.dlm.Dlm#useFencing}). Two duties, both on the recovery path of every lockspace:
 *
 * <ul>
 *   <li>{@link #fence}: recovery does not start until every failed member is fenced (semantics §6.1).
 *       The stage completes when the member can no longer act (power cut, storage revoked, or the
 *       watchdog's timeout passed) and may take as long as fencing takes: recovery waits, the
 *       lockspace stays stopped. That is the faithful behaviour, and what makes "recovery waits for
 *       fencing" visible.</li>
 *   <li>{@link #advanceGeneration}: every recovery runs under a new generation from a persistent
 *       authority, so fencing tokens built from it outrank every token issued before, even after a
 *       restart of every member (style rule 9; docs/fencing-tokens.md).</li>
 * </ul>
 *
 * <p>{@link #MEMBERSHIP} is the default: it treats the Split Brain Resolver's downing plus the
 * member's removal from the cluster as the fence (semantics §12) and keeps generations in memory only.
 */
public interface FencingPort {

  /**
   * Fences incarnation {@code incarnation} of member {@code node} (cluster address {@code address}).
   * Completes with the authority's generation after the fence, or never if it cannot be fenced.
   */
  CompletionStage<Long> fence(String node, String address, long incarnation);

  /** A new generation, strictly above {@code atLeast} and above any returned before; {@code reason} for the log. */
  CompletionStage<Long> advanceGeneration(long atLeast, String reason);

  /** Removal from the cluster counts as fenced; generations are {@code atLeast} (in memory only). */
  FencingPort MEMBERSHIP = new FencingPort() {
    @Override
    public CompletionStage<Long> fence(String node, String address, long incarnation) {
      return CompletableFuture.completedFuture(0L);
    }

    @Override
    public CompletionStage<Long> advanceGeneration(long atLeast, String reason) {
      return CompletableFuture.completedFuture(atLeast);
    }

    @Override
    public String toString() {
      return "membership (removal from the cluster is the fence)";
    }
  };
}
