package org.jdlm.fencing;

import java.util.concurrent.CompletionStage;
import org.jdlm.fencing.core.FenceOperation;

/**
 * One way of making sure a failed member can no longer act: cut its power, cut it off the
 * storage, or wait until it must have killed itself. The coordinator runs agents through this
 * interface only, so a test can plug in a scripted agent without real processes (style rule 12).
 *
 * <p>An agent never throws to say "did not work": it completes with {@link Failed} naming the
 * reason. A stage that completes exceptionally or not within {@code jdlm.fencing.agent-timeout} is
 * treated as a failure too.
 */
public interface FenceAgent {

  /** The name used in {@code jdlm.fencing.agents} and in the authority's record. */
  String name();

  /** Fences {@code target}; completes when the agent is sure (or sure it failed). */
  CompletionStage<Result> fence(FenceOperation.Target target);

  /** What an agent run came to. */
  sealed interface Result {}

  /** The target is fenced; {@code detail} says how (for the log and status). */
  record Done(String agent, String detail) implements Result {}

  /** The agent could not fence the target; {@code reason} names the values that decided it. */
  record Failed(String agent, String reason) implements Result {}
}
