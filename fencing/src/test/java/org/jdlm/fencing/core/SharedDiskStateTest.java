package org.jdlm.fencing.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.jdlm.fencing.core.SharedDiskState.WriteRefusal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SharedDiskStateTest {
  private static final SharedDiskState.Geometry GEOMETRY = new SharedDiskState.Geometry(8, 16);

  /** Runs a decision's events through apply, as the persistent shell does, and checks invariants. */
  private static SharedDiskState persist(SharedDiskState s, SharedDiskState.Decision<?> d) {
    for (SharedDiskState.Event e : d.events()) {
      s = s.apply(e);
    }
    s.checkInvariants();
    return s;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * The starting point of every row: n1#1 and n2#2 registered; n2 wrote block 0 at token (1,5);
   * n3#3 registered and then preempted by n1.
   */
  private static SharedDiskState fixture() {
    SharedDiskState s = SharedDiskState.blank(GEOMETRY);
    s = persist(s, s.register("n1", 1, 0x11));
    s = persist(s, s.register("n2", 2, 0x22));
    s = persist(s, s.register("n3", 3, 0x33));
    s = persist(s, s.write("n2", 2, 0, bytes("old"), new WriteToken(1, 5)));
    s = persist(s, s.preempt("n3", 3, "n1"));
    return s;
  }

  static Stream<Arguments> writes() {
    // writer, incarnation, block, bytes, token, expected refusal (null = accepted)
    return Stream.of(
        Arguments.of("n1", 1L, 0, 3, new WriteToken(2, 0), null),            // newer generation
        Arguments.of("n1", 1L, 0, 3, new WriteToken(1, 6), null),            // newer counter
        Arguments.of("n2", 2L, 0, 3, new WriteToken(1, 5), null),            // same grant, same token
        Arguments.of("n1", 1L, 0, 3, new WriteToken(1, 4), WriteRefusal.STALE_TOKEN),
        Arguments.of("n1", 1L, 0, 3, new WriteToken(0, 99), WriteRefusal.STALE_TOKEN),
        Arguments.of("n1", 1L, 1, 3, new WriteToken(0, 0), null),            // untouched block: any token
        Arguments.of("n3", 3L, 1, 3, new WriteToken(9, 9), WriteRefusal.KEY_REVOKED), // fenced, even with a new token
        Arguments.of("n3", 3L, 0, 3, new WriteToken(0, 0), WriteRefusal.KEY_REVOKED), // revoked reported before stale
        Arguments.of("n3", 4L, 1, 3, new WriteToken(9, 9), WriteRefusal.NOT_REGISTERED), // restarted, not yet registered
        Arguments.of("n9", 1L, 1, 3, new WriteToken(9, 9), WriteRefusal.NOT_REGISTERED),
        Arguments.of("n1", 1L, 8, 3, new WriteToken(9, 9), WriteRefusal.BLOCK_OUT_OF_RANGE),
        Arguments.of("n1", 1L, -1, 3, new WriteToken(9, 9), WriteRefusal.BLOCK_OUT_OF_RANGE),
        Arguments.of("n1", 1L, 1, 17, new WriteToken(9, 9), WriteRefusal.DATA_TOO_LARGE),
        Arguments.of("n1", 1L, 1, 16, new WriteToken(9, 9), null));
  }

  @ParameterizedTest(name = "{0}#{1} writes block {2} ({3} bytes) at {4}: {5}")
  @MethodSource("writes")
  void aWriteNeedsALiveKeyAndATokenNotOlderThanTheBlocks(String node, long incarnation, int block, int size,
                                                         WriteToken token, WriteRefusal expected) {
    SharedDiskState s = fixture();
    SharedDiskState.Decision<SharedDiskState.WriteOutcome> d = s.write(node, incarnation, block, new byte[size], token);
    if (expected == null) {
      assertThat(d.reply()).isEqualTo(new SharedDiskState.Written(block, token));
      SharedDiskState after = persist(s, d);
      assertThat(after.read(block)).isEqualTo(new SharedDiskState.BlockContents(block, new byte[size], Optional.of(token)));
    } else {
      assertThat(d.events()).isEmpty();
      assertThat(d.reply()).isInstanceOfSatisfying(SharedDiskState.WriteRejected.class, r -> {
        assertThat(r.refusal()).isEqualTo(expected);
        assertThat(r.detail()).isNotBlank();
      });
    }
  }

  @Test
  void afterPreemptTheFencedMembersWriteIsRejectedWhileTheNewHoldersNewerTokenIsAccepted() {
    SharedDiskState s = SharedDiskState.blank(GEOMETRY);
    s = persist(s, s.register("n1", 1, 0x11));
    s = persist(s, s.register("n2", 2, 0x22));
    s = persist(s, s.write("n2", 2, 3, bytes("n2 was here"), new WriteToken(4, 1)));
    SharedDiskState.Decision<SharedDiskState.Preemption> p = s.preempt("n2", 2, "n1");
    assertThat(p.reply()).isEqualTo(new SharedDiskState.Preempted("n2", 2, "n1", Optional.of(0x22L)));
    s = persist(s, p);
    // The paused n2 wakes up and writes with the token it held before the fence.
    assertThat(s.write("n2", 2, 3, bytes("late"), new WriteToken(4, 1)).reply())
        .isInstanceOfSatisfying(SharedDiskState.WriteRejected.class,
            r -> assertThat(r.refusal()).isEqualTo(WriteRefusal.KEY_REVOKED));
    SharedDiskState.Decision<SharedDiskState.WriteOutcome> w = s.write("n1", 1, 3, bytes("n1 now"), new WriteToken(5, 1));
    assertThat(w.reply()).isEqualTo(new SharedDiskState.Written(3, new WriteToken(5, 1)));
    s = persist(s, w);
    assertThat(s.read(3).data()).isEqualTo(bytes("n1 now"));
  }

  @Test
  void aPreemptedIncarnationMayNotRegisterAgainButItsSuccessorMay() {
    SharedDiskState s = fixture();
    assertThat(s.register("n3", 3, 0x34).reply()).isInstanceOfSatisfying(SharedDiskState.RegistrationRefused.class,
        r -> assertThat(r.reason()).contains("n3#3").contains("preempted"));
    assertThat(s.register("n3", 4, 0x34).reply()).isEqualTo(new SharedDiskState.Registered("n3", 4, 0x34));
  }

  @Test
  void preemptingAnUnregisteredVictimStillBarsItFromTheDisk() {
    SharedDiskState s = fixture();
    SharedDiskState.Decision<SharedDiskState.Preemption> p = s.preempt("n4", 7, "n1");
    assertThat(p.reply()).isEqualTo(new SharedDiskState.Preempted("n4", 7, "n1", Optional.empty()));
    s = persist(s, p);
    assertThat(s.register("n4", 7, 0x44).reply()).isInstanceOf(SharedDiskState.RegistrationRefused.class);
  }

  @Test
  void anUnregisteredPreemptorIsRefusedAndTheVictimKeepsItsKey() {
    SharedDiskState s = fixture();
    assertThat(s.preempt("n2", 2, "n9").reply()).isInstanceOfSatisfying(SharedDiskState.PreemptionRefused.class,
        r -> assertThat(r.reason()).contains("n9"));
    // A node cannot preempt itself with its own (only) registration either.
    assertThat(s.preempt("n2", 2, "n2").reply()).isInstanceOf(SharedDiskState.PreemptionRefused.class);
    assertThat(s.registrations()).containsKey(new SharedDiskState.Registrant("n2", 2));
  }

  @Test
  void preemptingTwiceRecordsOnce() {
    SharedDiskState s = fixture();
    SharedDiskState.Decision<SharedDiskState.Preemption> again = s.preempt("n3", 3, "n2");
    assertThat(again.events()).isEmpty();
    assertThat(again.reply()).isInstanceOf(SharedDiskState.Preempted.class);
  }

  @Test
  void identicalRegistrationPersistsNothingAndKeyZeroIsRefused() {
    SharedDiskState s = fixture();
    assertThat(s.register("n1", 1, 0x11).events()).isEmpty();
    assertThat(s.register("n1", 1, 0x12).events()).hasSize(1);
    assertThat(s.register("n5", 1, 0).reply()).isInstanceOfSatisfying(SharedDiskState.RegistrationRefused.class,
        r -> assertThat(r.reason()).contains("key 0"));
  }

  @Test
  void replayRebuildsTheSameDisk() {
    List<SharedDiskState.Event> journal = new ArrayList<>();
    SharedDiskState s = SharedDiskState.blank(GEOMETRY);
    SharedDiskState.Decision<?>[] steps = new SharedDiskState.Decision<?>[5];
    steps[0] = s.register("a", 1, 1); s = persist(s, steps[0]);
    steps[1] = s.register("b", 1, 2); s = persist(s, steps[1]);
    steps[2] = s.write("b", 1, 2, bytes("x"), new WriteToken(1, 1)); s = persist(s, steps[2]);
    steps[3] = s.preempt("b", 1, "a"); s = persist(s, steps[3]);
    steps[4] = s.write("a", 1, 2, bytes("y"), new WriteToken(2, 1)); s = persist(s, steps[4]);
    for (SharedDiskState.Decision<?> d : steps) {
      journal.addAll(d.events());
    }
    SharedDiskState replayed = SharedDiskState.replay(GEOMETRY, journal);
    assertThat(replayed.read(2)).isEqualTo(s.read(2));
    assertThat(replayed.registrations()).isEqualTo(s.registrations());
    assertThat(replayed.isRevoked("b", 1)).isTrue();
  }

  @Test
  void aJournalWhoseTokenGoesBackIsABug() {
    SharedDiskState s = SharedDiskState.blank(GEOMETRY)
        .apply(new SharedDiskState.BlockWritten(1, bytes("a"), new WriteToken(2, 2), "n1", 1));
    assertThatThrownBy(() -> s.apply(new SharedDiskState.BlockWritten(1, bytes("b"), new WriteToken(2, 1), "n1", 1)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("(2,2)");
  }

  // ---- property: FenceMonotonic on the disk ----

  record Op(int kind, int node, int block, long generation, long counter) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Op> op = Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 3),
        Arbitraries.integers().between(0, 3), Arbitraries.longs().between(0, 4), Arbitraries.longs().between(0, 4))
        .as(Op::new);
    return op.list().ofMaxSize(60);
  }

  /**
   * Whatever the interleaving of registrations, preemptions and writes: the token of every block
   * never goes back, a preempted incarnation never writes again, and replay equals the live state.
   */
  @Property
  void tokensPerBlockNeverGoBackAndPreemptedWritersNeverWrite(@ForAll("ops") List<Op> ops) {
    SharedDiskState s = SharedDiskState.blank(new SharedDiskState.Geometry(4, 8));
    List<SharedDiskState.Event> journal = new ArrayList<>();
    for (Op op : ops) {
      String node = "n" + op.node();
      SharedDiskState.Decision<?> d = switch (op.kind()) {
        case 0 -> s.register(node, 1, op.node() + 1);
        case 1 -> s.preempt(node, 1, "n" + ((op.node() + 1) % 4));
        default -> s.write(node, 1, op.block(), new byte[] {(byte) op.counter()}, new WriteToken(op.generation(), op.counter()));
      };
      Optional<WriteToken> before = s.newestToken(op.block());
      boolean wasRevoked = s.isRevoked(node, 1);
      s = persist(s, d);
      journal.addAll(d.events());
      Optional<WriteToken> after = s.newestToken(op.block());
      if (before.isPresent()) {
        assertThat(after).hasValueSatisfying(t -> assertThat(t.isOlderThan(before.get())).isFalse());
      }
      if (wasRevoked && d.reply() instanceof SharedDiskState.WriteOutcome w) {
        assertThat(w).isInstanceOf(SharedDiskState.WriteRejected.class);
      }
    }
    SharedDiskState replayed = SharedDiskState.replay(new SharedDiskState.Geometry(4, 8), journal);
    assertThat(replayed.registrations()).isEqualTo(s.registrations());
    for (int b = 0; b < 4; b++) {
      assertThat(replayed.read(b)).isEqualTo(s.read(b));
    }
  }
}
