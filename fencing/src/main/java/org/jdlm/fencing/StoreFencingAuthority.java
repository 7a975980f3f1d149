package org.jdlm.fencing;

import java.time.Clock;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.jdlm.fencing.core.FencingLedger;
import org.jdlm.fencing.store.LedgerTable;
import org.jdlm.fencing.store.StoreConfig;
import org.jdlm.fencing.store.StoreException;

/**
 * The fencing authority of the node assembly: the {@link FencingAuthority} protocol, answered on
 * every member by a local actor over the ledger in the shared store ({@link LedgerTable}), instead
 * of by one Cluster Singleton on the oldest member. Every member runs one; each command is one
 * transaction on the store, serialised with every other member's by the database, so losing any
 * member (the oldest included) costs the authority nothing (issue 14, item 3). Decisions stay
 * {@link FencingLedger}'s.
 *
 * <p>A command the store cannot carry out (unreachable, failed transaction) gets no reply: every
 * asker already treats a missing answer as "ask again" (fence task: {@code authority.record-retry};
 * admission: until {@code admission-timeout}; recovery: its generation retry). It is logged once
 * per failure with the reason.
 *
 * <p>Runs on Pekko's blocking-I/O dispatcher: JDBC calls block.
 */
public final class StoreFencingAuthority {

  private StoreFencingAuthority() {}

  /** Starts this member's authority as a system actor and returns it (local: its messages never cross the wire). */
  public static ActorRef<FencingAuthority.Command> start(ActorSystem<?> system, StoreConfig.Settings store) {
    return system.systemActorOf(create(new LedgerTable(store), Clock.systemUTC()), "fencing-authority",
        DispatcherSelector.blocking());
  }

  /** The behavior over {@code table} (tests give their own table and clock). */
  public static Behavior<FencingAuthority.Command> create(LedgerTable table, Clock clock) {
    return Behaviors.setup(ctx -> Behaviors.receive(FencingAuthority.Command.class)
        .onMessage(FencingAuthority.Admit.class, c -> {
          decide(ctx.getLog(), table, c.node(), l -> l.admit(c.node(), c.incarnation()), r -> c.replyTo().tell(r));
          return Behaviors.same();
        })
        .onMessage(FencingAuthority.RecordFenced.class, c -> {
          decide(ctx.getLog(), table, c.node(), l -> l.recordFenced(c.node(), c.incarnation(), c.agent(), clock.millis()),
              g -> c.replyTo().tell(new FencingAuthority.FenceRecorded(c.node(), c.incarnation(), g)));
          return Behaviors.same();
        })
        .onMessage(FencingAuthority.Advance.class, c -> {
          decide(ctx.getLog(), table, "", l -> l.advance(c.reason()), g -> c.replyTo().tell(new FencingAuthority.Advanced(g)));
          return Behaviors.same();
        })
        .onMessage(FencingAuthority.GetState.class, c -> {
          try {
            c.replyTo().tell(FencingAuthority.snapshot(table.read()));
          } catch (StoreException e) {
            ctx.getLog().warn("fencing ledger not readable, no answer to the status request: {}", e.getMessage());
          }
          return Behaviors.same();
        })
        .onMessageEquals(FencingAuthority.Stop.INSTANCE, Behaviors::stopped)
        .onSignal(org.apache.pekko.actor.typed.PostStop.class, s -> {
          table.close();
          return Behaviors.same();
        })
        .build());
  }

  private static <R> void decide(org.slf4j.Logger log, LedgerTable table, String node,
                                 java.util.function.Function<FencingLedger, FencingLedger.Decision<R>> command,
                                 java.util.function.Consumer<R> reply) {
    FencingLedger.Decision<R> decision;
    try {
      decision = table.decide(node, command);
    } catch (StoreException e) {
      log.warn("fencing ledger not changed, no answer (the asker retries): {}", e.getMessage());
      return;
    }
    reply.accept(decision.reply());
  }
}
