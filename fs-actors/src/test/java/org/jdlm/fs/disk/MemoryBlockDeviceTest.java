package org.jdlm.fs.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MemoryBlockDeviceTest {

  @Test
  void aWriteOnOneMemberIsReadOnAnotherAndAFencedMembersWritesAreRefused() throws DiskError {
    MemoryBlockDevice disk = new MemoryBlockDevice("lun0", 16, 4);
    BlockDevice n1 = disk.member("n1");
    BlockDevice n2 = disk.member("n2");
    assertThat(n2.read(3)).containsOnly(0).hasSize(16);
    n1.write(3, new byte[] {1, 2, 3});
    assertThat(n2.read(3)).startsWith(1, 2, 3).hasSize(16);

    disk.fence("n1");
    assertThatThrownBy(() -> n1.write(3, new byte[] {9}))
        .isInstanceOfSatisfying(DiskError.class, e -> assertThat(e.kind()).isEqualTo(DiskError.Kind.FENCED))
        .hasMessage("lun0 block 3: fenced: n1's registration was pre-empted");
    assertThat(n2.read(3)).startsWith(1, 2, 3);
    n2.write(3, new byte[] {7});
    assertThat(disk.writes()).isEqualTo(2);
    disk.unfence("n1");
    n1.write(2, new byte[] {5});
  }

  @Test
  void badBlocksAndOversizedWritesNameTheValue() {
    BlockDevice d = new MemoryBlockDevice("lun0", 16, 4).member("n1");
    assertThatThrownBy(() -> d.read(4)).hasMessage("lun0 block 4: out of range: valid blocks are 0..3");
    assertThatThrownBy(() -> d.write(-1, new byte[1])).hasMessageContaining("out of range");
    assertThatThrownBy(() -> d.write(0, new byte[17])).hasMessage("lun0 block 0: too large: 17 bytes > block size 16");
  }
}
