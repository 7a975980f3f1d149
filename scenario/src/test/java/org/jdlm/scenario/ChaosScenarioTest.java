package org.jdlm.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The chaos generator writes valid, reproducible files in which a majority always survives. */
class ChaosScenarioTest {

  @Property(tries = 200)
  void everyGeneratedFileParsesAndKeepsAMajorityAliveInEveryRound(@ForAll long seed,
      @ForAll @IntRange(min = 3, max = 9) int nodes, @ForAll @IntRange(min = 1, max = 6) int rounds,
      @ForAll boolean allowPause) throws Exception {
    String text = ChaosScenario.generate(nodes, rounds, seed, allowPause);
    Scenario parsed = ScenarioParser.parse("chaos.scen", text);
    assertThat(parsed.header().nodes()).isEqualTo(nodes);
    List<Integer> faultsPerRound = new ArrayList<>();
    int restarts = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith("# round ")) {
        faultsPerRound.add(0);
      } else if (line.startsWith("kill ") || line.startsWith("pause ")) {
        faultsPerRound.set(faultsPerRound.size() - 1, faultsPerRound.get(faultsPerRound.size() - 1) + 1);
      } else if (line.startsWith("restart ")) {
        restarts++;
      }
      if (!allowPause) {
        assertThat(line).doesNotStartWith("pause ");
      }
    }
    assertThat(faultsPerRound).hasSize(rounds).allSatisfy(f -> {
      assertThat(f).isBetween(1, 2);
      assertThat(nodes - f).as("survivors of %d nodes", nodes).isGreaterThan(nodes / 2);
    });
    assertThat(restarts).as("every victim comes back").isEqualTo(faultsPerRound.stream().mapToInt(Integer::intValue).sum());
  }

  @Test
  void theSameSeedWritesTheSameFileAndAnotherSeedAnotherOne() {
    assertThat(ChaosScenario.generate(5, 4, 42, true)).isEqualTo(ChaosScenario.generate(5, 4, 42, true));
    assertThat(ChaosScenario.generate(5, 4, 42, true)).isNotEqualTo(ChaosScenario.generate(5, 4, 43, true));
  }

  @Test
  void overManySeedsBothFaultKindsBothMasterPlacementsAndDoubleFailuresOccur() {
    StringBuilder all = new StringBuilder();
    for (long seed = 0; seed < 20; seed++) {
      all.append(ChaosScenario.generate(5, 5, seed, true));
    }
    String text = all.toString();
    assertThat(text).contains("\npause n", "\nkill n");
    assertThat(text).containsPattern("# round \\d+: victims n\\d n\\d\n");
    // The victim locks the anchor (it masters the resource) in some rounds, a survivor in others.
    assertThat(text).containsPattern("n(\\d) lock A\\S+ \\S+ NL\nawait A\\S+ cast OK\nn\\1 lock H");
    assertThat(text).containsPattern("n(\\d) lock A\\S+ \\S+ NL\nawait A\\S+ cast OK\nn(?!\\1)\\d lock H");
  }

  @Test
  void badSizesAreRefusedWithTheValue() {
    assertThatThrownBy(() -> ChaosScenario.generate(2, 1, 0, false)).hasMessageContaining("not 2");
    assertThatThrownBy(() -> ChaosScenario.generate(10, 1, 0, false)).hasMessageContaining("not 10");
    assertThatThrownBy(() -> ChaosScenario.generate(3, 0, 0, false)).hasMessageContaining("not 0");
  }
}
