package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jdlm.dlm.core.LockFlag.PERSISTENT;
import static org.jdlm.dlm.core.LockFlag.QUECVT;
import static org.jdlm.dlm.core.LockFlag.VALBLK;
import static org.jdlm.dlm.core.LockMode.CR;
import static org.jdlm.dlm.core.LockMode.CW;
import static org.jdlm.dlm.core.LockMode.EX;
import static org.jdlm.dlm.core.LockMode.NL;
import static org.jdlm.dlm.core.LockMode.PR;
import static org.jdlm.dlm.core.LockMode.PW;
import static org.jdlm.dlm.core.ResourceState.Queue.CONVERTING;
import static org.jdlm.dlm.core.ResourceState.Queue.GRANTED;
import static org.jdlm.dlm.core.ResourceState.Queue.WAITING;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Recovery operations on a master (semantics §4 "LVB recovery", §6.3 steps 9-12 and 18; TV-53 … TV-57). */
class RecoveryTest {

  private static final NodeId A = new NodeId("A");
  private static final NodeId B = new NodeId("B");
  private static final NodeId C = new NodeId("C");

  private static RecoveredLock granted(Rsb r, String name, String node, LockMode mode, String lvb, long seq,
                                       LockFlag... flags) {
    return new RecoveredLock(r.id(name, node), GRANTED, mode, null, Rsb.flags(flags), true,
        lvb == null ? null : Rsb.lvb(lvb), seq, new FencingToken(1, seq));
  }

  private static RecoveredLock converting(Rsb r, String name, String node, LockMode from, LockMode to,
                                          LockFlag... flags) {
    // A converter was granted before, so it carries a token even when step 8 cleared its mode.
    return new RecoveredLock(r.id(name, node), CONVERTING, from, to, Rsb.flags(flags), true, null, 0,
        new FencingToken(1, 1));
  }

  @Test
  void tv53PurgeOfTheDeadNodesLockThenGrantAfterRecovery() {
    Rsb r = new Rsb();
    r.id("LC", "C");
    r.id("LB", "B");
    r.req("LC", EX);
    r.req("LB", PR);
    assertThat(r.record(r.state.purgeNodes(Set.of(C), 2))).containsExactly("PURGED(LC)");
    r.state.finishRecovery(false);
    assertThat(r.state.needsRecoveryGrant()).isTrue();
    assertThat(r.record(r.state.grantAfterRecovery())).containsExactly("CAST(LB,OK,PR)");
    assertThat(r.g()).containsExactly("LB:PR");
  }

  // ---- PERSISTENT locks of a dead node become orphans (issue 4, semantics §9 K; docs/recovery.md "Orphans")

  @Test
  void aDeadNodesGrantedPersistentLockStaysGrantedAsAnOrphanAndKeepsBlocking() {
    Rsb r = new Rsb();
    r.id("LC", "C");
    r.id("LB", "B");
    r.req("LC", EX, PERSISTENT);
    FencingToken token = r.state.lock(r.id("LC")).orElseThrow().token();
    r.req("LB", PR);
    assertThat(r.record(r.state.purgeNodes(Set.of(C), 7))).containsExactly("ORPHANED(LC)");
    LockView orphan = r.state.queue(GRANTED).get(0);
    assertThat(orphan.lock().owner()).isEqualTo(NodeId.orphanOf(C, 7));
    assertThat(orphan.lock().owner().isOrphanOwner()).isTrue();
    assertThat(orphan.lock().owner().baseName()).isEqualTo("C");
    assertThat(orphan.lock().local()).isEqualTo(r.id("LC").local());
    assertThat(orphan.token()).isEqualTo(token);
    assertThat(r.state.lock(r.id("LC"))).as("the dead incarnation's id is free again").isEmpty();
    r.state.finishRecovery(false);
    assertThat(r.record(r.state.grantAfterRecovery())).as("the orphan still blocks the waiter").isEmpty();
    assertThat(r.g()).containsExactly("LC:EX");
    assertThat(r.w()).containsExactly("LB:PR");
  }

  @Test
  void anOrphanGetsNoBlockingCallbackWhenANewRequestConflicts() {
    Rsb r = new Rsb();
    r.id("LC", "C");
    r.id("LB", "B");
    r.req("LC", PR, PERSISTENT);
    r.state.purgeNodes(Set.of(C), 2);
    assertThat(r.req("LB", EX)).containsExactly("QUEUED(LB)");
  }

