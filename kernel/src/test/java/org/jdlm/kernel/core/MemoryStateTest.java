package org.jdlm.kernel.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class MemoryStateTest {

  @Test
  void dirtyPagesMoveThroughWritebackAndMustBeCleanBeforeTheirPagesAreFreed() {
    MemoryState m = new MemoryState(100);
    m.take(1, 10);
    m.dirty("nfs", 8);
    m.startWriteback("nfs", 5);
    assertThat(m.bdi("nfs")).isEqualTo(new MemoryState.Bdi("nfs", 3, 5));
    assertThatThrownBy(() -> m.release(1)).hasMessageContaining("8 dirty/writeback pages");
    assertThat(m.usedPages()).as("a refused free leaves the accounting as it was").isEqualTo(10);
    m.endWriteback("nfs", 5);
    m.cancelDirty("nfs", 3);
    assertThat(m.release(1)).isEqualTo(10);
    m.checkInvariants();
  }

  @Test
  void badOperationsNameTheValues() {
    MemoryState m = new MemoryState(10);
    assertThatThrownBy(() -> m.take(1, 11)).hasMessageContaining("11 pages with 10 free");
    assertThatThrownBy(() -> m.release(7)).hasMessageContaining("7");
    assertThatThrownBy(() -> m.dirty("x", 1)).hasMessageContaining("only 0 used");
    assertThatThrownBy(() -> m.dirty("x", 0)).hasMessageContaining("must be positive");
    assertThatThrownBy(() -> new MemoryState(0)).hasMessageContaining("got 0");
  }

  /** Any sequence of grants, frees, dirtying and writeback keeps the accounting consistent. */
  @Property(tries = 300)
  void accountingHoldsAfterEveryStep(@ForAll("ops") List<Integer> ops) {
    MemoryState m = new MemoryState(100);
    List<Long> live = new ArrayList<>();
    long id = 0;
    for (int op : ops) {
      int kind = Math.floorMod(op, 6);
      long n = 1 + Math.floorMod(op / 6, 20);
      String bdi = op % 2 == 0 ? "a" : "b";
      try {
        switch (kind) {
          case 0 -> {
            m.take(++id, n);
            live.add(id);
          }
          case 1 -> {
            if (!live.isEmpty()) {
              m.release(live.get(0));
              live.remove(0);
            }
          }
          case 2 -> m.dirty(bdi, n);
          case 3 -> m.startWriteback(bdi, n);
          case 4 -> m.endWriteback(bdi, n);
          default -> m.cancelDirty(bdi, n);
        }
      } catch (IllegalStateException refused) {
        // refused operations must leave the state untouched; checked below
      }
      m.checkInvariants();
      assertThat(m.freePages()).isBetween(0L, 100L);
      assertThat(m.liveGrants()).isEqualTo(live.size());
    }
  }

  @Provide
  Arbitrary<List<Integer>> ops() {
    return Arbitraries.integers().between(0, 500).list().ofMaxSize(80);
  }
}
