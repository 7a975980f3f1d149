package org.jdlm.fencing;

import org.jdlm.common.wire.WireMessage;
import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.jdlm.fencing.core.SharedDiskState;
import org.jdlm.fencing.core.WriteToken;

/**
 * A shared LUN with SCSI-3 persistent reservations: the storage every member writes to and the
 * target of the {@code storage} fence agent. Decisions are {@link SharedDiskState}'s; this actor
 * journals the events and answers with the core's reply records (rejections are replies that name
 * the reason, never exceptions). In the lab it runs as a Cluster Singleton per LUN, standing in for
 * an array that lives outside every member.
 */
public final class SharedDisk extends EventSourcedBehavior<SharedDisk.Command, SharedDiskState.Event, SharedDiskState> {

  /** Messages the shared disk accepts. */
  public sealed interface Command extends WireMessage {}

  /**
   * From the node assembly when a member incarnation starts: register its key. Replies
   * {@link SharedDiskState.Registered} or {@link SharedDiskState.RegistrationRefused} (a fenced incarnation).
   */
  public record Register(String node, long incarnation, long key, ActorRef<SharedDiskState.Registration> replyTo)
      implements Command {}

  /**
   * From the {@code storage} fence agent: revoke the victim incarnation's key (PREEMPT AND ABORT).
   * Replies {@link SharedDiskState.Preempted} or {@link SharedDiskState.PreemptionRefused}.
   */
  public record Preempt(String victimNode, long victimIncarnation, String byNode,
                        ActorRef<SharedDiskState.Preemption> replyTo) implements Command {}

  /**
   * From a writer (the filesystem's journal and data paths): write {@code data} to {@code block}
   * under {@code token}. Replies {@link SharedDiskState.Written} or {@link SharedDiskState.WriteRejected}
   * (revoked key, stale token, not registered, out of range, too large).
   */
  public record Write(String node, long incarnation, int block, byte[] data, WriteToken token,
                      ActorRef<SharedDiskState.WriteOutcome> replyTo) implements Command {
    public Write {
      data = data.clone();
    }

    @Override
    public byte[] data() {
      return data.clone();
    }
  }

  /** From any reader: the block as last written. Replies {@link SharedDiskState.BlockContents} or {@link SharedDiskState.ReadRefused}. */
  public record Read(int block, ActorRef<SharedDiskState.ReadOutcome> replyTo) implements Command {}

  /** From the singleton manager when this member hands the LUN over: stop after pending writes. */
  public enum Stop implements Command { INSTANCE }

  /** Geometry and supervision, from {@code jdlm.fencing.shared-disk}. */
  public record Settings(String lun, SharedDiskState.Geometry geometry, Duration minBackoff, Duration maxBackoff) {
    public static Settings fromConfig(Config config) {
      Config c = config.getConfig("jdlm.fencing.shared-disk");
      return new Settings(c.getString("lun"), new SharedDiskState.Geometry(c.getInt("blocks"), c.getInt("block-size")),
          c.getDuration("persist-failure-backoff.min"), c.getDuration("persist-failure-backoff.max"));
    }

    /** The journal id of this LUN: one journal per LUN name. */
    public PersistenceId persistenceId() {
      return PersistenceId.of("jdlm-shared-disk", lun);
    }
  }

  public static Behavior<Command> create(Settings settings) {
    return Behaviors.setup(ctx -> new SharedDisk(settings));
  }

  /** Starts (or joins) the singleton for the configured LUN on this member and returns its proxy. */
  public static ActorRef<Command> initSingleton(ActorSystem<?> system) {
    Settings settings = Settings.fromConfig(system.settings().config());
    return ClusterSingleton.get(system).init(
        SingletonActor.of(create(settings), "jdlm-shared-disk-" + settings.lun()).withStopMessage(Stop.INSTANCE));
  }

  private final Settings settings;

  private SharedDisk(Settings settings) {
    super(settings.persistenceId(),
        SupervisorStrategy.restartWithBackoff(settings.minBackoff(), settings.maxBackoff(), 0.2));
    this.settings = settings;
  }

  @Override
  public SharedDiskState emptyState() {
    return SharedDiskState.blank(settings.geometry());
  }

  @Override
  public CommandHandler<Command, SharedDiskState.Event, SharedDiskState> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Register.class, (s, c) -> carryOut(s.register(c.node(), c.incarnation(), c.key()), c.replyTo()))
        .onCommand(Preempt.class, (s, c) ->
            carryOut(s.preempt(c.victimNode(), c.victimIncarnation(), c.byNode()), c.replyTo()))
        .onCommand(Write.class, (s, c) ->
            carryOut(s.write(c.node(), c.incarnation(), c.block(), c.data(), c.token()), c.replyTo()))
        .onCommand(Read.class, (s, c) -> Effect().none().thenReply(c.replyTo(), after -> after.lookup(c.block())))
        .onCommand(Stop.class, (s, c) -> Effect().stop())
        .build();
  }

  /** Persists the decision's events (if any), then replies the decision's answer. */
  private <R> EffectBuilder<SharedDiskState.Event, SharedDiskState> carryOut(SharedDiskState.Decision<R> d,
                                                                            ActorRef<? super R> replyTo) {
    List<SharedDiskState.Event> events = d.events();
    EffectBuilder<SharedDiskState.Event, SharedDiskState> effect =
        events.isEmpty() ? Effect().none() : Effect().persist(events);
    return effect.thenRun(after -> replyTo.tell(d.reply()));
  }

  @Override
  public EventHandler<SharedDiskState, SharedDiskState.Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(SharedDiskState::apply);
  }
}
