package org.jdlm.fencing;

import org.jdlm.common.wire.WireMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.jdlm.fencing.core.FencingLedger;

/**
 * The cluster's one fencing authority: which incarnation of which member was fenced, and the
 * generation that only grows (style rule 9). Every decision is {@link FencingLedger}'s; this actor
 * persists the events it returns and answers. Run it as a Cluster Singleton through
 * {@link #initSingleton}: its state survives restarts of every member because it lives in the
 * journal (H2 by default, PostgreSQL by configuration; see the store settings).
 */
public final class FencingAuthority
    extends EventSourcedBehavior<FencingAuthority.Command, FencingLedger.Event, FencingLedger> {

  /** The journal's persistence id; one authority per cluster. */
  public static final String PERSISTENCE_ID = "jdlm-fencing-authority";

  /** Name of the singleton (and of its proxy) under the user guardian. */
  public static final String SINGLETON_NAME = "jdlm-fencing-authority";

  /** Messages the authority accepts. */
  public sealed interface Command extends WireMessage {}

  /**
   * From a joining member (node assembly, lockspace join): may this incarnation join? Replies
   * {@link FencingLedger.Admitted} or {@link FencingLedger.RefusedFenced} (a fenced incarnation never rejoins).
   */
  public record Admit(String node, long incarnation, ActorRef<FencingLedger.Admission> replyTo) implements Command {}

  /**
   * From a {@code FenceTask} once an agent (or an operator's fence_ack) fenced the incarnation:
   * record it and advance the generation. Replies {@link FenceRecorded}; idempotent.
   */
  public record RecordFenced(String node, long incarnation, String agent, ActorRef<FenceRecorded> replyTo)
      implements Command {}

  /** From recovery, for a membership change that needs no fence (join, clean leave). Replies {@link Advanced}. */
  public record Advance(String reason, ActorRef<Advanced> replyTo) implements Command {}

  /** From status and dumps (any node). Replies {@link LedgerState}. */
  public record GetState(ActorRef<LedgerState> replyTo) implements Command {}

  /** From the singleton manager when this member hands the singleton over: stop after pending writes. */
  public enum Stop implements Command { INSTANCE }

  /** Replies other than the ledger's own admission answers. */
  public sealed interface Reply extends WireMessage {}

  /** The fence of {@code node#incarnation} is on record; tokens from {@code generation} on outrank the victim's. */
  public record FenceRecorded(String node, long incarnation, long generation) implements Reply {}

  /** The generation is now {@code generation}. */
  public record Advanced(long generation) implements Reply {}

  /** One fenced incarnation and the agent that fenced it. */
  public record FencedIncarnation(String node, long incarnation, String agent) implements WireMessage {}

  /** The whole ledger as a snapshot value: generation, fenced incarnations (sorted), admitted ones. */
  public record LedgerState(long generation, List<FencedIncarnation> fenced, Map<String, Set<Long>> admitted)
      implements Reply {}

  /** Supervision and timing of the authority, from {@code jdlm.fencing.authority}. */
  public record Settings(Duration persistFailureMinBackoff, Duration persistFailureMaxBackoff, double randomFactor) {
    public static Settings fromConfig(com.typesafe.config.Config config) {
      com.typesafe.config.Config c = config.getConfig("jdlm.fencing.authority.persist-failure-backoff");
      return new Settings(c.getDuration("min"), c.getDuration("max"), c.getDouble("random-factor"));
    }
  }

  /** The authority behavior with the given journal identity (tests use their own ids). */
  public static Behavior<Command> create(PersistenceId persistenceId, Settings settings, Clock clock) {
    return Behaviors.setup(ctx -> new FencingAuthority(persistenceId, settings, clock));
  }

  /**
   * Starts (or joins) the cluster singleton on this member and returns its proxy. Every member
   * calls this once at start; only the oldest member runs the authority, the others talk to it
   * through the proxy, and if that member goes the singleton restarts elsewhere and replays.
   */
  public static ActorRef<Command> initSingleton(ActorSystem<?> system) {
    Settings settings = Settings.fromConfig(system.settings().config());
    return ClusterSingleton.get(system).init(
        SingletonActor.of(create(PersistenceId.ofUniqueId(PERSISTENCE_ID), settings, Clock.systemUTC()), SINGLETON_NAME)
            .withStopMessage(Stop.INSTANCE));
  }

  private final Clock clock;

  private FencingAuthority(PersistenceId persistenceId, Settings settings, Clock clock) {
    // A journal that fails to write restarts the authority with backoff, and the restart replays:
    // the ledger in memory is never ahead of the journal.
    super(persistenceId, SupervisorStrategy.restartWithBackoff(settings.persistFailureMinBackoff(),
        settings.persistFailureMaxBackoff(), settings.randomFactor()));
    this.clock = clock;
  }

  @Override
  public FencingLedger emptyState() {
    return FencingLedger.empty();
  }

  @Override
  public CommandHandler<Command, FencingLedger.Event, FencingLedger> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Admit.class, this::onAdmit)
        .onCommand(RecordFenced.class, this::onRecordFenced)
        .onCommand(Advance.class, this::onAdvance)
        .onCommand(GetState.class, this::onGetState)
        .onCommand(Stop.class, (ledger, stop) -> Effect().stop())
        .build();
  }

  private Effect<FencingLedger.Event, FencingLedger> onAdmit(FencingLedger ledger, Admit c) {
    FencingLedger.Decision<FencingLedger.Admission> d = ledger.admit(c.node(), c.incarnation());
    return persist(d.events()).thenReply(c.replyTo(), after -> d.reply());
  }

  private Effect<FencingLedger.Event, FencingLedger> onRecordFenced(FencingLedger ledger, RecordFenced c) {
    FencingLedger.Decision<Long> d = ledger.recordFenced(c.node(), c.incarnation(), c.agent(), clock.millis());
    return persist(d.events()).thenReply(c.replyTo(), after -> new FenceRecorded(c.node(), c.incarnation(), d.reply()));
  }

  private Effect<FencingLedger.Event, FencingLedger> onAdvance(FencingLedger ledger, Advance c) {
    FencingLedger.Decision<Long> d = ledger.advance(c.reason());
    return persist(d.events()).thenReply(c.replyTo(), after -> new Advanced(d.reply()));
  }

  private Effect<FencingLedger.Event, FencingLedger> onGetState(FencingLedger ledger, GetState c) {
    return Effect().none().thenReply(c.replyTo(), FencingAuthority::snapshot);
  }

  private org.apache.pekko.persistence.typed.javadsl.EffectBuilder<FencingLedger.Event, FencingLedger> persist(
      List<FencingLedger.Event> events) {
    return events.isEmpty() ? Effect().none() : Effect().persist(events);
  }

  /** The ledger as an immutable reply. */
  static LedgerState snapshot(FencingLedger ledger) {
    List<FencedIncarnation> fenced = new ArrayList<>();
    new TreeMap<>(ledger.fenced()).forEach((node, byInc) ->
        new TreeMap<>(byInc).forEach((inc, agent) -> fenced.add(new FencedIncarnation(node, inc, agent))));
    return new LedgerState(ledger.generation(), List.copyOf(fenced), ledger.admitted());
  }

  @Override
  public EventHandler<FencingLedger, FencingLedger.Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(FencingLedger::apply);
  }
}
