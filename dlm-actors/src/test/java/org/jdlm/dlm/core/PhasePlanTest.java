package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The rules of {@link PhasePlan}, named after them. Members are "a", "b", "c" (their node is their
 * name); a resource name's directory node is its first letter.
 */
class PhasePlanTest {

  private static final Function<String, String> DIR_NODE = n -> n.substring(0, 1);

  record Part(String name, List<Integer> locks) {}

  @Test
  void rule1_everyMemberHearsFromEveryMasterEvenWithNoNames() {
    Map<String, List<String>> plan = PhasePlan.registrations(List.of("a", "b", "c"), List.of("a1", "c1", "a2"),
        m -> m, DIR_NODE);
    assertThat(plan).containsExactly(Map.entry("a", List.of("a1", "a2")), Map.entry("b", List.of()),
        Map.entry("c", List.of("c1")));
  }

  @Test
  void rule1_aNameWhoseDirectoryNodeIsNotInTheViewIsABug() {
    assertThatThrownBy(() -> PhasePlan.registrations(List.of("a", "b"), List.of("z1"), m -> m, DIR_NODE))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("z1").hasMessageContaining("not in the view");
  }

  @Test
  void rule2_lostNamesAreLookedUpAtTheirDirectoryNodeInBatchesAndOwnNamesSettledHere() {
    PhasePlan.Lookups<String, String> plan = PhasePlan.lookups(List.of("b1", "a1", "b2", "b3", "c1", "a2"), DIR_NODE,
        "a", 2);
    assertThat(plan.own()).containsExactly("a1", "a2");
    assertThat(plan.remote()).containsExactly(Map.entry("b", List.of(List.of("b1", "b2"), List.of("b3"))),
        Map.entry("c", List.of(List.of("c1"))));
  }

  @Test
  void rule2_nothingLostNothingToAsk() {
    PhasePlan.Lookups<String, String> plan = PhasePlan.lookups(List.of(), DIR_NODE, "a", 2);
    assertThat(plan.own()).isEmpty();
    assertThat(plan.remote()).isEmpty();
  }

  @Test
  void rule3_copiesGoToEachNewMasterByResourceInBatchesOwnOnesStayAndEmptyOnesAreSkipped() {
    Map<String, String> remastered = new LinkedHashMap<>();
    remastered.put("r1", "b");
    remastered.put("r2", "a");
    remastered.put("r3", "b");
    remastered.put("r4", "c");
    Map<String, List<Integer>> locks = Map.of("r1", List.of(1, 2, 3), "r2", List.of(4), "r3", List.of(5),
        "r4", List.of());
    List<String> asked = new ArrayList<>();
    PhasePlan.Resends<String, String, Integer, Part> plan = PhasePlan.resends(remastered, (name, master) -> {
      asked.add(name + "@" + master);
      return locks.get(name);
    }, "a", 2, Part::new);
    assertThat(asked).as("asked once per name, in order").containsExactly("r1@b", "r2@a", "r3@b", "r4@c");
    assertThat(plan.own()).containsExactly(Map.entry("r2", List.of(4)));
    assertThat(plan.remote()).containsOnlyKeys("b");
    assertThat(plan.remote().get("b")).containsExactly(
        List.of(new Part("r1", List.of(1, 2))),
        List.of(new Part("r1", List.of(3)), new Part("r3", List.of(5))));
  }
}
