package org.jdlm.fs.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The on-disk format: layouts, round trips, and the refusal of blocks that are not what they should be. */
class DiskFormatTest {

  @Test
  void layoutPutsJournalsAfterTheSuperblockThenResourceGroupsWithTheRootFirst() {
    Superblock sb = Superblock.layout(512, 2048, 3, 16, 400);
    assertThat(sb.journals()).containsExactly(new Superblock.Region(1, 16), new Superblock.Region(17, 16),
        new Superblock.Region(33, 16));
    assertThat(sb.rgrps().get(0)).isEqualTo(new Superblock.Rgrp(0, 49, 50, 400));
    assertThat(sb.rgrps().get(1)).isEqualTo(new Superblock.Rgrp(1, 450, 451, 400));
    assertThat(sb.rootIno()).isEqualTo(50);
    Superblock.Rgrp last = sb.rgrps().get(sb.rgrps().size() - 1);
    assertThat(last.firstData() + last.dataBlocks()).as("the last group ends at the device's end").isEqualTo(2048);
    assertThat(Superblock.decode(sb.encode())).isEqualTo(sb);
    assertThat(sb.rgrpOf(451)).isEqualTo(sb.rgrps().get(1));
  }

  @Test
  void aBitmapHoldsAtMostWhatOneHeaderBlockHolds() {
    Superblock sb = Superblock.layout(128, 400, 1, 1, 10_000);
    assertThat(sb.rgrps().get(0).dataBlocks()).isEqualTo(128 - Superblock.RGRP_HEADER_BYTES);
  }

  @Test
  void impossibleLayoutsAreRefusedWithTheReason() {
    assertThatThrownBy(() -> Superblock.layout(64, 100, 1, 1, 10)).hasMessageContaining("below the minimum 128");
    assertThatThrownBy(() -> Superblock.layout(512, 10, 2, 8, 10)).hasMessageContaining("no room for a resource group");
    assertThatThrownBy(() -> Superblock.layout(512, 100, 0, 8, 10)).hasMessageContaining("at least one journal");
    assertThatThrownBy(() -> Superblock.layout(128, 100_000, 1, 1, 2)).hasMessageContaining("do not fit");
  }

  @Test
  void blocksThatAreNotWhatTheyShouldBeAreRefused() {
    byte[] zeros = new byte[512];
    assertThatThrownBy(() -> Superblock.decode(zeros)).hasMessageContaining("not a jdlm filesystem");
    assertThatThrownBy(() -> Dinode.decode(77, zeros)).hasMessageContaining("block 77 is not a dinode");
    Superblock.Rgrp r = new Superblock.Rgrp(0, 10, 11, 100);
    assertThatThrownBy(() -> RgrpBitmap.decode(r, zeros)).hasMessageContaining("corrupt resource group header at block 10");
    byte[] other = RgrpBitmap.empty(new Superblock.Rgrp(1, 10, 11, 100)).encode(512);
    assertThatThrownBy(() -> RgrpBitmap.decode(r, other)).hasMessageContaining("index 1");
  }

  @Test
  void dinodeFieldsSurviveTheirBlock() {
    Dinode d = Dinode.fresh(Dinode.Mode.FILE, 42, 512).withBlock(0, 100).withBlock(5, 200).withSize(3000).withNlink(0);
    Dinode back = Dinode.decode(9, d.encode(512));
    assertThat(back).isEqualTo(d);
    assertThat(back.dataBlocks()).containsExactly(100, 200);
    assertThat(back.block(1)).as("a hole").isZero();
    assertThat(Dinode.pointers(512)).isEqualTo(120);
  }

  @Test
  void directoryNamesLongerThanASlotAreRefused() {
    String longName = "x".repeat(DirectoryBlock.MAX_NAME_BYTES + 1);
    assertThatThrownBy(() -> DirectoryBlock.encode(List.of(new DirectoryBlock.Entry(longName, 5)), 512))
        .hasMessageContaining("longer than 55 bytes");
  }

  @Property
  void dinodesRoundTrip(@ForAll("dinodes") Dinode d) {
    assertThat(Dinode.decode(1, d.encode(256))).isEqualTo(d);
  }

  @Provide
  Arbitrary<Dinode> dinodes() {
    int n = Dinode.pointers(256);
    return net.jqwik.api.Combinators.combine(Arbitraries.of(Dinode.Mode.class), Arbitraries.integers().between(0, 10),
        Arbitraries.longs().greaterOrEqual(0), Arbitraries.longs().between(0, Long.MAX_VALUE / 2),
        Arbitraries.integers().greaterOrEqual(0).array(int[].class).ofSize(n))
        .as(Dinode::new);
  }

  @Property
  void directoryBlocksRoundTrip(@ForAll("names") List<String> names, @ForAll @IntRange(min = 1, max = 1_000_000) int base) {
    List<DirectoryBlock.Entry> entries = new ArrayList<>();
    for (int i = 0; i < DirectoryBlock.slots(512); i++) {
      entries.add(i < names.size() && !names.get(i).isEmpty() ? new DirectoryBlock.Entry(names.get(i), base + i)
          : DirectoryBlock.Entry.FREE);
    }
    assertThat(DirectoryBlock.decode(DirectoryBlock.encode(entries, 512))).isEqualTo(entries);
  }

  @Provide
  Arbitrary<List<String>> names() {
    return Arbitraries.strings().alpha().numeric().withChars('é', '-', '_').ofMaxLength(20).list()
        .ofMaxSize(DirectoryBlock.slots(512));
  }

  @Property
  void superblocksRoundTrip(@ForAll @IntRange(min = 1, max = 4) int journals,
                            @ForAll @IntRange(min = 1, max = 64) int journalBlocks,
                            @ForAll @IntRange(min = 300, max = 5000) int blocks,
                            @ForAll @IntRange(min = 150, max = 500) int perRgrp) {
    Superblock sb = Superblock.layout(512, blocks, journals, journalBlocks, perRgrp);
    assertThat(Superblock.decode(sb.encode())).isEqualTo(sb);
    // Regions never overlap and cover the device from block 1 on.
    int next = 1;
    for (Superblock.Region j : sb.journals()) {
      assertThat(j.first()).isEqualTo(next);
      next += j.blocks();
    }
    for (Superblock.Rgrp r : sb.rgrps()) {
      assertThat(r.header()).isEqualTo(next);
      next = r.firstData() + r.dataBlocks();
    }
    assertThat(next).isLessThanOrEqualTo(blocks);
  }
}
