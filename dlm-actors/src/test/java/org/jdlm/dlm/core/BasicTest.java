package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jdlm.dlm.core.LockFlag.EXPEDITE;
import static org.jdlm.dlm.core.LockFlag.NOORDER;
import static org.jdlm.dlm.core.LockFlag.NOQUEUE;
import static org.jdlm.dlm.core.LockFlag.NOQUEUEBAST;
import static org.jdlm.dlm.core.LockMode.CR;
import static org.jdlm.dlm.core.LockMode.EX;
import static org.jdlm.dlm.core.LockMode.NL;
import static org.jdlm.dlm.core.LockMode.PR;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** New requests, FIFO and NOQUEUE: semantics §2.3 and vectors TV-01 … TV-11 (groups A and B). */
class BasicTest {

  record Pair(LockMode held, LockMode requested) {}

  static List<Pair> allModePairs() {
    List<Pair> pairs = new ArrayList<>();
    for (LockMode a : LockMode.values()) {
      for (LockMode b : LockMode.values()) {
        pairs.add(new Pair(a, b));
      }
    }
    return pairs;
  }

  @ParameterizedTest(name = "TV-01 held {0}")
  @MethodSource("allModePairs")
  void tv01RequestIsGrantedIffCompatibleElseQueuedWithOneBast(Pair p) {
    Rsb r = new Rsb();
    r.req("L1", p.held());
    List<String> effects = r.req("L2", p.requested());
    if (ModeTables.compatible(p.held(), p.requested())) {
      assertThat(effects).containsExactly("CAST(L2,OK," + p.requested() + ")");
      assertThat(r.g()).contains("L2:" + p.requested());
    } else {
      assertThat(effects).containsExactly("QUEUED(L2)", "BAST(L1," + p.requested() + ")");
      assertThat(r.w()).containsExactly("L2:" + p.requested());
    }
  }

  @Test
  void tv03GrantOnUnlockThenImmediateBastToNewHolder() {
    Rsb r = new Rsb();
    r.req("L1", PR);
    assertThat(r.req("L2", EX)).containsExactly("QUEUED(L2)", "BAST(L1,EX)");
    assertThat(r.req("L3", PR)).containsExactly("QUEUED(L3)");
    assertThat(r.unl("L1")).containsExactly(
        "CAST(L1,EUNLOCK,IV)", "GONE(L1)", "CAST(L2,OK,EX)", "BAST(L2,PR)");
    assertThat(r.w()).containsExactly("L3:PR");
  }

  @Test
  void tv05aNlRequestQueuesBehindAWaiter() {
    Rsb r = new Rsb();
    r.req("L1", EX);
    r.req("L2", PR);
    assertThat(r.req("L3", NL)).containsExactly("QUEUED(L3)");
    assertThat(r.w()).containsExactly("L2:PR", "L3:NL");
  }

  @Test
  void tv05bExpeditedNlRequestIgnoresTheWaitQueue() {
    Rsb r = new Rsb();
    r.req("L1", EX);
    r.req("L2", PR);
    assertThat(r.req("L3", NL, EXPEDITE)).containsExactly("CAST(L3,OK,NL)");
    assertThat(r.w()).containsExactly("L2:PR");
  }

  @Test
  void tv07NoorderOvertakesWaiters() {
    Rsb r = new Rsb();
    r.req("L1", PR);
    r.req("L2", EX);
    assertThat(r.req("L3", PR, NOORDER)).containsExactly("CAST(L3,OK,PR)");
    assertThat(r.w()).containsExactly("L2:EX");
  }

  @Test
  void tv08WithoutNoorderACompatibleRequestStillQueuesBehindAWaiter() {
    Rsb r = new Rsb();
    r.req("L1", PR);
    r.req("L2", EX);
    assertThat(r.req("L3", PR)).containsExactly("QUEUED(L3)");
    assertThat(r.w()).containsExactly("L2:EX", "L3:PR");
  }

