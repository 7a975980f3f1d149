package org.jdlm.fencing;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.jdlm.fencing.core.SharedDiskState;
import org.jdlm.fencing.core.WriteToken;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class SharedDiskTest {
  private static final ActorTestKit kit =
      ActorTestKit.create(EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  private static EventSourcedBehaviorTestKit<SharedDisk.Command, SharedDiskState.Event, SharedDiskState> disk() {
    SharedDisk.Settings settings = new SharedDisk.Settings("lun-" + UUID.randomUUID(),
        new SharedDiskState.Geometry(16, 64), Duration.ofSeconds(1), Duration.ofSeconds(5));
    return EventSourcedBehaviorTestKit.create(kit.system(), SharedDisk.create(settings),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void afterPreemptTheFencedMembersWriteIsRejectedAndTheNewHoldersNewerTokenIsAccepted() {
    var es = disk();
    es.<SharedDiskState.Registration>runCommand(r -> new SharedDisk.Register("n1", 1, 0xA1, r));
    es.<SharedDiskState.Registration>runCommand(r -> new SharedDisk.Register("n2", 2, 0xB2, r));
    var first = es.<SharedDiskState.WriteOutcome>runCommand(
        r -> new SharedDisk.Write("n2", 2, 7, bytes("n2 holds EX"), new WriteToken(3, 1), r));
    assertThat(first.reply()).isEqualTo(new SharedDiskState.Written(7, new WriteToken(3, 1)));

    var preempt = es.<SharedDiskState.Preemption>runCommand(r -> new SharedDisk.Preempt("n2", 2, "n1", r));
    assertThat(preempt.reply()).isEqualTo(new SharedDiskState.Preempted("n2", 2, "n1", Optional.of(0xB2L)));

    // n2 was paused through all of this; it wakes up and finishes its write.
    var late = es.<SharedDiskState.WriteOutcome>runCommand(
        r -> new SharedDisk.Write("n2", 2, 7, bytes("stale"), new WriteToken(3, 1), r));
    assertThat(late.reply()).isInstanceOfSatisfying(SharedDiskState.WriteRejected.class,
        w -> assertThat(w.refusal()).isEqualTo(SharedDiskState.WriteRefusal.KEY_REVOKED));
    assertThat(late.events()).isEmpty();

    var fresh = es.<SharedDiskState.WriteOutcome>runCommand(
        r -> new SharedDisk.Write("n1", 1, 7, bytes("n1 after recovery"), new WriteToken(4, 1), r));
    assertThat(fresh.reply()).isEqualTo(new SharedDiskState.Written(7, new WriteToken(4, 1)));
    var read = es.<SharedDiskState.ReadOutcome>runCommand(r -> new SharedDisk.Read(7, r));
    assertThat(read.reply()).isEqualTo(new SharedDiskState.BlockContents(7, bytes("n1 after recovery"),
        Optional.of(new WriteToken(4, 1))));
  }

  @Test
  void aStaleTokenIsRejectedEvenFromARegisteredWriter() {
    var es = disk();
    es.<SharedDiskState.Registration>runCommand(r -> new SharedDisk.Register("n1", 1, 0xA1, r));
    es.<SharedDiskState.Registration>runCommand(r -> new SharedDisk.Register("n2", 2, 0xB2, r));
    es.<SharedDiskState.WriteOutcome>runCommand(r -> new SharedDisk.Write("n1", 1, 0, bytes("new"), new WriteToken(5, 2), r));
    var stale = es.<SharedDiskState.WriteOutcome>runCommand(
        r -> new SharedDisk.Write("n2", 2, 0, bytes("old"), new WriteToken(5, 1), r));
    assertThat(stale.reply()).isInstanceOfSatisfying(SharedDiskState.WriteRejected.class, w -> {
      assertThat(w.refusal()).isEqualTo(SharedDiskState.WriteRefusal.STALE_TOKEN);
      assertThat(w.detail()).contains("(5,1)").contains("(5,2)");
    });
  }

  @Test
  void revocationAndDataSurviveARestart() {
    var es = disk();
    es.<SharedDiskState.Registration>runCommand(r -> new SharedDisk.Register("n1", 1, 0xA1, r));
    es.<SharedDiskState.Registration>runCommand(r -> new SharedDisk.Register("n2", 2, 0xB2, r));
    es.<SharedDiskState.WriteOutcome>runCommand(r -> new SharedDisk.Write("n2", 2, 3, bytes("x"), new WriteToken(1, 1), r));
    es.<SharedDiskState.Preemption>runCommand(r -> new SharedDisk.Preempt("n2", 2, "n1", r));
    es.restart();
    var again = es.<SharedDiskState.Registration>runCommand(r -> new SharedDisk.Register("n2", 2, 0xB2, r));
    assertThat(again.reply()).isInstanceOf(SharedDiskState.RegistrationRefused.class);
    var read = es.<SharedDiskState.ReadOutcome>runCommand(r -> new SharedDisk.Read(3, r));
    assertThat(read.reply()).isEqualTo(new SharedDiskState.BlockContents(3, bytes("x"), Optional.of(new WriteToken(1, 1))));
  }

  @Test
  void aReadOutsideTheLunIsARefusalNotACrash() {
    var es = disk();
    var read = es.<SharedDiskState.ReadOutcome>runCommand(r -> new SharedDisk.Read(16, r));
    assertThat(read.reply()).isInstanceOfSatisfying(SharedDiskState.ReadRefused.class,
        r -> assertThat(r.reason()).contains("16"));
  }
}
