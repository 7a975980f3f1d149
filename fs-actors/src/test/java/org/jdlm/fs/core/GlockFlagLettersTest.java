package org.jdlm.fs.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The dump letters of glock and holder flags, in gflags2str / hflags2str order (fs-cycles §1.3, §1.4). */
class GlockFlagLettersTest {

  @Test
  void glockFlagLettersInGflags2strOrder() {
    StringBuilder all = new StringBuilder();
    for (GlockFlag f : GlockFlag.values()) {
      all.append(f.letter());
    }
    assertThat(all.toString()).isEqualTo("lDdpyfiraFqLobxnNeEs");
    assertThat(GlockDump.flagLetters(EnumSet.allOf(GlockFlag.class))).isEqualTo("lDdpyfiraFqLobxnNeEs");
    assertThat(GlockDump.flagLetters(EnumSet.of(GlockFlag.LRU, GlockFlag.INITIAL, GlockFlag.LOCK))).isEqualTo("laL");
  }

  @Test
  void holderLettersInHflags2strOrderWithGrantedOrWaitingBeforeSkip() {
    assertThat(HolderFlag.dumpLetters(EnumSet.allOf(HolderFlag.class), true)).isEqualTo("tTeAnaEcHs");
    assertThat(HolderFlag.dumpLetters(EnumSet.allOf(HolderFlag.class), false)).isEqualTo("tTeAnaEcWs");
    assertThat(HolderFlag.dumpLetters(Set.of(), true)).isEqualTo("H");
    assertThat(HolderFlag.dumpLetters(Set.of(HolderFlag.SKIP), false)).isEqualTo("Ws");
    assertThat(HolderFlag.dumpLetters(Set.of(HolderFlag.NOPID), true)).isEqualTo("H");
  }
}
