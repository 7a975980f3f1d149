package org.jdlm.fs.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jdlm.fs.core.GlockState.DF;
import static org.jdlm.fs.core.GlockState.EX;
import static org.jdlm.fs.core.GlockState.SH;
import static org.jdlm.fs.core.GlockState.UN;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jdlm.dlm.core.LockFlag;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.fs.core.GlockEffect.AddToLru;
import org.jdlm.fs.core.GlockEffect.ConvertDlm;
import org.jdlm.fs.core.GlockEffect.FailHolder;
import org.jdlm.fs.core.GlockEffect.Freed;
import org.jdlm.fs.core.GlockEffect.GrantHolder;
import org.jdlm.fs.core.GlockEffect.HolderError;
import org.jdlm.fs.core.GlockEffect.QueueWork;
import org.jdlm.fs.core.GlockEffect.RemoveFromLru;
import org.jdlm.fs.core.GlockEffect.RequestDlm;
import org.jdlm.fs.core.GlockEffect.RunGlops;
import org.jdlm.fs.core.GlockEffect.UnlockDlm;
import org.junit.jupiter.api.Test;

/** Named rules of the glock state machine, one scenario each (fs-cycles §1.3–§1.8). */
class GlockCoreTest {

  private static final GlockName INODE = GlockName.of(GlockType.INODE, 0x1c00);

  @Test
  void firstSharedRequestAsksTheDlmForPrAndGrantsAfterTheWorkRuns() {
    GlockHarness h = GlockHarness.inode(0x1c00);
    HolderId a = h.holderId();
    assertThat(h.enqueue(a, SH)).containsExactly(new RequestDlm(LockMode.PR, Set.of(LockFlag.VALBLK)));
    assertThat(h.gl.phase()).isEqualTo(new GlockPhase.Promoting(UN, SH, GlockPhase.Stage.DLM));
    assertThat(h.reply(LockMode.PR)).containsExactly(new QueueWork(0));
    assertThat(h.gl.flags()).contains(GlockFlag.HAVE_REPLY, GlockFlag.LOCK);
    assertThat(h.work()).containsExactly(new GrantHolder(a, SH, Set.of(CacheWork.READ_DINODE)));
    assertThat(h.gl.state()).isEqualTo(SH);
  }

  @Test
  void cachedGlockIsReacquiredWithNoDlmTraffic() {
    GlockHarness h = GlockHarness.inode(0x1c00);
    HolderId a = h.hold(SH);
    h.dequeue(a);
    assertThat(h.put()).containsExactly(new AddToLru(INODE));
    long sent = h.gl.dlmRequestCount();
    assertThat(h.get()).containsExactly(new RemoveFromLru(INODE));
    HolderId b = h.holderId();
    List<GlockEffect> effects = h.enqueue(b, SH);
    assertThat(effects).containsExactly(new GrantHolder(b, SH, Set.of()));
    assertThat(h.gl.dlmRequestCount()).isEqualTo(sent);
  }

  @Test
  void lastPutOfALockedGlockCachesItOnTheLruWithoutDlmTraffic() {
    GlockHarness h = GlockHarness.inode(1);
    h.dequeue(h.hold(EX));
    List<GlockEffect> effects = h.put();
    assertThat(effects).containsExactly(new AddToLru(GlockName.of(GlockType.INODE, 1)));
    assertThat(h.gl.state()).isEqualTo(EX);
    assertThat(h.gl.flags()).contains(GlockFlag.LRU);
  }

  @Test
  void lastPutOfANeverLockedGlockFreesItWithoutDlmTraffic() {
    GlockHarness h = GlockHarness.inode(1);
    assertThat(h.put()).containsExactly(new Freed(GlockName.of(GlockType.INODE, 1)));
    assertThat(h.gl.phase()).isEqualTo(GlockPhase.FREED);
  }

