package org.jdlm.fs.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jdlm.fs.core.InodeCore.Context;
import org.jdlm.fs.core.InodeEffect.CacheDropStep;
import org.jdlm.fs.core.InodeRules.IopenOutcome;
import org.jdlm.kernel.core.GfpMask;
import org.junit.jupiter.api.Test;

/** The inode cache core: named rules, then every state × input against a literal table. */
class InodeCoreTest {

  private static final long INO = 0x1a2b;

  private static InodeCore inUse(long nlink) {
    InodeCore i = new InodeCore(INO, 5000);
    i.instantiated(nlink, true);
    return i;
  }

  @Test
  void lastPutOfALinkedInodeKeepsItCachedOnTheLru() {
    InodeCore i = inUse(1);
    assertThat(i.iput(Context.NORMAL)).containsExactly(new InodeEffect.AddToLru(INO));
    assertThat(i.state()).isEqualTo(InodeCore.State.CACHED);
    assertThat(i.iget()).isEmpty();
    assertThat(i.state()).isEqualTo(InodeCore.State.IN_USE);
  }

  @Test
  void unlinkedInodeEvictedOutsideReclaimTriesIopenExclusiveThenDeallocates() {
    InodeCore i = inUse(0);
    assertThat(i.iput(Context.NORMAL)).containsExactly(new InodeEffect.RemoveFromLru(INO),
        new InodeEffect.TryIopenExclusive(INO));
    assertThat(i.iopen(IopenOutcome.TRY_FAILED)).containsExactly(new InodeEffect.WaitIopenExclusive(INO, 5000));
    List<InodeEffect> effects = i.iopen(IopenOutcome.WAIT_GRANTED);
    assertThat(effects).hasSize(1).first().isInstanceOf(InodeEffect.Deallocate.class);
    assertThat(((InodeEffect.Deallocate) effects.get(0)).steps()).startsWith(
        InodeEffect.DeallocStep.INODE_GLOCK_EX_SKIP, InodeEffect.DeallocStep.CHECK_LVB_GENERATION);
    assertThat(i.evictStepsDone()).containsExactly(new InodeEffect.ReleaseGlocks(INO, false, false),
        new InodeEffect.Freed(INO));
  }

  @Test
  void unlinkedInodeStillOpenElsewhereIsOnlyDroppedFromTheCache() {
    InodeCore i = inUse(0);
    i.iput(Context.NORMAL);
    i.iopen(IopenOutcome.TRY_FAILED);
    assertThat(i.iopen(IopenOutcome.INODE_DEMOTE_REQUESTED)).hasSize(1).first().isInstanceOf(InodeEffect.CacheDrop.class);
    assertThat(i.evictStepsDone()).contains(new InodeEffect.ReleaseGlocks(INO, false, true));
  }

  @Test
  void unlinkedInodeUnderMemoryPressureIsKeptAndItsDeleteDeferredToAWorker() {
    InodeCore i = inUse(0);
    assertThat(i.iput(Context.RECLAIM)).containsExactly(new InodeEffect.AddToLru(INO),
        new InodeEffect.QueueDeleteWork(INO));
    assertThat(i.state()).isEqualTo(InodeCore.State.CACHED);
    // While the work is queued, an eviction defers to it too.
    i.iget();
    InodeCore twin = inUse(0);
    twin.iput(Context.RECLAIM);
    twin.iget();
    List<InodeEffect> deferred = twin.iput(Context.NORMAL);
    assertThat(deferred).anyMatch(e -> e instanceof InodeEffect.CacheDrop)
        .doesNotContain(new InodeEffect.TryIopenExclusive(INO), new InodeEffect.QueueDeleteWork(INO));
    assertThat(twin.deleteQueued()).isTrue();
    // The worker (not reclaiming) runs, looks it up and puts it: now it is deleted for real.
    i.deleteWorkRan();
    assertThat(i.iput(Context.NORMAL)).contains(new InodeEffect.TryIopenExclusive(INO));
  }

  @Test
  void shrinkerEvictionOfAnUnlinkedInodeDefersTheDeleteAndPutsGlocksAsynchronously() {
    InodeCore i = new InodeCore(INO, 5000);
    i.instantiated(1, false);
    i.iput(Context.NORMAL);
    i.setNlink(0); // unlinked on another node; we learn it on revalidation
    List<InodeEffect> effects = i.evictFromLru(Context.RECLAIM);
    assertThat(effects).contains(new InodeEffect.QueueDeleteWork(INO));
    assertThat(effects).noneMatch(e -> e instanceof InodeEffect.TryIopenExclusive);
    assertThat(i.evictStepsDone()).contains(new InodeEffect.ReleaseGlocks(INO, true, true));
    assertThat(i.deleteQueued()).isTrue(); // the deferred delete is still owed
  }

