package org.jdlm.fs.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.jdlm.dlm.core.LockMode;
import org.junit.jupiter.api.Test;

/**
 * Which glocks the LRU scan may demote, configuration by configuration (fs-cycles §1.8:
 * unused, not locked, cached in a locked state, no demote already pending, type agrees).
 */
class GlockReclaimTableTest {

  private static GlockHarness cached(GlockType type, GlockState state) {
    GlockHarness h = new GlockHarness(GlockName.of(type, 9));
    h.dequeue(h.hold(state));
    h.put();
    return h;
  }

  static Map<String, Supplier<GlockHarness>> configurations() {
    Map<String, Supplier<GlockHarness>> c = new LinkedHashMap<>();
    c.put("new, referenced", () -> GlockHarness.inode(9));
    c.put("SH cached on LRU", () -> cached(GlockType.INODE, GlockState.SH));
    c.put("DF cached on LRU", () -> cached(GlockType.INODE, GlockState.DF));
    c.put("EX cached on LRU", () -> cached(GlockType.INODE, GlockState.EX));
    c.put("rgrp EX cached on LRU", () -> cached(GlockType.RGRP, GlockState.EX));
    c.put("SH referenced", () -> {
      GlockHarness h = GlockHarness.inode(9);
      h.dequeue(h.hold(GlockState.SH));
      return h;
    });
    c.put("SH held", () -> {
      GlockHarness h = GlockHarness.inode(9);
      h.hold(GlockState.SH);
      h.put();
      return h;
    });
    c.put("SH cached, remote demote due", () -> {
      GlockHarness h = cached(GlockType.INODE, GlockState.SH);
      h.bast(LockMode.EX);
      return h;
    });
    c.put("SH cached, demote in flight", () -> {
      GlockHarness h = cached(GlockType.INODE, GlockState.SH);
      h.bast(LockMode.EX);
      h.work();
      return h;
    });
    c.put("jindex inode cached", () -> {
      GlockHarness h = cached(GlockType.INODE, GlockState.SH);
      h.gl.attachObject(new GlockObject.Inode(1, 9, 8, 0, 0, 0, 0, true));
      return h;
    });
    c.put("iopen cached", () -> cached(GlockType.IOPEN, GlockState.SH));
    c.put("freeing", () -> {
      GlockHarness h = GlockHarness.inode(9);
      h.put();
      return h;
    });
    return c;
  }

  // Literal expectation per configuration, in order.
  private static final boolean[] RECLAIMABLE = {
      false, // new, referenced
      true, // SH cached on LRU
      true, // DF cached on LRU
      true, // EX cached on LRU
      true, // rgrp EX cached on LRU
      false, // SH referenced
      false, // SH held
      false, // SH cached, remote demote due
      false, // SH cached, demote in flight
      false, // jindex inode cached
      true, // iopen cached
      false, // freeing
  };

  @Test
  void reclaimableExactlyInTheListedConfigurations() {
    int i = 0;
    for (Map.Entry<String, Supplier<GlockHarness>> e : configurations().entrySet()) {
      GlockHarness h = e.getValue().get();
      assertThat(h.gl.reclaimable()).as(e.getKey()).isEqualTo(RECLAIMABLE[i]);
      // A stale choice is harmless: reclaim of a glock that is not reclaimable does nothing.
      if (!RECLAIMABLE[i]) {
        assertThat(h.gl.reclaim(h.now)).as(e.getKey()).isEmpty();
      } else {
        assertThat(h.gl.reclaim(h.now)).as(e.getKey()).contains(new GlockEffect.RemoveFromLru(h.gl.name()));
      }
      i++;
    }
    assertThat(i).isEqualTo(RECLAIMABLE.length);
  }
}
