package org.jdlm.fencing.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class FencingLedgerTest {

  /** Runs a command's events through apply, as the persistent actor does. */
  private static FencingLedger persist(FencingLedger l, FencingLedger.Decision<?> d) {
    for (FencingLedger.Event e : d.events()) {
      l = l.apply(e);
    }
    return l;
  }

  @Test
  void aFencedIncarnationIsNeverAdmittedAgainButARestartedOneIs() {
    FencingLedger l = FencingLedger.empty();
    l = persist(l, l.admit("n2", 111));
    l = persist(l, l.recordFenced("n2", 111, "power", 1000));
    assertThat(l.admit("n2", 111).reply()).isEqualTo(new FencingLedger.RefusedFenced("n2", 111, "power"));
    assertThat(l.admit("n2", 222).reply()).isEqualTo(new FencingLedger.Admitted("n2", 222));
  }

  @Test
  void fencingAdvancesTheGenerationOnceEvenWhenRecordedTwice() {
    FencingLedger l = FencingLedger.empty();
    FencingLedger.Decision<Long> first = l.recordFenced("n3", 7, "storage", 5);
    l = persist(l, first);
    assertThat(first.reply()).isEqualTo(1L);
    FencingLedger.Decision<Long> again = l.recordFenced("n3", 7, "power", 6);
    assertThat(again.events()).isEmpty();
    assertThat(again.reply()).isEqualTo(1L);
  }

  @Test
  void replayingTheJournalRebuildsTheSameLedger() {
    List<FencingLedger.Event> journal = new ArrayList<>();
    FencingLedger l = FencingLedger.empty();
    for (var step : List.<java.util.function.Function<FencingLedger, FencingLedger.Decision<?>>>of(
        x -> x.admit("n1", 1), x -> x.admit("n2", 2), x -> x.recordFenced("n2", 2, "power", 9), x -> x.advance("join n2#3"))) {
      FencingLedger.Decision<?> d = step.apply(l);
      journal.addAll(d.events());
      l = persist(l, d);
    }
    FencingLedger replayed = FencingLedger.replay(journal);
    assertThat(replayed.generation()).isEqualTo(2);
    assertThat(replayed.isFenced("n2", 2)).isTrue();
    assertThat(replayed.isAdmitted("n1", 1)).isTrue();
    assertThat(replayed.toString()).isEqualTo(l.toString());
  }

  @Test
  void aGenerationThatDoesNotGrowIsABug() {
    FencingLedger l = FencingLedger.empty().apply(new FencingLedger.GenerationAdvanced(5, "x"));
    assertThatThrownBy(() -> l.apply(new FencingLedger.GenerationAdvanced(5, "y")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("5 -> 5");
  }

  @Property(tries = 200)
  void generationOnlyGrowsAndFencedStaysFenced(@ForAll("steps") List<Integer> steps) {
    FencingLedger l = FencingLedger.empty();
    List<long[]> fenced = new ArrayList<>();
    for (int s : steps) {
      long before = l.generation();
      int node = Math.abs(s) % 3;
      long inc = Math.abs(s) % 5;
      switch (Math.floorMod(s, 3)) {
        case 0 -> l = persist(l, l.admit("n" + node, inc));
        case 1 -> {
          l = persist(l, l.recordFenced("n" + node, inc, "power", 0));
          fenced.add(new long[] {node, inc});
        }
        default -> l = persist(l, l.advance("change"));
      }
      assertThat(l.generation()).isGreaterThanOrEqualTo(before);
      for (long[] f : fenced) {
        assertThat(l.admit("n" + f[0], f[1]).reply()).isInstanceOf(FencingLedger.RefusedFenced.class);
      }
    }
  }

  @Provide
  Arbitrary<List<Integer>> steps() {
    return Arbitraries.integers().between(-100, 100).list().ofMaxSize(40);
  }
}
