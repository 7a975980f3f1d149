package org.jdlm.fs.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jdlm.fs.core.InodeRules.DropDecision;
import org.jdlm.fs.core.InodeRules.EvictNext;
import org.jdlm.fs.core.InodeRules.EvictStart;
import org.jdlm.fs.core.InodeRules.IopenOutcome;
import org.junit.jupiter.api.Test;

/** The inode decision tables cell by cell against literal copies of fs-cycles §2.1–§2.4. */
class InodeRulesTest {

  // nlink0 inReclaim iopenHeld sbActive -> decision; every one of the 16 rows.
  private static final String[] DROP = {
      "0 0 0 0 EVICT", "0 0 0 1 KEEP_CACHED", "0 0 1 0 EVICT", "0 0 1 1 KEEP_CACHED",
      "0 1 0 0 EVICT", "0 1 0 1 KEEP_CACHED", "0 1 1 0 EVICT", "0 1 1 1 KEEP_CACHED",
      "1 0 0 0 EVICT", "1 0 0 1 EVICT", "1 0 1 0 EVICT", "1 0 1 1 EVICT",
      "1 1 0 0 EVICT", "1 1 0 1 EVICT", "1 1 1 0 DEFER_DELETE", "1 1 1 1 DEFER_DELETE",
  };

  // nlink0 readOnly inReclaimOrDefer -> start
  private static final String[] START = {
      "0 0 0 CACHE_DROP", "0 0 1 CACHE_DROP", "0 1 0 CACHE_DROP", "0 1 1 CACHE_DROP",
      "1 0 0 TRY_IOPEN_EXCLUSIVE", "1 0 1 DEFER", "1 1 0 CACHE_DROP", "1 1 1 CACHE_DROP",
  };

  private static final String[] AFTER_IOPEN = {
      "TRY_GRANTED DEALLOCATE", "TRY_FAILED WAIT_IOPEN_EXCLUSIVE", "WAIT_GRANTED DEALLOCATE",
      "WAIT_TIMED_OUT CACHE_DROP", "INODE_DEMOTE_REQUESTED CACHE_DROP",
  };

  private static boolean bit(String s) {
    return s.equals("1");
  }

  @Test
  void lastPutDecisionEveryRow() {
    for (String row : DROP) {
      String[] c = row.split(" ");
      long nlink = bit(c[0]) ? 0 : 2;
      assertThat(InodeRules.onLastPut(nlink, bit(c[1]), bit(c[2]), bit(c[3]))).as(row)
          .isEqualTo(DropDecision.valueOf(c[4]));
    }
  }

  @Test
  void evictStartEveryRow() {
    for (String row : START) {
      String[] c = row.split(" ");
      long nlink = bit(c[0]) ? 0 : 1;
      assertThat(InodeRules.evictStart(nlink, bit(c[1]), bit(c[2]))).as(row).isEqualTo(EvictStart.valueOf(c[3]));
    }
  }

  @Test
  void iopenAnswerEveryRow() {
    assertThat(AFTER_IOPEN).hasSize(IopenOutcome.values().length);
    for (String row : AFTER_IOPEN) {
      String[] c = row.split(" ");
      assertThat(InodeRules.afterIopen(IopenOutcome.valueOf(c[0]))).as(row).isEqualTo(EvictNext.valueOf(c[1]));
    }
  }

  @Test
  void negativeLinkCountIsRejected() {
    assertThatThrownBy(() -> InodeRules.onLastPut(-1, false, false, true)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
  }
}