  @Test
  void exclusiveGlockServesSharedAndDeferredLocallyUnlessExact() {
    GlockHarness h = GlockHarness.inode(2);
    h.dequeue(h.hold(EX));
    HolderId sh = h.holderId();
    assertThat(h.enqueue(sh, SH)).containsExactly(new GrantHolder(sh, EX, Set.of()));
    h.dequeue(sh);
    HolderId exact = h.holderId();
    List<GlockEffect> effects = h.enqueue(exact, SH, HolderFlag.EXACT);
    assertThat(effects).hasSize(1).first().isInstanceOf(RunGlops.class); // EX -> SH: write back first
    assertThat(h.gl.phase()).isInstanceOf(GlockPhase.Promoting.class);
  }

  @Test
  void remoteDemoteOfAnInodeGlockWithHoldersWaitsOutTheMinimumHoldTime() {
    GlockHarness h = GlockHarness.inode(3);
    HolderId a = h.hold(SH); // state change at t=0
    h.now = 50;
    assertThat(h.bast(LockMode.EX)).containsExactly(new QueueWork(150));
    assertThat(h.gl.flags()).contains(GlockFlag.PENDING_DEMOTE).doesNotContain(GlockFlag.DEMOTE);
    h.now = 120;
    assertThat(h.work()).containsExactly(new QueueWork(80)); // still inside the hold time
    h.dequeue(a);
    assertThat(h.gl.state()).isEqualTo(SH);
    h.now = 200;
    List<GlockEffect> effects = h.work();
    assertThat(effects).containsExactly(new RunGlops(SH, UN, Set.of(),
        Set.of(CacheWork.TRUNCATE_METADATA, CacheWork.TRUNCATE_DATA, CacheWork.FORGET_ACLS_AND_DIR_HASH)));
    assertThat(h.gl.flags()).contains(GlockFlag.DEMOTE, GlockFlag.DEMOTE_IN_PROGRESS, GlockFlag.INVALIDATE_IN_PROGRESS);
    assertThat(h.glops()).containsExactly(new ConvertDlm(LockMode.NL, Set.of(LockFlag.VALBLK, LockFlag.CONVERT)));
    h.reply(LockMode.NL);
    h.work();
    assertThat(h.gl.state()).isEqualTo(UN);
    assertThat(h.gl.flags()).doesNotContain(GlockFlag.DEMOTE, GlockFlag.PENDING_DEMOTE)
        .contains(GlockFlag.INSTANTIATE_NEEDED);
  }

  @Test
  void remoteDemoteWithoutHoldersIsDueAtOnce() {
    GlockHarness h = GlockHarness.inode(4);
    h.dequeue(h.hold(SH));
    h.now = 10;
    assertThat(h.bast(LockMode.EX)).containsExactly(new QueueWork(0));
    assertThat(h.gl.flags()).contains(GlockFlag.DEMOTE);
    h.settle(List.of());
    assertThat(h.gl.state()).isEqualTo(UN);
  }

  @Test
  void nonInodeGlocksDoNotWaitForTheHoldTime() {
    GlockHarness h = new GlockHarness(GlockName.of(GlockType.RGRP, 0x11));
    h.hold(EX);
    h.now = 1;
    assertThat(h.bast(LockMode.EX)).containsExactly(new QueueWork(0));
    assertThat(h.gl.flags()).contains(GlockFlag.DEMOTE);
  }

  @Test
  void pendingDemoteStillGrantsCompatibleLocalHolders() {
    GlockHarness h = GlockHarness.inode(5);
    h.hold(SH);
    h.now = 20;
    h.bast(LockMode.EX);
    HolderId b = h.holderId();
    assertThat(h.enqueue(b, SH)).containsExactly(new GrantHolder(b, SH, Set.of()));
  }

