package org.jdlm.dlm.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.jdlm.dlm.core.NodeId;
import org.junit.jupiter.api.Test;

class ResourceDirectoryTest {

  private static final List<NodeId> THREE = List.of(new NodeId("n1"), new NodeId("n2"), new NodeId("n3"));

  @Test
  void hashIsFnv1aOfTheNameBytes() {
    // Pinned values: the directory is part of the protocol, every node must compute the same.
    assertThat(ResourceDirectory.hash(new byte[0])).isEqualTo(0x811c9dc5);
    assertThat(ResourceDirectory.hash("a".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0xe40c292c);
    assertThat(ResourceDirectory.hash("foobar".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0xbf9cf968);
  }

  @Test
  void directoryNodeIsTheHighHalfOfTheHashModuloTheSortedMembers() {
    byte[] name = "foobar".getBytes(StandardCharsets.US_ASCII);
    int expected = ((0xbf9cf968 >>> 16) & 0xffff) % 3; // semantics §5: array[(hash >> 16) % n]
    assertThat(new ResourceDirectory(THREE).directoryNode(name)).isEqualTo(THREE.get(expected));
  }

  @Test
  void singleMemberIsTheDirectoryOfEveryName() {
    ResourceDirectory d = new ResourceDirectory(List.of(new NodeId("solo")));
    assertThat(d.directoryNode("anything".getBytes(StandardCharsets.US_ASCII))).isEqualTo(new NodeId("solo"));
  }

  @Test
  void emptyMemberListIsRefused() {
    assertThatThrownBy(() -> new ResourceDirectory(List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void namesSpreadOverAllMembers() {
    ResourceDirectory d = new ResourceDirectory(THREE);
    Map<NodeId, Integer> counts = new HashMap<>();
    for (int i = 0; i < 3000; i++) {
      counts.merge(d.directoryNode(("R" + i).getBytes(StandardCharsets.US_ASCII)), 1, Integer::sum);
    }
    assertThat(counts).hasSize(3);
    counts.values().forEach(c -> assertThat(c).isBetween(700, 1300));
  }

  @Property
  void directoryNodeDoesNotDependOnMemberOrder(@ForAll @Size(min = 1, max = 64) byte[] name) {
    List<NodeId> shuffled = new ArrayList<>(THREE);
    Collections.reverse(shuffled);
    assertThat(new ResourceDirectory(shuffled).directoryNode(name))
        .isEqualTo(new ResourceDirectory(THREE).directoryNode(name));
  }

  @Test
  void resourceNamesCompareByContent() {
    assertThat(ResourceName.of("abc")).isEqualTo(ResourceName.of("abc".getBytes(StandardCharsets.US_ASCII)));
    assertThat(ResourceName.of("abc").hashCode()).isEqualTo(ResourceName.of("abc").hashCode());
    assertThat(ResourceName.of(new byte[] {0, 1}).display()).isEqualTo("0x0001");
  }
}