  @Test
  void aDeadNodesQueuedPersistentConversionIsCancelledAndTheOrphanKeepsItsGrantedMode() {
    Rsb r = new Rsb();
    r.id("LC", "C");
    r.id("LB", "B");
    r.req("LC", PR, PERSISTENT);
    r.req("LB", PR);
    r.cvt("LC", EX, PERSISTENT);
    assertThat(r.c()).containsExactly("LC:PR>EX");
    assertThat(r.record(r.state.purgeNodes(Set.of(C), 2))).containsExactly("ORPHANED(LC)");
    assertThat(r.c()).isEmpty();
    assertThat(r.g()).containsExactlyInAnyOrder("LC:PR", "LB:PR");
  }

  @Test
  void aDeadNodesWaitingPersistentRequestHoldsNothingAndIsPurged() {
    Rsb r = new Rsb();
    r.id("LB", "B");
    r.id("LC", "C");
    r.req("LB", EX);
    r.req("LC", PR, PERSISTENT);
    assertThat(r.record(r.state.purgeNodes(Set.of(C), 2))).containsExactly("PURGED(LC)");
    assertThat(r.w()).isEmpty();
  }

  @Test
  void anOrphanWithValblkAndPwStillInvalidatesTheLvb() {
    Rsb r = new Rsb();
    r.id("L0", "A");
    r.id("LC", "C");
    r.req("L0", NL);
    r.reqLvb("LC", PW, "CCCC", VALBLK, PERSISTENT);
    assertThat(r.record(r.state.purgeNodes(Set.of(C), 2))).containsExactly("ORPHANED(LC)");
    r.state.finishRecovery(false);
    assertThat(r.state.valNotValid()).isTrue();
    assertThat(r.g()).contains("LC:PW");
  }

  @Test
  void aLaterPurgeOfTheSameNodeNameLeavesItsOlderOrphansAlone() {
    Rsb r = new Rsb();
    r.id("LC", "C");
    r.req("LC", CR, PERSISTENT);
    r.state.purgeNodes(Set.of(C), 2);
    // C restarted, numbered its locks from 1 again (no clash with the orphan), and died again.
    LockId again = new LockId(C, r.id("LC").local());
    assertThat(r.state.request(again, CR, Rsb.flags(), null, true)).singleElement()
        .isInstanceOfSatisfying(Effect.Completion.class, c -> assertThat(c.status()).isEqualTo(CastStatus.OK));
    assertThat(r.state.purgeNodes(Set.of(C), 3)).containsExactly(new Effect.Purged(again));
    assertThat(r.state.queue(GRANTED)).singleElement()
        .satisfies(v -> assertThat(v.lock()).isEqualTo(new LockId(NodeId.orphanOf(C, 2), again.local())));
  }

  /** Adoption on the master, every outcome (issue 4; TV-61's answers, given by the master). */
  @org.junit.jupiter.params.ParameterizedTest(name = "orphans {0}, adopt {1} -> {2}")
  @org.junit.jupiter.params.provider.CsvSource({
      "EX,    EX, 'CAST(LA,OK,EX)'",
      "PR,    PR, 'CAST(LA,OK,PR)'",
      "EX,    PR, 'CAST(LA,EAGAIN,IV) GONE(LA)'",
      "PR;CR, CR, 'CAST(LA,OK,CR)'",
      "PR;CR, EX, 'CAST(LA,EAGAIN,IV) GONE(LA)'",
      "-,     EX, 'CAST(LA,ENOENT,IV) GONE(LA)'",
  })
  void adoptionOfADeadNodesOrphan(String orphanModes, LockMode adopt, String expected) {
    Rsb r = new Rsb();
    if (!orphanModes.equals("-")) {
      int i = 0;
      for (String m : orphanModes.split(";")) {
        String name = "O" + i++;
        r.id(name, "C");
        r.req(name, LockMode.valueOf(m), PERSISTENT);
      }
      r.state.purgeNodes(Set.of(C), 2);
    }
    assertThat(String.join(" ", r.adopt("LA", "B", adopt))).isEqualTo(expected);
  }

