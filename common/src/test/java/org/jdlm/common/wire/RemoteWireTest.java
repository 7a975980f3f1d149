package org.jdlm.common.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.event.Logging;
import org.jdlm.common.wire.TestMessages.Color;
import org.jdlm.common.wire.TestMessages.Inner;
import org.jdlm.common.wire.TestMessages.Ping;
import org.jdlm.common.wire.TestMessages.Pong;
import org.jdlm.common.wire.TestMessages.Stranger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two ActorSystems in one JVM, talking over Artery TCP on loopback: the only path on which Pekko
 * really serializes, so this is where the binding and the refusal are proven end to end.
 */
class RemoteWireTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private ActorTestKit alpha;
  private ActorTestKit beta;

  private static Config remoteConfig(int port) {
    return ConfigFactory.parseString("""
        pekko.actor.provider = remote
        pekko.remote.artery.transport = tcp
        pekko.remote.artery.canonical.hostname = 127.0.0.1
        pekko.remote.artery.canonical.port = %d
        """.formatted(port)).withFallback(WireTestConfig.withTestRegistrations());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @BeforeEach
  void startTwoSystems() throws IOException {
    alpha = ActorTestKit.create("alpha", remoteConfig(freePort()));
    beta = ActorTestKit.create("beta", remoteConfig(freePort()));
  }

  @AfterEach
  void stopBoth() {
    if (alpha != null) {
      alpha.shutdownTestKit();
    }
    if (beta != null) {
      beta.shutdownTestKit();
    }
  }

  /** The ref {@code from} uses to reach {@code target}, which lives in another system. */
  private static <T> ActorRef<T> remoteRef(ActorTestKit from, ActorTestKit owner, ActorRef<T> target) {
    String path = ActorRefResolver.get(owner.system()).toSerializationFormat(target);
    return ActorRefResolver.get(from.system()).resolveActorRef(path);
  }

  private static Ping ping(String text, ActorRef<Pong> replyTo) {
    return new Ping(text, 1, new Inner(1L, Color.BLUE, Optional.of("n")), List.of(), Set.of("t"),
        Map.of("k", 1), EnumSet.of(Color.GREEN), EnumSet.noneOf(Color.class), replyTo);
  }

  @Test
  void registeredMessageCrossesNodesAndItsReplyToAnswersBack() {
    TestProbe<WireMessage> inbox = beta.createTestProbe();
    TestProbe<Pong> replies = alpha.createTestProbe();
    ActorRef<WireMessage> inboxFromAlpha = remoteRef(alpha, beta, inbox.ref());

    Ping sent = ping("over the wire", replies.ref());
    inboxFromAlpha.tell(sent);

    Ping received = inbox.expectMessageClass(Ping.class, WAIT);
    assertThat(received).usingRecursiveComparison().ignoringFields("replyTo").isEqualTo(sent);
    assertThat(received.replyTo().path().address().hasGlobalScope()).isTrue();   // a remote ref to alpha
    received.replyTo().tell(new Pong("answer"));
    assertThat(replies.expectMessageClass(Pong.class, WAIT)).isEqualTo(new Pong("answer"));
  }

  @Test
  void unregisteredMessageIsDroppedBySenderWithTheDocumentedErrorAndNeverArrives() {
    TestProbe<WireMessage> inbox = beta.createTestProbe();
    TestProbe<Logging.Error> errors = alpha.createTestProbe();
    alpha.system().eventStream().tell(new EventStream.Subscribe<>(Logging.Error.class, errors.ref()));
    ActorRef<WireMessage> inboxFromAlpha = remoteRef(alpha, beta, inbox.ref());

    inboxFromAlpha.tell(new Stranger("should never arrive"));
    // Artery keeps order per connection: once this one arrives, the stranger can no longer come.
    inboxFromAlpha.tell(new Pong("after the stranger"));

    assertThat(inbox.expectMessageClass(Pong.class, WAIT)).isEqualTo(new Pong("after the stranger"));
    Logging.Error error = errors.fishForMessage(WAIT, e ->
        e.cause() instanceof WireFormatException
            ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
            : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore()).get(0);
    assertThat(error.cause()).hasMessageContaining("class " + Stranger.class.getName()
        + " is not registered for the jdlm wire format");
    inbox.expectNoMessage(Duration.ofMillis(200));
  }
}
