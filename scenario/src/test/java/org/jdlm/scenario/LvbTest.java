package org.jdlm.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Value blocks keep the written bytes; padding to lvblen is the runner's, and only when shorter. */
class LvbTest {

  @Test
  void aShorterValueIsZeroPaddedToTheLockspaceLength() {
    assertThat(new Lvb(new byte[] {1, 2}).forBuffer(8)).containsExactly(1, 2, 0, 0, 0, 0, 0, 0);
  }

  @Test
  void aLongerValueIsPassedOnUnchangedSoTheApiAnswersEinval() {
    byte[] nine = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    assertThat(new Lvb(nine).forBuffer(8)).containsExactly(nine);
  }

  @Test
  void valueBlocksAreImmutableAndCompareByContent() {
    byte[] raw = {7};
    Lvb lvb = new Lvb(raw);
    raw[0] = 8;
    lvb.raw()[0] = 9;
    assertThat(lvb).isEqualTo(new Lvb(new byte[] {7})).hasSameHashCodeAs(new Lvb(new byte[] {7}));
    assertThat(lvb.toString()).isEqualTo("0x07");
  }
}