  @Test
  void dueDemoteBlocksNewHoldersUntilTheDemoteIsDone() {
    GlockHarness h = GlockHarness.inode(6);
    HolderId a = h.hold(SH);
    h.now = 500; // past the hold time: the demote is due at once
    h.bast(LockMode.EX);
    assertThat(h.gl.flags()).contains(GlockFlag.DEMOTE);
    HolderId b = h.holderId();
    assertThat(h.enqueue(b, SH)).isEmpty(); // compatible, but a due demote blocks
    assertThat(h.gl.holders().get(1).granted()).isFalse();
    List<GlockEffect> effects = h.settle(h.dequeue(a));
    // Demoted to UN first (glops, convert to NL), then b's promote goes back to the DLM.
    assertThat(effects).containsSubsequence(new ConvertDlm(LockMode.NL, Set.of(LockFlag.VALBLK, LockFlag.CONVERT)),
        new ConvertDlm(LockMode.PR, Set.of(LockFlag.VALBLK, LockFlag.CONVERT, LockFlag.QUECVT)),
        new GrantHolder(b, SH, Set.of(CacheWork.READ_DINODE)));
  }

  @Test
  void tryLockFailsWithTryAgainWhenTheDlmRefuses() {
    GlockHarness h = GlockHarness.inode(7);
    h.dequeue(h.hold(SH));
    HolderId t = h.holderId();
    assertThat(h.enqueue(t, EX, HolderFlag.TRY))
        .containsExactly(new ConvertDlm(LockMode.EX, Set.of(LockFlag.VALBLK, LockFlag.CONVERT, LockFlag.NOQUEUE)));
    assertThat(h.gl.flags()).doesNotContain(GlockFlag.BLOCKING); // a try never blocks
    h.reply(DlmReply.TryFailed.INSTANCE);
    assertThat(h.work()).containsExactly(new FailHolder(t, HolderError.TRYAGAIN));
    assertThat(h.gl.state()).isEqualTo(SH);
    assertThat(h.gl.holders()).isEmpty();
  }

  @Test
  void tryOneCallbackAlsoAsksTheDlmToNotifyTheHolders() {
    GlockHarness h = GlockHarness.inode(8);
    h.dequeue(h.hold(SH));
    HolderId t = h.holderId();
    assertThat(h.enqueue(t, EX, HolderFlag.TRY_1CB, HolderFlag.NOCACHE)).containsExactly(new ConvertDlm(LockMode.EX,
        Set.of(LockFlag.VALBLK, LockFlag.CONVERT, LockFlag.NOQUEUE, LockFlag.NOQUEUEBAST)));
  }

  @Test
  void tryLockBehindANonTryWaiterFailsAtOnceWhileAFlightIsInProgress() {
    GlockHarness h = GlockHarness.inode(9);
    h.dequeue(h.hold(SH));
    HolderId ex = h.holderId();
    h.enqueue(ex, EX); // flight SH -> EX in progress
    HolderId t = h.holderId();
    // DF is not served by SH, and it would wait behind the EX request: fail now.
    assertThat(h.enqueue(t, DF, HolderFlag.TRY)).containsExactly(new FailHolder(t, HolderError.TRYAGAIN));
    // SH is served by the current state, so the try queues (and fails later if EX is granted first).
    HolderId s = h.holderId();
    assertThat(h.enqueue(s, SH, HolderFlag.TRY)).isEmpty();
    h.reply(LockMode.EX);
    assertThat(h.work()).containsExactly(new GrantHolder(ex, EX, Set.of()), new FailHolder(s, HolderError.TRYAGAIN));
  }

  @Test
  void nonTryHeadFailsTheTryLocksQueuedBehindIt() {
    GlockHarness h = GlockHarness.inode(10);
    HolderId a = h.hold(SH);
    HolderId ex = h.holderId();
    assertThat(h.enqueue(ex, EX)).isEmpty(); // waits for a
    HolderId t = h.holderId();
    assertThat(h.enqueue(t, EX, HolderFlag.TRY)).containsExactly(new FailHolder(t, HolderError.TRYAGAIN));
    h.dequeue(a);
    assertThat(h.gl.holders()).extracting(Holder::id).containsExactly(ex);
  }

