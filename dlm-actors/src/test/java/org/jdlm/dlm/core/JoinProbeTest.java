package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The rules of {@link JoinProbe}, named after them. Nodes are addresses "a".."e"; "a" joins. */
class JoinProbeTest {

  @Test
  void rule1_everyOtherUpNodeIsAsked() {
    JoinProbe<String> probe = JoinProbe.start(Set.of("a", "b", "c"), "a");
    assertThat(probe.probing()).isTrue();
    assertThat(probe.outstanding()).containsExactly("b", "c");
  }

  @Test
  void rule1_aNodeAloneInTheClusterIsDoneBeforeItStarts() {
    JoinProbe<String> probe = JoinProbe.start(Set.of("a"), "a");
    assertThat(probe.probing()).isFalse();
    assertThat(probe.outstanding()).isEmpty();
    assertThat(probe.tick(Set.of("a", "b"))).isEqualTo(JoinProbe.Tick.NOT_PROBING);
  }

  @Test
  void rule2_theProbeIsOverWithTheLastAnswerAndOnlyThen() {
    JoinProbe<String> probe = JoinProbe.start(Set.of("a", "b", "c"), "a");
    assertThat(probe.settled("b")).as("c still to answer").isFalse();
    assertThat(probe.probing()).isTrue();
    assertThat(probe.settled("c")).as("the last answer ends the probe").isTrue();
    assertThat(probe.probing()).isFalse();
    assertThat(probe.settled("c")).as("a late repeat changes nothing").isFalse();
  }

  @Test
  void rule2_anAnswerFromANodeNotAskedSettlesNothing() {
    JoinProbe<String> probe = JoinProbe.start(Set.of("a", "b"), "a");
    assertThat(probe.settled("z")).isFalse();
    assertThat(probe.outstanding()).containsExactly("b");
  }

  @Test
  void rule3_aTickAsksAgainTheNodesStillUp() {
    JoinProbe<String> probe = JoinProbe.start(Set.of("a", "b", "c", "d"), "a");
    probe.settled("b");
    assertThat(probe.tick(Set.of("a", "b", "c"))).isEqualTo(JoinProbe.Tick.ASK_AGAIN);
    assertThat(probe.outstanding()).as("d left the cluster: never asked again").containsExactly("c");
  }

  @Test
  void rule3_whenNoNodeLeftToAskIsUpTheTickEndsTheProbe() {
    JoinProbe<String> probe = JoinProbe.start(Set.of("a", "b", "c"), "a");
    assertThat(probe.tick(Set.of("a"))).isEqualTo(JoinProbe.Tick.FINISHED);
    assertThat(probe.probing()).isFalse();
    assertThat(probe.tick(Set.of("a", "b"))).isEqualTo(JoinProbe.Tick.NOT_PROBING);
  }

  /** Whatever the order of answers and ticks, the probe ends exactly when no node is left to ask, and ends once. */
  @Property
  void theProbeEndsOnceExactlyWhenNothingIsLeftToAsk(@ForAll @Size(max = 30) List<@IntRange(min = 0, max = 9) Integer> steps,
      @ForAll @IntRange(min = 0, max = 5) int nodes) {
    Set<String> up = new TreeSet<>();
    for (int i = 0; i <= nodes; i++) {
      up.add("n" + i);
    }
    JoinProbe<String> probe = JoinProbe.start(up, "n0");
    Set<String> left = new TreeSet<>(up);
    left.remove("n0");
    int endings = probe.probing() ? 0 : 1;
    for (int step : steps) {
      boolean ended;
      if (step < 6) {
        String node = "n" + step;
        ended = probe.settled(node);
        left.remove(node);
      } else {
        up.remove("n" + (step - 5)); // a node leaves the cluster, then the timer fires
        JoinProbe.Tick tick = probe.tick(up);
        ended = tick == JoinProbe.Tick.FINISHED;
        left.retainAll(up);
      }
      endings += ended ? 1 : 0;
      probe.checkInvariants();
      assertThat(probe.probing()).isEqualTo(!left.isEmpty() && endings == 0);
      assertThat(probe.outstanding()).containsExactlyElementsOf(probe.probing() ? left : Set.of());
    }
    assertThat(endings).isLessThanOrEqualTo(1);
  }
}