  @Test
  void tv09NoqueueRequestFailsWithoutBastAndIsDestroyed() {
    Rsb r = new Rsb();
    r.req("L1", EX);
    assertThat(r.req("L2", PR, NOQUEUE)).containsExactly("CAST(L2,EAGAIN,IV)", "GONE(L2)");
    r.assertGone("L2");
    assertThat(r.unl("L2")).containsExactly("REJECT(L2,ENOENT)");
  }

  @Test
  void tv10NoqueueRequestThatIsGrantableIsGranted() {
    Rsb r = new Rsb();
    r.req("L1", PR);
    assertThat(r.req("L2", CR, NOQUEUE)).containsExactly("CAST(L2,OK,CR)");
  }

  @Test
  void tv11NoqueuebastReachesConvertingLocksButRespectsHighbast() {
    Rsb r = new Rsb();
    r.req("L1", PR);
    r.req("L3", CR);
    assertThat(r.cvt("L3", EX)).containsExactly("QUEUED(L3)", "BAST(L1,EX)");
    assertThat(r.req("L2", EX, NOQUEUE, NOQUEUEBAST))
        .containsExactly("CAST(L2,EAGAIN,IV)", "BAST(L3,EX)", "GONE(L2)");
  }

  @Test
  void tv12NoqueuebastAlsoReachesGrantedLocks() {
    Rsb r = new Rsb();
    r.req("L1", PR);
    assertThat(r.req("L2", EX, NOQUEUE, NOQUEUEBAST))
        .containsExactly("CAST(L2,EAGAIN,IV)", "BAST(L1,EX)", "GONE(L2)");
  }

  @Test
  void waitersAreGrantedInFifoOrderAndStopAtTheFirstBlockedOne() {
    Rsb r = new Rsb();
    r.req("L1", EX);
    r.req("L2", PR);
    r.req("L3", CR);
    r.req("L4", EX);
    r.req("L5", NL);
    assertThat(r.unl("L1")).containsExactly(
        "CAST(L1,EUNLOCK,IV)", "GONE(L1)", "CAST(L2,OK,PR)", "CAST(L3,OK,CR)",
        "BAST(L3,EX)", "BAST(L2,EX)");
    // L5 (NL) is compatible with everything but stays behind the blocked L4 (semantics §2.5 step 2).
    assertThat(r.w()).containsExactly("L4:EX", "L5:NL");
  }

  @Test
  void headqueRequestJoinsTheHeadOfTheWaitQueue() {
    Rsb r = new Rsb();
    r.req("L1", EX);
    r.req("L2", PR);
    r.req("L3", CR, LockFlag.HEADQUE);
    assertThat(r.w()).containsExactly("L3:CR", "L2:PR");
    assertThat(r.unl("L1")).startsWith("CAST(L1,EUNLOCK,IV)", "GONE(L1)", "CAST(L3,OK,CR)", "CAST(L2,OK,PR)");
  }

  @Test
  void tv49RemoteNoqueueFailureFreesTheMasterCopy() {
    Rsb r = new Rsb();
    r.id("L1", "n3");
    r.id("L", "n1");
    r.req("L1", EX);
    assertThat(r.req("L", PR, NOQUEUE)).containsExactly("CAST(L,EAGAIN,IV)", "GONE(L)");
    assertThat(r.last.get(0).owner()).isEqualTo(new NodeId("n1"));
    assertThat(r.state.lockCount()).isEqualTo(1);
  }

  @Test
  void duplicateRequestForAKnownLockIsRejectedNotQueuedTwice() {
    Rsb r = new Rsb();
    r.req("L1", EX);
    r.req("L2", PR);
    assertThat(r.req("L2", PR)).containsExactly("REJECT(L2,EEXIST)");
    assertThat(r.w()).containsExactly("L2:PR");
  }

  @Test
  void unlockingTheLastLockLeavesTheResourceUnused() {
    Rsb r = new Rsb();
    r.req("L1", EX);
    r.unl("L1");
    assertThat(r.state.isUnused()).isTrue();
  }
}
