package org.jdlm.fencing;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.jdlm.fencing.core.FenceOperation;
import org.jdlm.fencing.core.SharedDiskState;

/**
 * The {@code storage} agent ({@code fence_scsi}, fs-cycles §4.2): asks the {@link SharedDisk} to
 * preempt the victim incarnation's registration key and waits for the acknowledgement. After it
 * the victim may still run, but every write it sends to the disk is rejected — which is all that
 * matters for the data. The preemptor is this node, which must itself be registered on the LUN.
 */
public final class StorageAgent implements FenceAgent {
  private final String name;
  private final ActorRef<SharedDisk.Command> disk;
  private final String selfNode;
  private final Duration ackTimeout;
  private final Scheduler scheduler;

  public StorageAgent(String name, ActorRef<SharedDisk.Command> disk, String selfNode, Duration ackTimeout,
                      Scheduler scheduler) {
    this.name = name;
    this.disk = disk;
    this.selfNode = selfNode;
    this.ackTimeout = ackTimeout;
    this.scheduler = scheduler;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CompletionStage<Result> fence(FenceOperation.Target target) {
    CompletionStage<SharedDiskState.Preemption> ack = AskPattern.ask(disk,
        replyTo -> new SharedDisk.Preempt(target.node(), target.incarnation(), selfNode, replyTo), ackTimeout, scheduler);
    return ack.handle((reply, error) -> {
      if (error != null) {
        return new Failed(name, "shared disk did not acknowledge the preempt of " + target + " within " + ackTimeout);
      }
      if (reply instanceof SharedDiskState.Preempted p) {
        return new Done(name, "key of " + target + p.revokedKey().map(k -> " (0x" + Long.toHexString(k) + ")")
            .orElse(" (never registered)") + " preempted by " + selfNode);
      }
      SharedDiskState.PreemptionRefused refused = (SharedDiskState.PreemptionRefused) reply;
      return new Failed(name, refused.reason());
    });
  }
}
