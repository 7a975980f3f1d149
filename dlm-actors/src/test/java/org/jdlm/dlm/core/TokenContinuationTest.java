package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A new master of a tossed resource continues the token counter instead of restarting it. */
class TokenContinuationTest {

  private static final NodeId N1 = new NodeId("n1");

  private static FencingToken grantToken(List<Effect> effects) {
    return effects.stream().filter(e -> e instanceof Effect.Completion).map(e -> ((Effect.Completion) e).token())
        .findFirst().orElseThrow();
  }

  @Test
  void newMasterIssuesTokensAboveTheCounterItContinuesAfter() {
    ResourceState fresh = new ResourceState("R", 32, 4);
    fresh.continueTokensAfter(7);
    FencingToken t = grantToken(fresh.request(new LockId(N1, 1), LockMode.EX, Set.of(), null, false));
    assertThat(t).isEqualTo(new FencingToken(4, 8));
    fresh.checkInvariants();
  }

  @Test
  void continuingNeverLowersTheCounter() {
    ResourceState state = new ResourceState("R", 32, 1);
    for (long id = 1; id <= 3; id++) {
      state.request(new LockId(N1, id), LockMode.EX, Set.of(), null, false);
      state.unlock(new LockId(N1, id), Set.of(), null);
    }
    state.continueTokensAfter(1);
    FencingToken t = grantToken(state.request(new LockId(N1, 9), LockMode.EX, Set.of(), null, false));
    assertThat(t).isEqualTo(new FencingToken(1, 4));
  }
}