  @Test
  void adoptionContinuesTheOrphansTenureAndAdoptingAgainFindsNothing() {
    Rsb r = new Rsb();
    r.id("LC", "C");
    r.req("LC", EX, PERSISTENT);
    FencingToken token = r.state.lock(r.id("LC")).orElseThrow().token();
    r.state.purgeNodes(Set.of(C), 2);
    assertThat(r.adopt("LA", "B", EX)).containsExactly("CAST(LA,OK,EX)");
    LockView adopted = r.state.lock(r.id("LA")).orElseThrow();
    assertThat(adopted.token()).as("same tenure, same token").isEqualTo(token);
    assertThat(adopted.flags()).contains(PERSISTENT);
    assertThat(r.g()).containsExactly("LA:EX");
    assertThat(r.adopt("LA2", "B", EX)).containsExactly("CAST(LA2,ENOENT,IV)", "GONE(LA2)");
  }

  @Test
  void theAdopterHearsAtOnceOfTheRequestsQueuedBehindTheOrphanAndItsUnlockGrantsThem() {
    Rsb r = new Rsb();
    r.id("LC", "C");
    r.id("LB", "B");
    r.req("LC", EX, PERSISTENT);
    r.req("LB", PR);
    r.state.purgeNodes(Set.of(C), 2);
    r.state.finishRecovery(false);
    r.state.grantAfterRecovery();
    assertThat(r.adopt("LA", "A", EX)).containsExactly("CAST(LA,OK,EX)", "BAST(LA,PR)");
    assertThat(r.unl("LA")).containsExactly("CAST(LA,EUNLOCK,IV)", "GONE(LA)", "CAST(LB,OK,PR)");
  }

  @Test
  void aDuplicatedAdoptionIsRejectedAndChangesNothing() {
    Rsb r = new Rsb();
    r.id("LC", "C");
    r.req("LC", EX, PERSISTENT);
    r.state.purgeNodes(Set.of(C), 2);
    r.adopt("LA", "B", EX);
    assertThat(r.adopt("LA", "B", EX)).containsExactly("REJECT(LA,EEXIST)");
    assertThat(r.g()).containsExactly("LA:EX");
  }

  @Test
  void purgeRemovesTheDeadNodesLocksFromEveryQueue() {
    Rsb r = new Rsb();
    r.id("L1", "A");
    r.id("L2", "C");
    r.id("L3", "C");
    r.req("L1", PR);
    r.req("L2", CR);
    r.cvt("L2", EX);
    r.req("L3", EX);
    assertThat(r.record(r.state.purgeNodes(Set.of(C), 2))).containsExactlyInAnyOrder("PURGED(L2)", "PURGED(L3)");
    assertThat(r.c()).isEmpty();
    assertThat(r.w()).isEmpty();
  }

  @Test
  void survivingMasterInvalidatesTheLvbWhenADeadPwHolderHadValblk() {
    Rsb r = new Rsb();
    r.id("L0", "A");
    r.id("LC", "C");
    r.req("L0", NL);
    r.reqLvb("LC", PW, "----", VALBLK);
    r.cvtLvb("LC", PW, "CCCC", VALBLK);
    r.state.purgeNodes(Set.of(C), 2);
    r.state.finishRecovery(false);
    r.state.checkInvariants();
    assertThat(r.state.valNotValid()).isTrue();
    assertThat(r.state.lvb()).isEqualTo(Rsb.lvb("CCCC")); // content kept
  }

  @Test
  void survivingMasterKeepsTheLvbValidWhenTheDeadExHolderHadNoValblk() {
    Rsb r = new Rsb();
    r.id("L0", "A");
    r.id("LC", "C");
    r.req("L0", NL);
    r.req("LC", EX);
    r.state.purgeNodes(Set.of(C), 2);
    r.state.finishRecovery(false);
    assertThat(r.state.valNotValid()).isFalse();
  }

