package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Flag values are Linux's ({@code dlmconstants.h}); names parse; status codes match semantics §2.9. */
class LockFlagTest {

  @Test
  void everyFlagHasItsLinuxValue() {
    Map<String, Integer> linux = new LinkedHashMap<>();
    linux.put("NOQUEUE", 0x1);
    linux.put("CANCEL", 0x2);
    linux.put("CONVERT", 0x4);
    linux.put("VALBLK", 0x8);
    linux.put("QUECVT", 0x10);
    linux.put("IVVALBLK", 0x20);
    linux.put("CONVDEADLK", 0x40);
    linux.put("PERSISTENT", 0x80);
    linux.put("NODLCKWT", 0x100);
    linux.put("NODLCKBLK", 0x200);
    linux.put("EXPEDITE", 0x400);
    linux.put("NOQUEUEBAST", 0x800);
    linux.put("HEADQUE", 0x1000);
    linux.put("NOORDER", 0x2000);
    linux.put("ORPHAN", 0x4000);
    linux.put("ALTPR", 0x8000);
    linux.put("ALTCW", 0x10000);
    linux.put("FORCEUNLOCK", 0x20000);
    linux.put("TIMEOUT", 0x40000);
    assertThat(LockFlag.values()).hasSize(linux.size());
    linux.forEach((name, value) -> assertThat(LockFlag.parse(name).value()).as(name).isEqualTo(value));
  }

  @Test
  void flagListParsesCaseInsensitively() {
    assertThat(LockFlag.parseList("noqueue, NOQUEUEBAST")).containsExactly(LockFlag.NOQUEUE, LockFlag.NOQUEUEBAST);
    assertThat(LockFlag.parseList("")).isEmpty();
  }

  @Test
  void unknownFlagNameIsReportedWithTheName() {
    assertThatThrownBy(() -> LockFlag.parseList("NOQUEUE,BOGUS"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'BOGUS'")
        .hasMessageContaining("NOQUEUE");
  }

  @Test
  void flagWordRoundTripsAndRejectsUnknownBits() {
    EnumSet<LockFlag> set = EnumSet.of(LockFlag.VALBLK, LockFlag.ALTCW, LockFlag.TIMEOUT);
    assertThat(LockFlag.fromBits(LockFlag.bits(set))).isEqualTo(set);
    assertThatThrownBy(() -> LockFlag.fromBits(0x80000))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x80000");
  }

  @Test
  void statusCodesHaveKernelValues() {
    assertThat(CastStatus.OK.value()).isZero();
    assertThat(CastStatus.EAGAIN.value()).isEqualTo(-11);
    assertThat(CastStatus.EDEADLK.value()).isEqualTo(-35);
    assertThat(CastStatus.ECANCEL.value()).isEqualTo(-65537);
    assertThat(CastStatus.EUNLOCK.value()).isEqualTo(-65538);
    assertThat(SyncStatus.EINVAL.value()).isEqualTo(-22);
    assertThat(SyncStatus.ENOENT.value()).isEqualTo(-2);
    assertThat(SyncStatus.EBUSY.value()).isEqualTo(-16);
  }

  @Test
  void sbflagsHaveKernelBitsAndPrintByName() {
    assertThat(SbFlags.DEMOTED).isEqualTo(0x01);
    assertThat(SbFlags.VALNOTVALID).isEqualTo(0x02);
    assertThat(SbFlags.ALTMODE).isEqualTo(0x04);
    assertThat(SbFlags.of(3).toString()).isEqualTo("DEMOTED,VALNOTVALID");
    assertThat(SbFlags.of(0).toString()).isEqualTo("none");
    assertThatThrownBy(() -> SbFlags.of(8)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x8");
  }

  @Test
  void fencingTokensOrderByGenerationThenCounter() {
    assertThat(new FencingToken(2, 1)).isGreaterThan(new FencingToken(1, 99));
    assertThat(new FencingToken(1, 5)).isGreaterThan(new FencingToken(1, 4));
    assertThat(new FencingToken(1, 5).isNewerThan(null)).isTrue();
    assertThat(new FencingToken(1, 5).isNewerThan(new FencingToken(1, 5))).isFalse();
  }

  @Test
  void valueBlockPadsAndRejectsOversizedData() {
    assertThat(ValueBlock.ofAscii("AB", 8).toByteArray()).containsExactly('A', 'B', 0, 0, 0, 0, 0, 0);
    assertThat(ValueBlock.zeros(8).isZero()).isTrue();
    assertThat(ValueBlock.ofAscii("AB", 8).toString()).isEqualTo("\"AB\"");
    assertThatThrownBy(() -> ValueBlock.ofAscii("123456789", 8))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("9 bytes").hasMessageContaining("8");
  }
}