  @Test
  void anyRequestIsGrantedInTheAlternateMode() {
    GlockHarness h = GlockHarness.inode(11);
    HolderId a = h.holderId();
    assertThat(h.enqueue(a, SH, HolderFlag.ANY))
        .containsExactly(new RequestDlm(LockMode.PR, Set.of(LockFlag.VALBLK, LockFlag.ALTCW)));
    h.reply(LockMode.CW);
    assertThat(h.work()).containsExactly(new GrantHolder(a, DF, Set.of(CacheWork.READ_DINODE)));
    assertThat(h.gl.state()).isEqualTo(DF);
  }

  @Test
  void conversionDeadlockFromSharedGoesThroughUnlockedAndRetries() {
    GlockHarness h = GlockHarness.inode(12);
    h.dequeue(h.hold(SH));
    HolderId ex = h.holderId();
    h.enqueue(ex, EX);
    long hold = h.gl.holdTimeMillis();
    h.reply(DlmReply.ConversionDeadlock.INSTANCE);
    List<GlockEffect> effects = h.work();
    assertThat(effects).hasSize(1).first().isInstanceOf(RunGlops.class); // SH -> UN invalidates
    assertThat(h.gl.phase()).isEqualTo(new GlockPhase.Promoting(SH, UN, GlockPhase.Stage.GLOPS));
    assertThat(h.gl.holdTimeMillis()).isEqualTo(hold - 25);
    assertThat(h.glops()).containsExactly(new ConvertDlm(LockMode.NL, Set.of(LockFlag.VALBLK, LockFlag.CONVERT)));
    h.reply(LockMode.NL);
    assertThat(h.work()).containsExactly(
        new ConvertDlm(LockMode.EX, Set.of(LockFlag.VALBLK, LockFlag.CONVERT, LockFlag.QUECVT)));
    h.reply(LockMode.EX);
    assertThat(h.work()).containsExactly(new GrantHolder(ex, EX, Set.of(CacheWork.READ_DINODE)));
  }

  @Test
  void recursiveLockingByOneTaskIsABugReportedWithTheGlockDump() {
    GlockHarness h = GlockHarness.inode(13);
    h.gl.enqueue(new HolderId(1), SH, Set.of(), 42, "dd", "read", 0);
    assertThatThrownBy(() -> h.gl.enqueue(new HolderId(2), SH, Set.of(), 42, "dd", "fault", 0))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("recursive glock request: pid 42")
        .hasMessageContaining("G:  s:UN n:2/d");
  }

  @Test
  void flockGlocksAndTasklessHoldersAreExemptFromTheRecursionCheck() {
    GlockCore flock = GlockCore.create(GlockName.of(GlockType.FLOCK, 5), GlockSettings.defaults(), 0);
    flock.enqueue(new HolderId(1), SH, Set.of(), 42, "a", "x", 0);
    flock.enqueue(new HolderId(2), SH, Set.of(), 42, "a", "x", 0);
    GlockCore inode = GlockCore.create(INODE, GlockSettings.defaults(), 0);
    inode.enqueue(new HolderId(1), SH, Set.of(HolderFlag.NOPID), 42, "a", "x", 0);
    inode.enqueue(new HolderId(2), SH, Set.of(), 42, "a", "x", 0);
    assertThat(flock.holders()).hasSize(2);
    assertThat(inode.holders()).hasSize(2);
  }

  @Test
  void nocacheDequeueDemotesToUnlockedAndTheFinalPutUnlocksTheDlmLock() {
    GlockHarness h = GlockHarness.inode(14);
    HolderId a = h.hold(SH, HolderFlag.NOCACHE);
    h.put(); // the creator's reference; the holder keeps the glock alive
    List<GlockEffect> effects = h.settle(h.dequeue(a));
    assertThat(effects).doesNotContain(new AddToLru(GlockName.of(GlockType.INODE, 14)));
    assertThat(effects).containsSubsequence(new ConvertDlm(LockMode.NL, Set.of(LockFlag.VALBLK, LockFlag.CONVERT)),
        new UnlockDlm(Set.of(LockFlag.VALBLK)), new Freed(GlockName.of(GlockType.INODE, 14)));
    assertThat(h.gl.phase()).isEqualTo(GlockPhase.FREED);
  }