  @Test
  void tv55NewMasterRecoversTheLvbFromSurvivingPrHoldersWithoutCallbacks() {
    Rsb r = new Rsb(2);
    assertThat(r.state.addRecoveredLock(granted(r, "LB", "B", PR, "XXXX", 5, VALBLK))).isTrue();
    assertThat(r.state.addRecoveredLock(granted(r, "LC", "C", PR, "XXXX", 5, VALBLK))).isTrue();
    r.state.finishRecovery(true);
    r.state.checkInvariants();
    assertThat(r.record(r.state.grantAfterRecovery())).isEmpty();
    assertThat(r.state.lvb()).isEqualTo(Rsb.lvb("XXXX"));
    assertThat(r.state.valNotValid()).isFalse();
    assertThat(r.state.lvbSeq()).isEqualTo(5);
    assertThat(r.g()).containsExactlyInAnyOrder("LB:PR", "LC:PR");
    assertThat(r.reqLvb("L", PR, "????", VALBLK)).containsExactly("CAST(L,OK,PR)");
    assertThat(r.cast("L").lvb()).isEqualTo(Rsb.lvb("XXXX"));
  }

  @Test
  void newMasterTakesTheFirstLockAboveCrScanningGrantThenConvert() {
    Rsb r = new Rsb(2);
    r.state.addRecoveredLock(granted(r, "L1", "B", NL, "NNNN", 9, VALBLK));
    r.state.addRecoveredLock(new RecoveredLock(r.id("L2", "C"), CONVERTING, PW, EX, Set.of(VALBLK), true,
        Rsb.lvb("WWWW"), 3, new FencingToken(1, 3)));
    r.state.finishRecovery(true);
    r.state.checkInvariants();
    assertThat(r.state.lvb()).isEqualTo(Rsb.lvb("WWWW"));
    assertThat(r.state.lvbSeq()).isEqualTo(3);
    assertThat(r.state.valNotValid()).isFalse();
  }

  @Test
  void newMasterWithOnlyNlCrValblkLocksTakesTheHighestSeqAndMarksItInvalid() {
    Rsb r = new Rsb(2);
    r.state.addRecoveredLock(granted(r, "L1", "B", CR, "OLD1", 4, VALBLK));
    r.state.addRecoveredLock(granted(r, "L2", "C", NL, "NEW2", 6, VALBLK));
    r.state.addRecoveredLock(granted(r, "L3", "C", PR, "NOVB", 8));  // no VALBLK: ignored
    r.state.finishRecovery(true);
    r.state.checkInvariants();
    assertThat(r.state.lvb()).isEqualTo(Rsb.lvb("NEW2"));
    assertThat(r.state.lvbSeq()).isEqualTo(6);
    assertThat(r.state.valNotValid()).isTrue();
  }

  @Test
  void newMasterOnATieOfSequenceNumbersTakesTheLaterLock() {
    Rsb r = new Rsb(2);
    r.state.addRecoveredLock(granted(r, "L1", "B", CR, "AAAA", 4, VALBLK));
    r.state.addRecoveredLock(granted(r, "L2", "C", CR, "BBBB", 4, VALBLK));
    r.state.finishRecovery(true);
    // G is head-inserted, so L2 is scanned first and L1 (scanned later) wins the tie.
    assertThat(r.g()).containsExactly("L2:CR", "L1:CR");
    assertThat(r.state.lvb()).isEqualTo(Rsb.lvb("AAAA"));
  }

  @Test
  void newMasterWithoutValblkLocksLeavesTheLvbAbsentAndValid() {
    Rsb r = new Rsb(2);
    r.state.addRecoveredLock(granted(r, "L1", "B", EX, null, 0));
    r.state.finishRecovery(true);
    assertThat(r.state.lvbPresent()).isFalse();
    assertThat(r.state.valNotValid()).isFalse();
  }

  @Test
  void tv57QueuedConversionsAreGrantedAfterAMasterChangeWhateverTheirOrder() {
    for (boolean prFirst : new boolean[] {true, false}) {
      Rsb r = new Rsb(2);
      RecoveredLock b = converting(r, "LB", "B", NL, PR);
      RecoveredLock c = converting(r, "LC", "C", NL, CR, QUECVT);
      r.state.addRecoveredLock(prFirst ? b : c);
      r.state.addRecoveredLock(prFirst ? c : b);
      r.state.finishRecovery(true);
      r.state.checkInvariants();
      assertThat(r.record(r.state.grantAfterRecovery()))
          .containsExactlyInAnyOrder("CAST(LB,OK,PR)", "CAST(LC,OK,CR)");
    }
  }

