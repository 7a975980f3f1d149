package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Recovery batches: bounded, in order, nothing lost or repeated, and as few as the bound allows. */
class RecoveryBatchesTest {

  record Part(String key, List<Integer> items) {}

  @Test
  void namesAreCutIntoBatchesOfTheBoundWithTheRestLast() {
    assertThat(RecoveryBatches.ofItems(List.of(1, 2, 3, 4, 5), 2))
        .containsExactly(List.of(1, 2), List.of(3, 4), List.of(5));
    assertThat(RecoveryBatches.ofItems(List.of(), 2)).isEmpty();
  }

  @Test
  void aResourceWhoseLocksDoNotFitIsSplitAcrossBatchesInOrder() {
    List<Map.Entry<String, List<Integer>>> groups = List.of(Map.entry("a", List.of(1)), Map.entry("b", List.of(2, 3, 4)),
        Map.entry("empty", List.of()), Map.entry("c", List.of(5)));
    assertThat(RecoveryBatches.ofGroups(groups, 2, Part::new)).containsExactly(
        List.of(new Part("a", List.of(1)), new Part("b", List.of(2))),
        List.of(new Part("b", List.of(3, 4))),
        List.of(new Part("c", List.of(5))));
  }

  @Test
  void aBoundBelowOneIsRefusedWithTheValue() {
    assertThatThrownBy(() -> RecoveryBatches.ofItems(List.of(1), 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0");
    assertThatThrownBy(() -> RecoveryBatches.ofGroups(List.of(), -3, Part::new))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-3");
  }

  @Property
  void itemBatchesAreBoundedAndConcatenateToTheInput(@ForAll("numbers") List<Integer> items,
      @ForAll @IntRange(min = 1, max = 9) int max) {
    List<List<Integer>> batches = RecoveryBatches.ofItems(items, max);
    List<Integer> joined = new ArrayList<>();
    for (List<Integer> b : batches) {
      assertThat(b).isNotEmpty().hasSizeLessThanOrEqualTo(max);
      joined.addAll(b);
    }
    assertThat(joined).isEqualTo(items);
    assertThat(batches).hasSize((items.size() + max - 1) / max);
  }

  @Property
  void groupBatchesAreBoundedFewestAndGiveBackEveryGroupInOrder(@ForAll("groups") Map<String, List<Integer>> input,
      @ForAll @IntRange(min = 1, max = 9) int max) {
    List<Map.Entry<String, List<Integer>>> groups = new ArrayList<>(input.entrySet());
    List<List<Part>> batches = RecoveryBatches.ofGroups(groups, max, Part::new);
    Map<String, List<Integer>> rebuilt = new LinkedHashMap<>();
    int total = 0;
    for (List<Part> b : batches) {
      int inBatch = 0;
      for (Part p : b) {
        assertThat(p.items()).as("a part carries items").isNotEmpty();
        inBatch += p.items().size();
        rebuilt.computeIfAbsent(p.key(), k -> new ArrayList<>()).addAll(p.items());
      }
      assertThat(inBatch).isBetween(1, max);
      total += inBatch;
    }
    Map<String, List<Integer>> expected = new LinkedHashMap<>();
    input.forEach((k, v) -> {
      if (!v.isEmpty()) {
        expected.put(k, v);
      }
    });
    assertThat(rebuilt).containsExactlyEntriesOf(expected);
    assertThat(batches).hasSize((total + max - 1) / max);
  }

  @Provide
  Arbitrary<List<Integer>> numbers() {
    return Arbitraries.integers().between(0, 1000).list().ofMaxSize(40);
  }

  @Provide
  Arbitrary<Map<String, List<Integer>>> groups() {
    return Arbitraries.maps(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(4),
            Arbitraries.integers().between(0, 1000).list().ofMaxSize(12))
        .ofMaxSize(10).map(LinkedHashMap::new);
  }
}
