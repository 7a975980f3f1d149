package org.jdlm.fs.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The allocator: a block is never handed out twice, a freed block comes back, and the bitmap survives its block. */
class RgrpBitmapProperties {
  private static final Superblock.Rgrp RG = new Superblock.Rgrp(0, 10, 11, 60);

  /** One step: allocate n (n > 0) or free the k-th allocated block (n <= 0, k = -n). */
  @Property(tries = 300)
  void neverHandsOutABlockTwiceAndFreesOnDealloc(@ForAll("steps") List<Integer> steps) {
    RgrpBitmap bm = RgrpBitmap.empty(RG);
    List<Integer> held = new ArrayList<>();
    for (int step : steps) {
      if (step > 0) {
        RgrpBitmap.Allocated a = bm.allocate(step, step % 2 == 0 ? BlockState.DATA : BlockState.DINODE);
        for (int b : a.blocks()) {
          assertThat(held).as("only free blocks").doesNotContain(b);
        }
        assertThat(a.blocks()).hasSize(Math.min(step, bm.free()));
        assertThat(new HashSet<>(a.blocks())).hasSameSizeAs(a.blocks());
        held.addAll(a.blocks());
        bm = a.bitmap();
      } else if (!held.isEmpty()) {
        int block = held.remove(-step % held.size());
        bm = bm.set(List.of(block), BlockState.FREE, BlockState.DATA, BlockState.DINODE);
        assertThat(bm.state(block)).isEqualTo(BlockState.FREE);
      }
      assertThat(bm.free()).as("free + held = all").isEqualTo(RG.dataBlocks() - held.size());
      assertThat(RgrpBitmap.decode(RG, bm.encode(128))).isEqualTo(bm);
    }
  }

  @Provide
  Arbitrary<List<Integer>> steps() {
    return Arbitraries.integers().between(-20, 8).list().ofMaxSize(60);
  }

  @Test
  void aDoubleFreeIsABug() {
    RgrpBitmap.Allocated a = RgrpBitmap.empty(RG).allocate(2, BlockState.DATA);
    RgrpBitmap freed = a.bitmap().set(List.of(11), BlockState.FREE, BlockState.DATA);
    assertThatThrownBy(() -> freed.set(List.of(11), BlockState.FREE, BlockState.DATA))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("block 11 is FREE");
  }

  @Test
  void unlinkedDinodesStayAllocatedUntilFreedFromUnlinked() {
    RgrpBitmap bm = RgrpBitmap.empty(RG).allocate(1, BlockState.DINODE).bitmap();
    bm = bm.set(List.of(11), BlockState.UNLINKED, BlockState.DINODE);
    assertThat(bm.allocate(1, BlockState.DATA).blocks()).containsExactly(12);
    RgrpBitmap unlinked = bm;
    assertThatThrownBy(() -> unlinked.set(List.of(11), BlockState.FREE, BlockState.DINODE))
        .hasMessageContaining("UNLINKED");
    assertThat(bm.set(List.of(11), BlockState.FREE, BlockState.UNLINKED).state(11)).isEqualTo(BlockState.FREE);
  }

  @Test
  void allocationIsLowestFirstAndStopsAtTheGroupsEnd() {
    RgrpBitmap.Allocated a = RgrpBitmap.empty(RG).allocate(100, BlockState.DATA);
    assertThat(a.blocks()).hasSize(60).startsWith(11, 12, 13).endsWith(70);
    assertThat(a.bitmap().free()).isZero();
    Set<Integer> none = new HashSet<>(a.bitmap().allocate(1, BlockState.DATA).blocks());
    assertThat(none).isEmpty();
  }
}