  @Test
  void dirtyInodeIsWrittenBackBeforeItIsDropped() {
    InodeCore i = inUse(1);
    i.markDirty();
    List<InodeEffect> effects = i.iput(new Context(false, false, false)); // unmount: evict now
    InodeEffect.CacheDrop drop = (InodeEffect.CacheDrop) effects.get(1);
    assertThat(drop.steps()).containsSubsequence(CacheDropStep.WRITE_METADATA, CacheDropStep.WRITE_INODE,
        CacheDropStep.TRUNCATE_PAGE_CACHE);
  }

  @Test
  void lookupOfAnInodeBeingEvictedWaitsForTheEvictor() {
    InodeCore i = inUse(0);
    i.iput(Context.NORMAL);
    assertThat(i.iget()).containsExactly(new InodeEffect.WaitOnInode(INO, InodeEffect.WaitReason.FREEING));
  }

  @Test
  void answersOutOfTurnAreBugs() {
    InodeCore i = inUse(1);
    assertThatThrownBy(() -> i.iopen(IopenOutcome.TRY_GRANTED)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(i::evictStepsDone).isInstanceOf(IllegalStateException.class);
    i.iput(Context.NORMAL);
    assertThatThrownBy(() -> i.iput(Context.NORMAL)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("CACHED");
  }

  // ---------------------------------------------------------------- the table

  static Map<String, Consumer<InodeCore>> rows() {
    Map<String, Consumer<InodeCore>> r = new LinkedHashMap<>();
    r.put("NEW", i -> {});
    r.put("IN_USE linked", i -> i.instantiated(1, true));
    r.put("IN_USE unlinked", i -> i.instantiated(0, true));
    r.put("CACHED linked", i -> {
      i.instantiated(1, true);
      i.iput(Context.NORMAL);
    });
    r.put("CACHED unlinked", i -> {
      i.instantiated(0, true);
      i.iput(Context.RECLAIM);
    });
    r.put("FREEING try", i -> {
      i.instantiated(0, true);
      i.iput(Context.NORMAL);
    });
    r.put("FREEING drop", i -> {
      i.instantiated(1, true);
      i.iput(new Context(false, false, false));
    });
    r.put("FREED", i -> {
      i.instantiated(1, true);
      i.iput(new Context(false, false, false));
      i.evictStepsDone();
    });
    return r;
  }

  static Map<String, Function<InodeCore, List<InodeEffect>>> columns() {
    Map<String, Function<InodeCore, List<InodeEffect>>> c = new LinkedHashMap<>();
    c.put("iget", InodeCore::iget);
    c.put("iput", i -> i.iput(Context.NORMAL));
    c.put("iputReclaim", i -> i.iput(Context.RECLAIM));
    c.put("evictLru", i -> i.evictFromLru(Context.RECLAIM));
    c.put("tryGranted", i -> i.iopen(IopenOutcome.TRY_GRANTED));
    c.put("tryFailed", i -> i.iopen(IopenOutcome.TRY_FAILED));
    c.put("stepsDone", InodeCore::evictStepsDone);
    return c;
  }

  // columns: iget ; iput ; iputReclaim ; evictLru ; tryGranted ; tryFailed ; stepsDone
  private static final String[] EXPECTED = {
      /* NEW */ "NEW Wait(NEW) ; ERR ; ERR ; NEW ; ERR ; ERR ; ERR",
      /* IN_USE linked */ "IN_USE ; CACHED +LRU ; CACHED +LRU ; IN_USE ; ERR ; ERR ; ERR",
      /* IN_USE unlinked */ "IN_USE ; FREEING -LRU TryIopenEx ; CACHED +LRU DeleteWork ; IN_USE ; ERR ; ERR ; ERR",
      /* CACHED linked */ "IN_USE ; ERR ; ERR ; FREEING -LRU Drop ; ERR ; ERR ; ERR",
      /* CACHED unlinked */ "IN_USE ; ERR ; ERR ; FREEING -LRU Drop ; ERR ; ERR ; ERR",
      /* FREEING try */ "FREEING Wait(FREEING) ; ERR ; ERR ; FREEING ; FREEING Dealloc ; FREEING WaitIopenEx ; ERR",
      /* FREEING drop */ "FREEING Wait(FREEING) ; ERR ; ERR ; FREEING ; ERR ; ERR ; FREED Release Freed",
      /* FREED */ "ERR ; ERR ; ERR ; FREED ; ERR ; ERR ; ERR",
  };

  static String abbrev(InodeEffect e) {
    if (e instanceof InodeEffect.AddToLru) {
      return "+LRU";
    }
    if (e instanceof InodeEffect.RemoveFromLru) {
      return "-LRU";
    }
    if (e instanceof InodeEffect.WaitOnInode) {
      return "Wait(" + ((InodeEffect.WaitOnInode) e).reason() + ")";
    }
    if (e instanceof InodeEffect.QueueDeleteWork) {
      return "DeleteWork";
    }
    if (e instanceof InodeEffect.TryIopenExclusive) {
      return "TryIopenEx";
    }
    if (e instanceof InodeEffect.WaitIopenExclusive) {
      return "WaitIopenEx";
    }
    if (e instanceof InodeEffect.CacheDrop) {
      return "Drop";
    }
    if (e instanceof InodeEffect.Deallocate) {
      return "Dealloc";
    }
    if (e instanceof InodeEffect.ReleaseGlocks) {
      return "Release";
    }
    return "Freed";
  }

  @Test
  void everyStateTimesEveryInputMatchesTheTable() {
    List<String> names = new ArrayList<>(rows().keySet());
    List<String> cols = new ArrayList<>(columns().keySet());
    assertThat(EXPECTED).hasSize(names.size());
    for (int r = 0; r < names.size(); r++) {
      String[] expected = EXPECTED[r].split(" ; ");
      int c = 0;
      for (Function<InodeCore, List<InodeEffect>> input : columns().values()) {
        InodeCore i = new InodeCore(INO, 5000);
        rows().get(names.get(r)).accept(i);
        String actual;
        try {
          List<String> parts = new ArrayList<>();
          parts.add(null);
          input.apply(i).forEach(e -> parts.add(abbrev(e)));
          parts.set(0, i.state().name());
          actual = String.join(" ", parts);
        } catch (IllegalStateException e) {
          actual = "ERR";
        }
        assertThat(actual).as("%s × %s", names.get(r), cols.get(c)).isEqualTo(expected[c]);
        c++;
      }
    }
  }

  @Test
  void stateTransitionsAreExactlyTheListedOnes() {
    String legal = "NEW>IN_USE IN_USE>CACHED IN_USE>FREEING CACHED>IN_USE CACHED>FREEING FREEING>FREED";
    for (InodeCore.State a : InodeCore.State.values()) {
      for (InodeCore.State b : InodeCore.State.values()) {
        boolean expected = (" " + legal + " ").contains(" " + a + ">" + b + " ");
        if (expected) {
          assertThat(a.transitionTo(b)).isEqualTo(b);
        } else {
          assertThatThrownBy(() -> a.transitionTo(b)).as("%s>%s", a, b).isInstanceOf(IllegalStateException.class);
        }
      }
    }
  }

  // ---------------------------------------------------------------- the LRU

  @Test
  void inodeShrinkerEvictsUnusedCleanInodesGivesReferencedOnesASecondChanceAndStopsWithoutFs() {
    InodeLru lru = new InodeLru(128);
    Map<Long, InodeCore> cache = new LinkedHashMap<>();
    for (long ino = 1; ino <= 4; ino++) {
      InodeCore i = new InodeCore(ino, 5000);
      i.instantiated(1, true);
      cache.put(ino, i);
    }
    cache.get(3L).markDirty();
    for (InodeCore i : cache.values()) {
      lru.applyAll(i.iput(Context.NORMAL));
    }
    // 2 is used again and released: still listed, so it is now referenced.
    cache.get(2L).iget();
    lru.applyAll(cache.get(2L).iput(Context.NORMAL));
    // 4 is in use at scan time: dropped from the LRU lazily.
    cache.get(4L).iget();
    assertThat(lru.scan(10, GfpMask.NOFS, ino -> cache.get(ino).candidate()).stop()).isTrue();
    InodeLru.ScanResult r = lru.scan(10, GfpMask.KERNEL, ino -> cache.get(ino).candidate());
    assertThat(r.toEvict()).containsExactly(1L);
    assertThat(r.rotated()).containsExactly(2L);
    assertThat(lru.order()).containsExactly(3L, 2L); // dirty 3 skipped, 2 rotated to the tail
    List<InodeEffect> effects = cache.get(1L).evictFromLru(Context.RECLAIM);
    assertThat(effects).contains(new InodeEffect.RemoveFromLru(1L));
    assertThat(lru.scan(10, GfpMask.KERNEL, ino -> cache.get(ino).candidate()).toEvict()).containsExactly(2L);
  }

  @Test
  void inodeSettingsFromReferenceConf() {
    InodeSettings s = org.jdlm.fs.FsSettings.inode(com.typesafe.config.ConfigFactory.load().getConfig("jdlm.fs.inode"));
    assertThat(s).isEqualTo(new InodeSettings(5000, 128));
    assertThatThrownBy(() -> new InodeSettings(0, 1)).isInstanceOf(IllegalArgumentException.class);
  }
}
