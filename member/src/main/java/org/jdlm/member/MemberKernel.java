package org.jdlm.member;

import com.typesafe.config.Config;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.jdlm.dlm.Dlm;
import org.jdlm.kernel.Kernel;

/**
 * The member's simulated kernel (docs/kernel.md), when {@code jdlm.member.kernel.enabled} is on: the
 * lab turns it on for its members ({@code dlm node --lab}); a production member runs none unless
 * configured. One per member, on the system clock with the hung-task watchdog, named as the member
 * ({@code n1}) so its tasks are {@code n1/task:...} in the wait-for graph. Started before anything
 * can join a lockspace, so the DLM's send buffers come from its memory; closed when the member's
 * ActorSystem terminates. The member assembly hands it on to whatever runs kernel tasks
 * (recovery, filesystem) and to the lab's read-only {@code /kernel/*} paths ({@link KernelEndpoints}).
 */
public final class MemberKernel {
  private final Kernel kernel;

  private MemberKernel(Kernel kernel) {
    this.kernel = kernel;
  }

  /**
   * Starts the kernel if {@code config} enables it, makes it the DLM's send-buffer source and
   * closes it with {@code system}; empty when disabled. Call before any lockspace is joined.
   *
   * @throws IllegalArgumentException for a bad {@code jdlm.kernel} setting, naming it
   */
  public static Optional<MemberKernel> startIfEnabled(ActorSystem<?> system, String member, Config config) {
    if (!config.getBoolean("jdlm.member.kernel.enabled")) {
      return Optional.empty();
    }
    Kernel kernel = Kernel.start(member, Kernel.Settings.from(config), Kernel.systemClock(), true);
    MemberKernel k = new MemberKernel(kernel);
    try {
      Dlm.get(system).useKernel(kernel);
      system.getWhenTerminated().whenComplete((done, failure) -> kernel.close());
    } catch (RuntimeException e) {
      kernel.close();
      throw e;
    }
    return Optional.of(k);
  }

  public Kernel kernel() {
    return kernel;
  }
}