  @Test
  void rule4GrantsAConversionThatIsNotTheHeadAfterRecovery() {
    Rsb r = new Rsb(2);
    r.state.addRecoveredLock(granted(r, "LZ", "A", CR, null, 1));
    r.state.addRecoveredLock(converting(r, "LX", "B", NL, EX));
    r.state.addRecoveredLock(converting(r, "LY", "C", NL, PR));
    r.state.finishRecovery(true);
    assertThat(r.record(r.state.grantAfterRecovery())).containsExactly("CAST(LY,OK,PR)", "BAST(LY,EX)", "BAST(LZ,EX)");
    assertThat(r.c()).containsExactly("LX:NL>EX");
    // Outside recovery rule 8 applies again: only the head may go.
  }

  @Test
  void recoveredWaitersFollowTheNormalRules() {
    Rsb r = new Rsb(2);
    r.state.addRecoveredLock(granted(r, "L1", "A", PR, null, 1));
    r.state.addRecoveredLock(new RecoveredLock(r.id("L2", "B"), WAITING, null, EX, Set.of(), true, null, 0, null));
    r.state.addRecoveredLock(new RecoveredLock(r.id("L3", "C"), WAITING, null, CR, Set.of(), true, null, 0, null));
    r.state.finishRecovery(true);
    assertThat(r.record(r.state.grantAfterRecovery())).containsExactly("BAST(L1,EX)");
    assertThat(r.w()).containsExactly("L2:EX", "L3:CR");
  }

  @Test
  void middleConversionRebuiltWithoutGrantedModeTakesThePrOrCwHeldInGrant() {
    Rsb r = new Rsb(2);
    r.state.addRecoveredLock(granted(r, "L1", "A", PR, null, 1));
    r.state.addRecoveredLock(converting(r, "L2", "B", null, CW));
    r.state.finishRecovery(true);
    r.state.checkInvariants();
    assertThat(r.c()).containsExactly("L2:PR>CW");
  }

  @Test
  void middleConversionRebuiltAloneTakesItsRequestedModeAndIsGranted() {
    Rsb r = new Rsb(2);
    r.state.addRecoveredLock(converting(r, "L2", "B", null, PR));
    r.state.finishRecovery(true);
    assertThat(r.record(r.state.grantAfterRecovery())).containsExactly("CAST(L2,OK,PR)");
  }

  @Test
  void resendingTheSameLockTwiceIsIgnored() {
    Rsb r = new Rsb(2);
    RecoveredLock l = granted(r, "L1", "B", PR, null, 1);
    assertThat(r.state.addRecoveredLock(l)).isTrue();
    assertThat(r.state.addRecoveredLock(l)).isFalse();
    assertThat(r.state.lockCount()).isEqualTo(1);
  }

  @Test
  void tokensCarriedOverFromTheOldMasterStayOlderThanNewOnes() {
    Rsb r = new Rsb(3);
    r.state.addRecoveredLock(new RecoveredLock(r.id("L1", "B"), GRANTED, PR, null, Set.of(), true, null, 0,
        new FencingToken(2, 40)));
    r.req("L2", PR);
    assertThat(r.view("L2").token()).isGreaterThan(new FencingToken(2, 40));
    Rsb same = new Rsb(2);
    same.state.addRecoveredLock(new RecoveredLock(same.id("L1", "B"), GRANTED, PR, null, Set.of(), true, null, 0,
        new FencingToken(2, 40)));
    same.req("L2", PR);
    assertThat(same.view("L2").token()).isEqualTo(new FencingToken(2, 41));
  }

  @Test
  void aRecoveredLockWithAnImpossibleShapeIsRejectedWithTheReason() {
    assertThatThrownBy(() -> new RecoveredLock(new LockId(B, 1), WAITING, PR, EX, EnumSet.noneOf(LockFlag.class),
        true, null, 0, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("WAITING").hasMessageContaining("no granted mode");
  }

  @Test
  void joinsOnlyRecoveryDoesNothing() {
    Rsb r = new Rsb();
    r.req("L1", EX);
    r.req("L2", PR);
    r.state.purgeNodes(Set.of(A), 2);
    r.state.finishRecovery(false);
    assertThat(r.record(r.state.grantAfterRecovery())).isEmpty();
  }
}