  @Test
  void putWithNoReferenceLeftIsABug() {
    GlockHarness h = GlockHarness.inode(15);
    h.hold(SH);
    h.put();
    assertThatThrownBy(h::put).isInstanceOf(IllegalStateException.class).hasMessageContaining("no reference");
  }

  @Test
  void aGlockBeingFreedCannotBeRevived() {
    GlockHarness h = GlockHarness.inode(16);
    HolderId a = h.hold(SH, HolderFlag.NOCACHE);
    h.put();
    h.dequeue(a);
    h.work();
    h.glops();
    h.reply(LockMode.NL);
    assertThat(h.work()).containsExactly(new UnlockDlm(Set.of(LockFlag.VALBLK)));
    assertThat(h.gl.phase()).isEqualTo(GlockPhase.FREEING);
    assertThatThrownBy(h::get).isInstanceOf(IllegalStateException.class).hasMessageContaining("find_insert_glock");
  }

  @Test
  void shrinkerReclaimDemotesOnTheWorkqueueAndThenUnlocks() {
    GlockHarness h = GlockHarness.inode(17);
    h.dequeue(h.hold(SH));
    h.put();
    assertThat(h.gl.reclaimable()).isTrue();
    assertThat(h.reclaim()).containsExactly(new RemoveFromLru(GlockName.of(GlockType.INODE, 17)), new QueueWork(0));
    List<GlockEffect> effects = h.settle(List.of());
    assertThat(effects).containsSubsequence(new ConvertDlm(LockMode.NL, Set.of(LockFlag.VALBLK, LockFlag.CONVERT)),
        new UnlockDlm(Set.of(LockFlag.VALBLK)), new Freed(GlockName.of(GlockType.INODE, 17)));
  }

  @Test
  void reclaimOfAGlockInUseIsIgnored() {
    GlockHarness h = GlockHarness.inode(18);
    h.hold(SH);
    assertThat(h.gl.reclaimable()).isFalse();
    assertThat(h.reclaim()).isEmpty();
  }

  @Test
  void twoDifferentDemoteRequestsCollapseToUnlocked() {
    GlockHarness h = GlockHarness.inode(19);
    h.hold(EX);
    h.now = 10;
    h.bast(LockMode.PR);
    assertThat(h.gl.demoteState()).isEqualTo(SH);
    h.bast(LockMode.CW);
    assertThat(h.gl.demoteState()).isEqualTo(UN);
  }

  @Test
  void dirtyExclusiveGlockIsWrittenBackBeforeItIsDemoted() {
    GlockHarness h = GlockHarness.inode(20);
    HolderId a = h.hold(EX);
    h.gl.markDirty();
    h.dequeue(a);
    h.now = 1000;
    h.bast(LockMode.PR);
    assertThat(h.work()).containsExactly(new RunGlops(EX, SH, EnumSet.of(CacheWork.UNMAP_SHARED_MMAPS,
        CacheWork.FLUSH_LOG, CacheWork.WRITE_METADATA, CacheWork.WRITE_DATA, CacheWork.EMPTY_AIL), Set.of()));
    assertThat(h.glops()).containsExactly(new ConvertDlm(LockMode.PR, Set.of(LockFlag.VALBLK, LockFlag.CONVERT)));
    assertThat(h.gl.flags()).doesNotContain(GlockFlag.DIRTY);
  }

  @Test
  void dirtyingWithoutAnExclusiveHolderIsABug() {
    GlockHarness h = GlockHarness.inode(21);
    h.hold(SH);
    assertThatThrownBy(h.gl::markDirty).isInstanceOf(IllegalStateException.class).hasMessageContaining("EX");
  }

