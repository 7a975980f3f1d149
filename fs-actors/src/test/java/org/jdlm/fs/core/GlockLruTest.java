package org.jdlm.fs.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.kernel.core.GfpMask;
import org.junit.jupiter.api.Test;

/** The glock LRU and the shrinker's choices (fs-cycles §1.7–§1.8). */
class GlockLruTest {

  private final ManualClock clock = new ManualClock();
  private final Map<GlockName, GlockHarness> glocks = new LinkedHashMap<>();
  private GlockLru lru = new GlockLru(new GlockLru.Settings(100, 128, 0), clock);

  /** A glock held once in {@code state}, released and put: cached on the LRU. */
  private GlockHarness cached(GlockType type, long number, GlockState state) {
    GlockHarness h = new GlockHarness(GlockName.of(type, number));
    h.dequeue(h.hold(state));
    h.put();
    lru.applyAll(h.all);
    glocks.put(h.gl.name(), h);
    return h;
  }

  private GlockLru.Candidate lookup(GlockName n) {
    return glocks.get(n).gl.candidate();
  }

  @Test
  void withoutFsReclaimTheShrinkerStops() {
    cached(GlockType.INODE, 1, GlockState.SH);
    assertThat(lru.scan(10, GfpMask.NOFS, this::lookup)).isEqualTo(GlockLru.ScanResult.STOP);
    assertThat(lru.scan(10, GfpMask.NOIO, this::lookup).stop()).isTrue();
    assertThat(lru.scan(10, GfpMask.KERNEL, this::lookup).stop()).isFalse();
  }

  @Test
  void scanChoosesIdleUnusedGlocksSortedByNameAndSkipsTheOthers() {
    cached(GlockType.INODE, 0x30, GlockState.SH);
    cached(GlockType.RGRP, 0x20, GlockState.EX);
    cached(GlockType.INODE, 0x10, GlockState.EX);
    GlockHarness demoting = cached(GlockType.INODE, 0x40, GlockState.SH);
    demoting.bast(LockMode.EX); // a demote is already on its way
    GlockHarness system = cached(GlockType.INODE, 0x50, GlockState.SH);
    system.gl.attachObject(new GlockObject.Inode(1, 0x50, 8, 0, 0, 0, 0, true)); // jindex: never demoted
    GlockHarness used = cached(GlockType.INODE, 0x60, GlockState.SH);
    used.get();
    lru.applyAll(used.all);
    assertThat(lru.size()).isEqualTo(5);
    GlockLru.ScanResult r = lru.scan(100, GfpMask.KERNEL, this::lookup);
    assertThat(r.toReclaim()).containsExactly(GlockName.of(GlockType.INODE, 0x10), GlockName.of(GlockType.INODE, 0x30),
        GlockName.of(GlockType.RGRP, 0x20));
    assertThat(r.scanned()).isEqualTo(5);
  }

  @Test
  void scanLooksAtNoMoreThanAskedOrTheBatchFromTheOldEnd() {
    lru = new GlockLru(new GlockLru.Settings(100, 2, 0), clock);
    cached(GlockType.INODE, 3, GlockState.SH);
    cached(GlockType.INODE, 1, GlockState.SH);
    cached(GlockType.INODE, 2, GlockState.SH);
    assertThat(lru.scan(1, GfpMask.KERNEL, this::lookup).toReclaim()).containsExactly(GlockName.of(GlockType.INODE, 3));
    assertThat(lru.scan(10, GfpMask.KERNEL, this::lookup).toReclaim())
        .containsExactly(GlockName.of(GlockType.INODE, 1), GlockName.of(GlockType.INODE, 3));
    assertThatThrownBy(() -> lru.scan(-1, GfpMask.KERNEL, this::lookup)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void recentlyCachedGlocksAreSkippedUntilMinAge() {
    lru = new GlockLru(new GlockLru.Settings(100, 128, 500), clock);
    clock.millis = 1000;
    cached(GlockType.INODE, 1, GlockState.SH);
    clock.millis = 1400;
    assertThat(lru.scan(10, GfpMask.KERNEL, this::lookup).toReclaim()).isEmpty();
    clock.millis = 1500;
    assertThat(lru.scan(10, GfpMask.KERNEL, this::lookup).toReclaim()).hasSize(1);
  }

  @Test
  void reusedGlockLeavesTheLruAndReaddingMovesItToTheTail() {
    GlockHarness a = cached(GlockType.INODE, 1, GlockState.SH);
    cached(GlockType.INODE, 2, GlockState.SH);
    lru.applyAll(a.get());
    assertThat(lru.order()).containsExactly(GlockName.of(GlockType.INODE, 2));
    lru.applyAll(a.put());
    assertThat(lru.order()).containsExactly(GlockName.of(GlockType.INODE, 2), GlockName.of(GlockType.INODE, 1));
    assertThat(lru.countFreeable()).isEqualTo(2);
  }

  @Test
  void softLimitSaysHowManyToTrim() {
    lru = new GlockLru(new GlockLru.Settings(1, 128, 0), clock);
    cached(GlockType.INODE, 1, GlockState.SH);
    assertThat(lru.overLimit()).isZero();
    cached(GlockType.INODE, 2, GlockState.SH);
    cached(GlockType.INODE, 3, GlockState.SH);
    assertThat(lru.overLimit()).isEqualTo(2);
  }

  @Test
  void shrinkerChoiceEndsInTheDlmUnlockAndAnEmptyLru() {
    GlockHarness a = cached(GlockType.INODE, 1, GlockState.EX);
    GlockLru.ScanResult r = lru.scan(10, GfpMask.KERNEL, this::lookup);
    List<GlockEffect> effects = a.settle(a.reclaim());
    lru.applyAll(effects);
    assertThat(r.toReclaim()).containsExactly(a.gl.name());
    assertThat(effects).contains(new GlockEffect.UnlockDlm(java.util.Set.of(org.jdlm.dlm.core.LockFlag.VALBLK)),
        new GlockEffect.Freed(a.gl.name()));
    assertThat(lru.size()).isZero();
  }

  @Test
  void badSettingsAreRejected() {
    assertThatThrownBy(() -> new GlockLru.Settings(-1, 1, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("soft-limit (-1)");
  }
}
