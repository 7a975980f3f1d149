package org.jdlm.fs.journal.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JournalHeaderTest {

  @Test
  void aHeaderRoundTripsThroughItsBlock() {
    JournalHeader h = JournalHeader.fresh(2, 31).mountedBy("127.0.0.1:25520").withTail(7, 42);
    assertThat(JournalHeader.decode(h.encode(128))).contains(h);
    assertThat(h.dirty()).isTrue();
    assertThat(h.clean().dirty()).isFalse();
  }

  @Test
  void aBlockThatHoldsNoHeaderReadsAsNone() {
    assertThat(JournalHeader.decode(new byte[128])).isEmpty();
    byte[] b = JournalHeader.fresh(0, 10).mountedBy("n1").encode(128);
    b[20] ^= 1;
    assertThat(JournalHeader.decode(b)).as("a flipped bit fails the checksum").isEmpty();
  }

  @Test
  void impossibleValuesAreRefusedWithTheReason() {
    assertThatThrownBy(() -> new JournalHeader(0, JournalHeader.State.CLEAN, "", 10, 10, 1))
        .hasMessageContaining("tail 10/1");
    assertThatThrownBy(() -> JournalHeader.fresh(0, 10).mountedBy("x".repeat(200)).encode(64))
        .hasMessageContaining("does not fit");
  }
}
