package org.jdlm.fs.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdlm.fs.core.GlockPhase.Demoting;
import org.jdlm.fs.core.GlockPhase.InFlight;
import org.jdlm.fs.core.GlockPhase.Promoting;
import org.jdlm.fs.core.GlockPhase.Stage;
import org.junit.jupiter.api.Test;

/** Every phase × every phase: legal exactly when a literal list of transitions says so. */
class GlockPhaseTest {

  // Legal targets of each stable phase (the stage of a new flight may be GLOPS or DLM).
  private static final Map<GlockState, Set<String>> FROM_STABLE = Map.of(
      GlockState.UN, Set.of("Pro>SH", "Pro>DF", "Pro>EX", "Freeing", "Freed"),
      GlockState.SH, Set.of("Pro>UN", "Pro>DF", "Pro>EX", "Dem>UN", "Dem>DF"),
      GlockState.DF, Set.of("Pro>UN", "Pro>SH", "Pro>EX", "Dem>UN", "Dem>SH"),
      GlockState.EX, Set.of("Pro>UN", "Pro>SH", "Pro>DF", "Dem>UN", "Dem>SH", "Dem>DF"));

  static List<GlockPhase> universe() {
    List<GlockPhase> all = new ArrayList<>();
    for (GlockState s : GlockState.values()) {
      all.add(GlockPhase.of(s));
    }
    for (GlockState f : GlockState.values()) {
      for (GlockState t : GlockState.values()) {
        for (Stage st : Stage.values()) {
          all.add(new Promoting(f, t, st));
          all.add(new Demoting(f, t, st));
        }
      }
    }
    all.add(GlockPhase.FREEING);
    all.add(GlockPhase.FREED);
    return all;
  }

  static String label(GlockPhase p) {
    if (p instanceof InFlight) {
      return (p instanceof Promoting ? "Pro>" : "Dem>") + ((InFlight) p).to();
    }
    return p.getClass().getSimpleName();
  }

  static boolean oracle(GlockPhase from, GlockPhase next) {
    if (from instanceof GlockPhase.Stable) {
      boolean flightFromHere = !(next instanceof InFlight) || ((InFlight) next).from() == from.state();
      return flightFromHere && FROM_STABLE.get(from.state()).contains(label(next));
    }
    if (from instanceof InFlight) {
      InFlight f = (InFlight) from;
      if (f.stage() == Stage.GLOPS) {
        return next.equals(f instanceof Promoting ? new Promoting(f.from(), f.to(), Stage.DLM)
            : new Demoting(f.from(), f.to(), Stage.DLM));
      }
      return next instanceof GlockPhase.Stable;
    }
    return from instanceof GlockPhase.Freeing && next instanceof GlockPhase.Freed;
  }

  @Test
  void everyTransitionIsLegalExactlyWhenTheListSaysSo() {
    int legal = 0;
    for (GlockPhase from : universe()) {
      for (GlockPhase next : universe()) {
        boolean expected = oracle(from, next);
        if (expected) {
          legal++;
          assertThat(from.transitionTo(next)).isEqualTo(next);
        } else {
          assertThatThrownBy(() -> from.transitionTo(next)).as("%s -> %s", from, next)
              .isInstanceOf(IllegalStateException.class).hasMessageContaining("legal:");
        }
      }
    }
    assertThat(universe()).hasSize(70);
    // From stable: UN 3x2+2, SH 5x2, DF 5x2, EX 6x2 = 40; each GLOPS flight to its DLM stage: 32;
    // each DLM flight to any stable phase: 32x4; Freeing -> Freed: 1. Pinned so a loosened rule shows.
    assertThat(legal).isEqualTo(40 + 32 + 128 + 1);
  }

  @Test
  void stateOfEachPhaseIsTheDlmHeldState() {
    assertThat(new Promoting(GlockState.SH, GlockState.EX, Stage.DLM).state()).isEqualTo(GlockState.SH);
    assertThat(new Demoting(GlockState.EX, GlockState.UN, Stage.GLOPS).state()).isEqualTo(GlockState.EX);
    assertThat(GlockPhase.FREEING.state()).isEqualTo(GlockState.UN);
    assertThat(GlockPhase.FREEING.isDead()).isTrue();
    assertThat(GlockPhase.EXCLUSIVE.isDead()).isFalse();
  }
}
