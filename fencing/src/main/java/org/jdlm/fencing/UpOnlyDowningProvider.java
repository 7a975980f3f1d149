package org.jdlm.fencing;

import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.DowningProvider;
import org.apache.pekko.cluster.sbr.SplitBrainResolverProvider;
import scala.Option;
import scala.concurrent.duration.FiniteDuration;

/**
 * Pekko's Split Brain Resolver, started only once this member is Up (issue 14, item 2):
 * {@code pekko.cluster.downing-provider-class = "org.jdlm.fencing.UpOnlyDowningProvider"}.
 *
 * <p>Why: the SBR acts on the member that is leader in its own view. A member that got its
 * {@code Welcome} from a member that died before gossiping it is Joining, known to nobody, and sees
 * itself as the lowest reachable member, hence leader. In the lab its SBR then took
 * {@code DownAll} ("including myself") on members that had never heard of it. A member that is not
 * Up must not down anyone: until it is Up this provider runs nothing, and from then on exactly the
 * SBR, with the settings of {@code pekko.cluster.split-brain-resolver}. Downing by a member that is
 * not Up is never needed: the Up members run their own SBR.
 */
public final class UpOnlyDowningProvider extends DowningProvider {

  private final SplitBrainResolverProvider sbr;

  /** Called by Pekko with the member's system (reflection, like every downing provider). */
  public UpOnlyDowningProvider(ActorSystem system) {
    this.sbr = new SplitBrainResolverProvider(system);
  }

  @Override
  public FiniteDuration downRemovalMargin() {
    return sbr.downRemovalMargin();
  }

  @Override
  public Option<Props> downingActorProps() {
    Props inner = sbr.downingActorProps().get();
    return Option.apply(Props.create(Gate.class, () -> new Gate(inner)));
  }

  /** Starts the SBR as its child the moment this member is Up, never before. */
  static final class Gate extends AbstractActor {
    private enum Start { INSTANCE }

    private final Props sbr;

    Gate(Props sbr) {
      this.sbr = sbr;
    }

    @Override
    public void preStart() {
      ActorRef self = getSelf();
      Cluster.get(getContext().getSystem()).registerOnMemberUp(() -> self.tell(Start.INSTANCE, ActorRef.noSender()));
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .matchEquals(Start.INSTANCE, s -> {
            if (getContext().findChild("split-brain-resolver").isEmpty()) {
              getContext().actorOf(sbr, "split-brain-resolver");
            }
          })
          .build();
    }
  }
}
