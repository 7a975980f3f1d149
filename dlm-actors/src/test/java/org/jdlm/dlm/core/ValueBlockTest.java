package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jdlm.dlm.core.LockFlag.IVVALBLK;
import static org.jdlm.dlm.core.LockFlag.VALBLK;
import static org.jdlm.dlm.core.LockMode.CR;
import static org.jdlm.dlm.core.LockMode.EX;
import static org.jdlm.dlm.core.LockMode.NL;
import static org.jdlm.dlm.core.LockMode.PR;
import static org.jdlm.dlm.core.LockMode.PW;

import org.junit.jupiter.api.Test;

/** Lock value blocks on the master (semantics §4, §11.2, §11.8; TV-39 … TV-44). */
class ValueBlockTest {

  /** L0:NL pins the resource; L1 holds EX with VALBLK and has written {@code content}. */
  private static Rsb withLvb(String content) {
    Rsb r = new Rsb();
    r.req("L0", NL);
    r.reqLvb("L1", EX, "----", VALBLK);
    r.cvtLvb("L1", EX, content, VALBLK); // EX->EX writes (same-mode conversion)
    assertThat(r.state.lvb()).isEqualTo(Rsb.lvb(content));
    return r;
  }

  @Test
  void tv39DownConversionWithValblkWritesAndWithoutValblkDoesNot() {
    Rsb r = new Rsb();
    r.req("L0", NL);
    r.reqLvb("L1", EX, "AAAA", VALBLK);
    r.cvtLvb("L1", PR, "BBBB", VALBLK);
    assertThat(r.state.lvb()).isEqualTo(Rsb.lvb("BBBB"));
    r.cvt("L1", EX);
    r.cvtLvb("L1", NL, "CCCC");
    assertThat(r.state.lvb()).isEqualTo(Rsb.lvb("BBBB"));
  }

  @Test
  void tv40SameModeConversionReadsFromPrAndWritesFromPw() {
    Rsb r = withLvb("AAAA");
    r.cvt("L1", PW, VALBLK);                 // EX->PW writes L1's buffer "AAAA" again
    r.reqLvb("L2", CR, "????", VALBLK);
    assertThat(r.cvtLvb("L2", CR, "????", VALBLK)).containsExactly("CAST(L2,OK,CR)");
    assertThat(r.cast("L2").lvb()).isEqualTo(Rsb.lvb("AAAA"));
    r.cvtLvb("L1", PW, "EEEE", VALBLK);      // PW->PW writes
    assertThat(r.state.lvb()).isEqualTo(Rsb.lvb("EEEE"));
  }

  @Test
  void tv41UnlockingFromPrNeverWrites() {
    Rsb r = withLvb("AAAA");
    r.cvt("L1", PR, VALBLK);
    assertThat(r.state.lvb()).isEqualTo(Rsb.lvb("AAAA"));
    r.unlLvb("L1", "ZZZZ", VALBLK);
    assertThat(r.state.lvb()).isEqualTo(Rsb.lvb("AAAA"));
  }

  @Test
  void tv42NeverWrittenLvbReadsAsZerosAndIsFreedWithTheResource() {
    Rsb r = new Rsb();
    r.reqLvb("L1", PR, "JUNK", VALBLK);
    assertThat(r.cast("L1").lvb().isZero()).isTrue();
    assertThat(r.cast("L1").sbflags()).isEqualTo(SbFlags.NONE);
    r.cvtLvb("L1", EX, "JUNK", VALBLK);
    r.unlLvb("L1", "DATA", VALBLK);          // written on unlock from EX ...
    r.reqLvb("L2", PR, "JUNK", VALBLK);      // ... but the resource was unused in between
    assertThat(r.cast("L2").lvb().isZero()).isTrue();
  }

  @Test
  void tv43IvvalblkOnUnlockThenRevalidationByAWrite() {
    Rsb r = withLvb("AAAA");
    r.unl("L1", IVVALBLK);
    assertThat(r.state.valNotValid()).isTrue();
    assertThat(r.reqLvb("L2", PR, "ZZZZ", VALBLK)).containsExactly("CAST(L2,OK,PR,VALNOTVALID)");
    assertThat(r.cast("L2").lvb()).isEqualTo(Rsb.lvb("AAAA")); // stale content still returned
    assertThat(r.cvt("L2", EX, VALBLK)).containsExactly("CAST(L2,OK,EX,VALNOTVALID)");
    assertThat(r.cvtLvb("L2", NL, "DDDD", VALBLK)).containsExactly("CAST(L2,OK,NL)");
    assertThat(r.reqLvb("L3", PR, "ZZZZ", VALBLK)).containsExactly("CAST(L3,OK,PR)");
    assertThat(r.cast("L3").lvb()).isEqualTo(Rsb.lvb("DDDD"));
  }

  @Test
  void tv44IvvalblkOnDownConversionInvalidatesAndIsNotReportedOnTheWritePath() {
    Rsb r = withLvb("AAAA");
    assertThat(r.cvtLvb("L1", PR, "XXXX", VALBLK, IVVALBLK)).containsExactly("CAST(L1,OK,PR)");
    assertThat(r.state.valNotValid()).isTrue();
    assertThat(r.state.lvb()).isEqualTo(Rsb.lvb("AAAA"));
    // The "-" path (PR->CR) reports the flag when VALBLK is set.
    assertThat(r.cvt("L1", CR, VALBLK)).containsExactly("CAST(L1,OK,CR,VALNOTVALID)");
  }

  @Test
  void readWithoutValblkReportsNothingEvenWhenInvalid() {
    Rsb r = withLvb("AAAA");
    r.unl("L1", IVVALBLK);
    assertThat(r.req("L2", PR)).containsExactly("CAST(L2,OK,PR)");
    assertThat(r.cast("L2").lvb()).isNull();
  }

  @Test
  void unlockValblkIsTheOrWithTheLastLockCallsFlags() {
    // semantics §11.2: the last lock call had VALBLK, the unlock does not: it still writes.
    Rsb r = withLvb("AAAA");
    r.unlLvb("L1", "UUUU");
    assertThat(r.state.lvb()).isEqualTo(Rsb.lvb("UUUU"));
  }

  @Test
  void unlockValblkAloneAlsoWrites() {
    Rsb r = new Rsb();
    r.req("L0", NL);
    r.reqLvb("L1", EX, "----");              // no VALBLK on the lock call
    r.unlLvb("L1", "VVVV", VALBLK);
    assertThat(r.state.lvb()).isEqualTo(Rsb.lvb("VVVV"));
  }

  @Test
  void eachWriteIncrementsLvbseqAndTheWriterRecordsIt() {
    Rsb r = withLvb("AAAA");
    long seq = r.state.lvbSeq();
    r.cvtLvb("L1", EX, "BBBB", VALBLK);
    assertThat(r.state.lvbSeq()).isEqualTo(seq + 1);
    assertThat(r.view("L1").lvbseq()).isEqualTo(seq + 1);
    r.reqLvb("L2", NL, "", VALBLK);
    assertThat(r.view("L2").lvbseq()).isEqualTo(seq + 1);
  }

  @Test
  void castCarriesTheLvbOnlyWithValblk() {
    Rsb r = withLvb("AAAA");
    r.req("L2", NL);
    assertThat(r.cast("L2").lvb()).isNull();
  }
}
