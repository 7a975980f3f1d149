package org.jdlm.scenario.chaos.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FaultScheduleTest {

  private static FaultSchedule.Spec spec(long seed, int members, int maxFaulty) {
    return new FaultSchedule.Spec(seed, members, 120_000, maxFaulty, 3_000, 1_000, EnumSet.allOf(FaultKind.class));
  }

  @ParameterizedTest(name = "{0} members: at most {1} faulty at once")
  @CsvSource({"1,0", "2,0", "3,1", "4,1", "5,2", "6,2", "7,3", "9,4"})
  void minorityIsTheDefaultBound(int members, int minority) {
    assertThat(FaultSchedule.Spec.minority(members)).isEqualTo(minority);
    FaultSchedule schedule = FaultSchedule.generate(spec(7, members, minority));
    assertThat(schedule.maxConcurrentlyFaulty()).isLessThanOrEqualTo(minority);
    if (minority > 0) {
      assertThat(schedule.faults()).isNotEmpty();
    } else {
      assertThat(schedule.faults()).isEmpty();
    }
  }

  @Property(tries = 200)
  void neverMoreThanMaxFaultyAndEveryFaultEndsInTime(@ForAll long seed, @ForAll @IntRange(min = 1, max = 9) int members,
      @ForAll @IntRange(min = 0, max = 9) int asked) {
    int maxFaulty = Math.min(asked, members);
    FaultSchedule schedule = FaultSchedule.generate(spec(seed, members, maxFaulty));
    assertThat(schedule.maxConcurrentlyFaulty()).isLessThanOrEqualTo(maxFaulty);
    assertThat(schedule.faults()).allSatisfy(f -> assertThat(f.endMs()).isLessThanOrEqualTo(120_000));
  }

  @Property(tries = 100)
  void printedScheduleReplays(@ForAll long seed, @ForAll @IntRange(min = 1, max = 7) int members) {
    FaultSchedule schedule = FaultSchedule.generate(spec(seed, members, FaultSchedule.Spec.minority(members)));
    assertThat(FaultSchedule.parse(schedule.print())).isEqualTo(schedule);
  }

  @Property(tries = 50)
  void sameSeedSameSchedule(@ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
    assertThat(FaultSchedule.generate(spec(seed, 5, 2))).isEqualTo(FaultSchedule.generate(spec(seed, 5, 2)));
  }

  @Test
  void differentSeedsDiffer() {
    assertThat(FaultSchedule.generate(spec(1, 5, 2))).isNotEqualTo(FaultSchedule.generate(spec(2, 5, 2)));
  }

  @Test
  void majorityOnlyWhenAsked() {
    FaultSchedule asked = FaultSchedule.generate(spec(3, 5, 4));
    assertThat(asked.maxConcurrentlyFaulty()).isGreaterThan(2);
  }

  @Test
  void pausesStraddleTheFailureDetectorBound() {
    FaultSchedule schedule = FaultSchedule.generate(spec(11, 5, 2));
    assertThat(schedule.faults()).filteredOn(f -> f.kind() == FaultKind.PAUSE_SHORT).isNotEmpty()
        .allSatisfy(f -> assertThat(f.forMs()).isLessThan(3_000 / 2));
    assertThat(schedule.faults()).filteredOn(f -> f.kind() == FaultKind.PAUSE_LONG).isNotEmpty()
        .allSatisfy(f -> assertThat(f.forMs()).isGreaterThan(3_000));
    assertThat(schedule.faults()).extracting(FaultSchedule.Fault::kind).containsAll(EnumSet.allOf(FaultKind.class));
    assertThat(schedule.faults()).filteredOn(f -> f.kind() == FaultKind.PARTITION)
        .extracting(FaultSchedule.Fault::detail).contains("both", "one-way");
  }

  @Test
  void printedFormat() {
    FaultSchedule schedule = new FaultSchedule(new FaultSchedule.Spec(42, 5, 10_000, 2, 3_000, 1_000,
        Set.of(FaultKind.KILL, FaultKind.PARTITION)), List.of(
        new FaultSchedule.Fault(1, 1_500, 3_000, FaultKind.KILL, List.of("n2"), null),
        new FaultSchedule.Fault(2, 2_000, 5_000, FaultKind.PARTITION, List.of("n4"), "one-way")));
    assertThat(schedule.print()).isEqualTo("""
        # chaos schedule seed=42 members=5 duration=10000ms max-faulty=2 fd-bound=3000ms mean-gap=1000ms kinds=kill,partition
        fault 1 at=1500ms for=3000ms kill n2
        fault 2 at=2000ms for=5000ms partition n4 one-way
        """);
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', value = {
      "fault 1 at=100ms for=100ms kill n2|schedule line 1 'fault 1 at=100ms for=100ms kill n2': a fault before the",
      "#x\\n# chaos schedule seed=1 members=3 duration=1000ms max-faulty=1 fd-bound=100ms mean-gap=100ms kinds=kill\\nfault 1 at=100ms for=100ms kil n2|schedule line 3 'fault 1 at=100ms for=100ms kil n2': unknown fault kind 'kil'",
      "# chaos schedule seed=1 members=3 duration=1000ms max-faulty=1 fd-bound=100ms mean-gap=100ms kinds=kill\\nfault 1 at=100ms for=100ms kill n4|targets 'n4', not one of n1..n3",
      "# chaos schedule seed=1 members=3 duration=1000ms max-faulty=1 fd-bound=100ms mean-gap=100ms kinds=kill\\nfault 1 at=100ms for=100ms kill n1,n2|would put 2 members under a fault at once, more than max-faulty 1",
      "# chaos schedule seed=1 members=3 duration=1000ms max-faulty=1 fd-bound=100ms mean-gap=100ms kinds=kill\\nfault 1 at=100ms for=1000ms kill n1|ends at 1100 ms, after the run's 1000 ms",
      "# chaos schedule seed=1 members=3 duration=1000ms max-faulty=2 fd-bound=100ms mean-gap=100ms kinds=kill\\nfault 1 at=100ms for=500ms kill n1\\nfault 2 at=200ms for=100ms pause-short n1|hits n1, which is still under fault 1",
      "# chaos schedule seed=1 members=3 duration=1000ms max-faulty=1 fd-bound=100ms mean-gap=100ms kinds=kill\\nfault 1 at=100ms 100ms kill n1|expected 'fault ID at=MSms",
      "# chaos schedule seed=1 members=3 duration=1000ms max-faulty=1 fd-bound=100ms mean-gap=100ms kinds=kill\\nfault 1 at=100ms for=100ms partition n1|a partition, and only a partition, says both or one-way",
      "# only a comment|the schedule has no '# chaos schedule seed=...' header line"})
  void badSchedulesSayWhy(String text, String message) {
    assertThatThrownBy(() -> FaultSchedule.parse(text.replace("\\n", "\n")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
  }
}