  @Test
  void iopenRemoteUnlockRequestQueuesDeleteWorkOnce() {
    GlockName iopen = GlockName.of(GlockType.IOPEN, 0x805b);
    GlockHarness h = new GlockHarness(iopen);
    h.hold(SH);
    h.gl.attachObject(new GlockObject.Inode(21, 0x805b, 8, 0, 0, 0, 0, false));
    h.now = 1000;
    assertThat(h.bast(LockMode.EX)).contains(new GlockEffect.QueueDeleteWork(iopen));
    assertThat(h.bast(LockMode.EX)).doesNotContain(new GlockEffect.QueueDeleteWork(iopen));
    assertThat(h.gl.flags()).contains(GlockFlag.TRY_TO_EVICT);
    assertThat(h.gl.ops().demoteOk(h.gl.flags(), h.gl.object())).isFalse();
    h.gl.deleteWorkDone(h.now);
    assertThat(h.gl.flags()).doesNotContain(GlockFlag.TRY_TO_EVICT);
  }

  @Test
  void holdersBeyondTheLimitAreRefused() {
    GlockHarness h = new GlockHarness(INODE, new GlockSettings(200, 100, 50, 25, 1000, 2, 100));
    h.hold(SH);
    h.hold(SH);
    HolderId c = h.holderId();
    assertThat(h.enqueue(c, SH)).containsExactly(new FailHolder(c, HolderError.TOO_MANY_HOLDERS));
  }

  @Test
  void tryLocksFailWhileTheCacheIsBeingInvalidated() {
    GlockHarness h = GlockHarness.inode(22);
    h.dequeue(h.hold(SH));
    h.now = 1000;
    h.bast(LockMode.EX);
    h.work(); // RunGlops SH -> UN in progress
    assertThat(h.gl.flags()).contains(GlockFlag.INVALIDATE_IN_PROGRESS);
    HolderId t = h.holderId();
    assertThat(h.enqueue(t, SH, HolderFlag.TRY)).containsExactly(new FailHolder(t, HolderError.TRYAGAIN));
  }

  @Test
  void nodeScopeExclusiveHoldersShareTheGlock() {
    GlockHarness h = new GlockHarness(GlockName.of(GlockType.RGRP, 0x11));
    h.hold(EX, HolderFlag.NODE_SCOPE);
    HolderId b = h.holderId();
    assertThat(h.enqueue(b, EX, HolderFlag.NODE_SCOPE)).containsExactly(new GrantHolder(b, EX, Set.of()));
    HolderId c = h.holderId();
    assertThat(h.enqueue(c, EX)).isEmpty();
  }

  @Test
  void dequeuingAWaitingHolderCancelsIt() {
    GlockHarness h = GlockHarness.inode(23);
    HolderId a = h.hold(SH);
    HolderId ex = h.holderId();
    h.enqueue(ex, EX);
    assertThat(h.dequeue(ex)).containsExactly(new FailHolder(ex, HolderError.CANCELED));
    assertThat(h.gl.holders()).extracting(Holder::id).containsExactly(a);
  }

  @Test
  void aFailedFlightShortensTheHoldTimeAndALongWaitLengthensIt() {
    GlockHarness h = GlockHarness.inode(24);
    h.dequeue(h.hold(SH));
    HolderId ex = h.holderId();
    h.enqueue(ex, EX);
    h.reply(DlmReply.ConversionDeadlock.INSTANCE);
    h.work();
    assertThat(h.gl.holdTimeMillis()).isEqualTo(175);
    h.glops();
    h.reply(LockMode.NL);
    h.work();
    h.now = 5000; // the holder waited 5 s
    h.reply(LockMode.EX);
    h.work();
    assertThat(h.gl.holdTimeMillis()).isEqualTo(200);
  }

  @Test
  void asyncPutOfTheLastReferenceLeavesTheDlmUnlockToTheWorkqueue() {
    GlockHarness h = GlockHarness.inode(25);
    h.get();
    h.settle(h.dequeue(h.hold(SH, HolderFlag.NOCACHE))); // demoted to UN, still referenced twice
    h.put();
    assertThat(h.record(h.gl.putAsync(h.now))).containsExactly(new QueueWork(0)); // no DLM call here
    assertThat(h.gl.state()).isEqualTo(UN);
    assertThat(h.work()).containsExactly(new UnlockDlm(Set.of(LockFlag.VALBLK)));
  }
}
