package org.jdlm.dlm;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.jdlm.dlm.api.LockHandle;
import org.jdlm.dlm.api.LockResult;
import org.jdlm.dlm.api.LockspaceSettings;
import org.jdlm.dlm.core.CastStatus;
import org.jdlm.dlm.core.FencingToken;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.dlm.core.NodeId;
import org.jdlm.dlm.core.OwnerLockState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The owner side of a recovery barrier: a master's answer that was already on its way when the
 * lockspace stopped is applied while callbacks are held back (semantics §6.2, {@code dlm_callback_suspend}).
 * When that answer destroys the lock (a refused NOQUEUE request, an unlock), its completion must
 * still reach the caller once callbacks resume. (Found by {@link JoinInUseTest}: the handle was
 * forgotten at once, so the held completion had nobody to go to and the caller waited forever.)
 */
class HeldCallbacksTest {

  private static ActorTestKit testKit;
  private LockspaceLocal local;
  private TestProbe<Lockspace.Command> member;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("held", ConfigFactory.parseString("pekko.actor.provider = local")
        .withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void attach() {
    DlmSettings settings = DlmSettings.fromConfig(testKit.system().settings().config());
    local = new LockspaceLocal("held", LockspaceSettings.defaults(), settings, n -> { });
    member = testKit.createTestProbe(Lockspace.Command.class);
    local.attach(member.ref(), new NodeId("n1"), testKit.system(), Duration.ofSeconds(5));
    local.running(1, List.of(new NodeId("n1")));
  }

  @AfterEach
  void close() {
    local.close();
  }

  private static LockEvent.Completed cast(CastStatus status, LockMode granted) {
    return new LockEvent.Completed(status, granted, 0, null, granted == null ? null : new FencingToken(1, 1), 0);
  }

  /** Waits until the callback thread ran everything queued so far. */
  private void drainCallbackThread() throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    local.afterQueuedCallbacks(() -> done.complete(null));
    done.get(5, TimeUnit.SECONDS);
  }

  private static LockResult await(CompletionStage<LockResult> stage) throws Exception {
    return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void aNoqueueRefusalAppliedWhileCallbacksAreHeldCompletesTheRequestOnResume() throws Exception {
    LockHandle h = local.lock("R".getBytes(), LockMode.PR, EnumSet.of(LockFlag.NOQUEUE), null, null);
    member.expectMessageClass(Lockspace.Route.class);

    local.suspendCallbacks();
    local.deliver(h.id(), cast(CastStatus.EAGAIN, null));
    drainCallbackThread();
    assertThat(h.completion().toCompletableFuture()).as("held until resume").isNotDone();
    assertThat(h.state()).isEqualTo(OwnerLockState.DESTROYED);

    local.resumeCallbacks();
    assertThat(await(h.completion()).status()).isEqualTo(CastStatus.EAGAIN);
    assertThat(local.ownedLocks()).isEmpty();
  }

  @Test
  void anUnlockAnsweredWhileCallbacksAreHeldCompletesOnResume() throws Exception {
    LockHandle h = local.lock("R".getBytes(), LockMode.EX, Set.of(), null, null);
    member.expectMessageClass(Lockspace.Route.class);
    local.deliver(h.id(), cast(CastStatus.OK, LockMode.EX));
    assertThat(await(h.completion()).status()).isEqualTo(CastStatus.OK);

    CompletionStage<LockResult> unlock = h.unlock(Set.of(), null);
    member.expectMessageClass(Lockspace.Route.class);
    local.suspendCallbacks();
    local.deliver(h.id(), cast(CastStatus.EUNLOCK, null));
    drainCallbackThread();
    assertThat(unlock.toCompletableFuture()).isNotDone();

    local.resumeCallbacks();
    assertThat(await(unlock).status()).isEqualTo(CastStatus.EUNLOCK);
    assertThat(local.ownedLocks()).isEmpty();
  }

  @Test
  void withoutAHoldTheHandleIsForgottenAtOnceAsBefore() throws Exception {
    LockHandle h = local.lock("R".getBytes(), LockMode.PR, EnumSet.of(LockFlag.NOQUEUE), null, null);
    member.expectMessageClass(Lockspace.Route.class);
    local.deliver(h.id(), cast(CastStatus.EAGAIN, null));
    assertThat(await(h.completion()).status()).isEqualTo(CastStatus.EAGAIN);
    drainCallbackThread();
    assertThat(local.ownedLocks()).isEmpty();
    assertThat(h.state()).isEqualTo(OwnerLockState.DESTROYED);
  }
}
