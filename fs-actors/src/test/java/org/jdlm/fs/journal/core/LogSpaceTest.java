package org.jdlm.fs.journal.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** When the writer must move its tail: the two rules of {@link LogSpace}, as a table of steps. */
class LogSpaceTest {

  @Test
  void withCheckpointEveryOneTheTailFollowsEveryTransaction() {
    LogSpace s = new LogSpace(10, 0, 1, 1);
    LogSpace.Reservation r = s.reserve(4);
    assertThat(r).isEqualTo(new LogSpace.Reservation(0, 1, 4, false));
    assertThat(s.committed(r)).isTrue();
    s.checkpointed();
    assertThat(s.tailPos()).isEqualTo(4);
    assertThat(s.tailSeq()).isEqualTo(2);
    assertThat(s.used()).isZero();
  }

  @Test
  void aTransactionThatDoesNotFitBeforeTheTailCheckpointsFirst() {
    LogSpace s = new LogSpace(10, 0, 1, 100);
    // {length, expected start, expected checkpointFirst}
    int[][] steps = {{4, 0, 0}, {4, 4, 0}, {3, 8, 1}};
    for (int[] step : steps) {
      LogSpace.Reservation r = s.reserve(step[0]);
      assertThat(r.startPos()).isEqualTo(step[1]);
      assertThat(r.checkpointFirst()).isEqualTo(step[2] == 1);
      if (r.checkpointFirst()) {
        s.checkpointed();
        r = s.reserve(step[0]);
        assertThat(r.checkpointFirst()).isFalse();
      }
      assertThat(s.committed(r)).isFalse();
    }
    assertThat(s.headPos()).as("the third transaction wrapped: 8, 9, 0").isEqualTo(1);
    assertThat(s.tailPos()).isEqualTo(8);
  }

  @Test
  void aTransactionLargerThanTheLogIsRefusedWithTheSizes() {
    assertThatThrownBy(() -> new LogSpace(10, 0, 1, 1).reserve(11)).hasMessageContaining("11 log blocks")
        .hasMessageContaining("10 blocks");
    assertThatThrownBy(() -> new LogSpace(10, 0, 1, 0)).hasMessageContaining("checkpoint-every");
  }

  @Test
  void aCommitThatDoesNotFollowTheHeadIsABug() {
    LogSpace s = new LogSpace(10, 0, 1, 1);
    assertThatThrownBy(() -> s.committed(new LogSpace.Reservation(3, 1, 2, false)))
        .isInstanceOf(IllegalStateException.class);
  }
}
