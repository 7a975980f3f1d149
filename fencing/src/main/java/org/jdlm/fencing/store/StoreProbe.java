package org.jdlm.fencing.store;

import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.jdlm.common.wire.WireMessage;

/**
 * A smoke actor for the shared store: appends strings as events and answers with every event so
 * far. The foundation uses it to show that an event written by a member survives the member's
 * restart (and the store's); it holds no project state.
 *
 * <p>Bounded by {@code jdlm.store.probe.max-events}: an append beyond it is refused, not stored.
 */
public final class StoreProbe
    extends EventSourcedBehavior<StoreProbe.Command, StoreProbe.Appended, StoreProbe.State> {

  /** Messages the probe accepts. */
  public sealed interface Command extends WireMessage {}

  /** From a test or smoke check: persist {@code text}; replies {@link Events} once it is stored, or {@link Refused} when full. */
  public record Append(String text, ActorRef<Reply> replyTo) implements Command {}

  /** From a test or smoke check: replies {@link Events} with everything appended so far (after recovery). */
  public record Read(ActorRef<Reply> replyTo) implements Command {}

  /** Replies of the probe. */
  public sealed interface Reply extends WireMessage {}

  /** Every event stored under this probe's persistence id, oldest first. */
  public record Events(List<String> texts) implements Reply {}

  /** The append was not stored: the probe already holds {@code maxEvents} events. */
  public record Refused(String reason) implements Reply {}

  /** Event: {@code text} was appended. Stored in the journal through the jdlm wire format. */
  public record Appended(String text) implements WireMessage {}

  /** In-memory state, rebuilt from the events on recovery; never sent or snapshotted. */
  public record State(List<String> texts) {
    State appended(String text) {
      List<String> next = new ArrayList<>(texts);
      next.add(text);
      return new State(List.copyOf(next));
    }
  }

  private final int maxEvents;

  private StoreProbe(PersistenceId persistenceId, int maxEvents) {
    super(persistenceId);
    this.maxEvents = maxEvents;
  }

  /**
   * A probe whose events are stored under persistence id {@code StoreProbe|name}.
   *
   * @param maxEvents appends beyond this many are refused ({@code jdlm.store.probe.max-events})
   */
  public static Behavior<Command> create(String name, int maxEvents) {
    if (maxEvents < 1) {
      throw new IllegalArgumentException("jdlm.store.probe.max-events = " + maxEvents + " must be at least 1");
    }
    return new StoreProbe(PersistenceId.of("StoreProbe", name), maxEvents);
  }

  @Override public State emptyState() {
    return new State(List.of());
  }

  @Override public CommandHandler<Command, Appended, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Append.class, this::onAppend)
        .onCommand(Read.class, (state, read) -> Effect().reply(read.replyTo(), new Events(state.texts())))
        .build();
  }

  private org.apache.pekko.persistence.typed.javadsl.Effect<Appended, State> onAppend(State state, Append append) {
    if (state.texts().size() >= maxEvents) {
      return Effect().reply(append.replyTo(), new Refused("the probe already holds " + maxEvents
          + " events (jdlm.store.probe.max-events)"));
    }
    // Reply only after the journal confirmed the write: that is what "survives a restart" means.
    return Effect().persist(new Appended(append.text()))
        .thenReply(append.replyTo(), next -> new Events(next.texts()));
  }

  @Override public EventHandler<State, Appended> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(Appended.class, (state, event) -> state.appended(event.text()))
        .build();
  }
}
