package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** {@link HeldSends}: FIFO per destination, destinations in the order they first held. */
class HeldSendsTest {

  @Test
  void holdsPerDestinationAndDrainsOldestDestinationFirst() {
    HeldSends<String, String> h = new HeldSends<>();
    assertThat(h.mustHold("a")).isFalse();
    assertThat(h.peek()).isNull();
    h.hold("b", "b1");
    h.hold("a", "a1");
    h.hold("b", "b2");
    h.checkInvariants();
    assertThat(h.mustHold("a")).isTrue();
    assertThat(h.mustHold("c")).isFalse();
    assertThat(h.peek()).isEqualTo("b1");
    assertThat(h.heldNow()).isEqualTo(3);
    h.take();
    h.take();
    h.take();
    h.checkInvariants();
    assertThat(h.heldNow()).isZero();
    assertThat(h.heldEver()).isEqualTo(3);
    assertThat(h.mustHold("b")).isFalse();
  }

  @Test
  void takeOrderIsB1B2ThenA1() {
    HeldSends<String, String> h = new HeldSends<>();
    h.hold("b", "b1");
    h.hold("a", "a1");
    h.hold("b", "b2");
    assertThat(List.of(h.take(), h.take(), h.take())).containsExactly("b1", "b2", "a1");
    assertThatThrownBy(h::take).isInstanceOf(IllegalStateException.class).hasMessageContaining("nothing held");
  }

  @Test
  void clearForgetsAndCounts() {
    HeldSends<String, String> h = new HeldSends<>();
    h.hold("a", "a1");
    h.hold("a", "a2");
    assertThat(h.clear()).isEqualTo(2);
    assertThat(h.mustHold("a")).isFalse();
    h.checkInvariants();
  }

  /** One step of the shell: offer a message (a buffer is free or not) or drain with k buffers. */
  record Step(boolean offer, int destination, boolean bufferFree, int buffers) {}

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Step> offer = Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.of(true, false))
        .as((d, free) -> new Step(true, d, free, 0));
    Arbitrary<Step> drain = Arbitraries.integers().between(0, 4).map(k -> new Step(false, 0, false, k));
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, offer), net.jqwik.api.Tuple.of(1, drain))
        .list().ofMaxSize(60);
  }

  /**
   * Whatever memory does, every destination receives its messages exactly once and in the order
   * they were offered, as the shell's rule (send at once only when nothing is held for the
   * destination and a buffer is free) drives the core.
   */
  @Property(tries = 500)
  void perDestinationOrderIsKeptAndNothingIsLost(@ForAll("steps") List<Step> steps) {
    HeldSends<Integer, Integer> h = new HeldSends<>();
    Map<Integer, List<Integer>> offered = new HashMap<>();
    Map<Integer, List<Integer>> sent = new HashMap<>();
    Map<Integer, Integer> destinationOf = new HashMap<>();
    int next = 0;
    for (Step s : steps) {
      if (s.offer()) {
        int m = next++;
        destinationOf.put(m, s.destination());
        offered.computeIfAbsent(s.destination(), d -> new ArrayList<>()).add(m);
        if (!h.mustHold(s.destination()) && s.bufferFree()) {
          sent.computeIfAbsent(s.destination(), d -> new ArrayList<>()).add(m);
        } else {
          h.hold(s.destination(), m);
        }
      } else {
        for (int i = 0; i < s.buffers() && h.peek() != null; i++) {
          int m = h.take();
          sent.computeIfAbsent(destinationOf.get(m), d -> new ArrayList<>()).add(m);
        }
      }
      h.checkInvariants();
    }
    while (h.peek() != null) {
      int m = h.take();
      sent.computeIfAbsent(destinationOf.get(m), d -> new ArrayList<>()).add(m);
    }
    assertThat(sent).isEqualTo(offered);
  }
}
