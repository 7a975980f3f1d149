package org.jdlm.fencing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.jdlm.fencing.core.FenceOperation;
import org.junit.jupiter.api.Test;

class WatchdogAgentTest {

  @Test
  void survivorsConfirmOnlyAfterTheTimeoutSinceDetection() throws Exception {
    Clock clock = Clock.systemUTC();
    long detected = clock.millis();
    WatchdogAgent agent = new WatchdogAgent("watchdog", Duration.ofMillis(400), clock);
    CompletableFuture<FenceAgent.Result> result = agent.fence(
        new FenceOperation.Target("n3", 3, "a", detected)).toCompletableFuture();
    assertThat(result).isNotDone();
    assertThat(result.get(10, TimeUnit.SECONDS)).isInstanceOf(FenceAgent.Done.class);
    assertThat(clock.millis() - detected).isGreaterThanOrEqualTo(400);
  }

  @Test
  void aFailureDetectedLongAgoIsConfirmedAtOnce() {
    Clock clock = Clock.systemUTC();
    WatchdogAgent agent = new WatchdogAgent("watchdog", Duration.ofSeconds(60), clock);
    var result = agent.fence(new FenceOperation.Target("n3", 3, "a", clock.millis() - 61_000)).toCompletableFuture();
    assertThat(result).isCompleted();
  }

  @Test
  void aDownedMemberHaltsButACleanStopDoesNot() throws Exception {
    AtomicInteger halted = new AtomicInteger(-1);
    ActorSystem<Void> downed = ActorSystem.create(Behaviors.empty(), "downed");
    var downedArmed = SelfFence.install(downed, halted::set, 70);
    CoordinatedShutdown.get(downed).runAll(CoordinatedShutdown.clusterDowningReason());
    assertThat(downedArmed.toCompletableFuture().get(20, TimeUnit.SECONDS)).isTrue();
    assertThat(halted.get()).isEqualTo(70);

    AtomicInteger notHalted = new AtomicInteger(-1);
    ActorSystem<Void> clean = ActorSystem.create(Behaviors.empty(), "clean");
    var cleanArmed = SelfFence.install(clean, notHalted::set, 70);
    clean.terminate();
    assertThat(cleanArmed.toCompletableFuture().get(20, TimeUnit.SECONDS)).isFalse();
    assertThat(notHalted.get()).isEqualTo(-1);
  }
}
