package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rules of {@link RoutingTable}, named after them. Members are node names; operations are strings. */
class RoutingTableTest {

  private final RoutingTable<String, String, String> table = new RoutingTable<>();
  private final DirectoryTable<String, String> dir = new DirectoryTable<>();

  private RoutingTable.Route<String> route(String name, String op, String owner, boolean mastered, boolean dirNode) {
    RoutingTable.Route<String> r = table.route(name, op, owner, "a", mastered, () -> dirNode, dir);
    table.checkInvariants();
    return r;
  }

  @Test
  void aMasterHandlesItsOwnNamesWhoeverSentTheOperation() {
    assertThat(route("R", "op1", "b", true, false)).isInstanceOf(RoutingTable.ToResource.class);
  }

  @Test
  void oneOutstandingLookupPerNameAndLaterOperationsWaitBehindItInOrder() {
    assertThat(route("R", "op1", "a", false, false)).isInstanceOf(RoutingTable.AskDirectory.class);
    assertThat(route("R", "op2", "a", false, false)).isInstanceOf(RoutingTable.Parked.class);
    assertThat(route("R", "op3", "b", false, false)).as("even a stranger's").isInstanceOf(RoutingTable.Parked.class);
    assertThat(table.answered("R")).containsExactly("op1", "op2", "op3");
    assertThat(table.answered("R")).as("answered once").isNull();
  }

  @Test
  void onlyTheOwnerRoutesAStrangersOperationGoesBack() {
    table.mastered("R", "c");
    assertThat(route("R", "op1", "b", false, false)).isInstanceOf(RoutingTable.BackToOwner.class);
  }

  @Test
  void aKnownMasterGetsTheOperationDirectlyUntilForgotten() {
    table.mastered("R", "c");
    assertThat(route("R", "op1", "a", false, false)).isEqualTo(new RoutingTable.ToMaster<>("c"));
    table.forget("R");
    assertThat(route("R", "op2", "a", false, false)).isInstanceOf(RoutingTable.AskDirectory.class);
  }

  @Test
  void theDirectoryNodeAskingFirstBecomesMasterAfterTheTokenFloor() {
    dir.masterOf("S", "b");
    dir.removed("S", "b", 7);
    assertThat(route("R", "op1", "a", false, true)).isEqualTo(new RoutingTable.BecomeMaster<>(7));
    assertThat(dir.recorded("R")).isEqualTo("a");
  }

  @Test
  void theDirectoryNodeLearnsTheRecordedMaster() {
    dir.masterOf("R", "c");
    assertThat(route("R", "op1", "a", false, true)).isEqualTo(new RoutingTable.ToMaster<>("c"));
    assertThat(route("R", "op2", "a", false, true)).as("now cached").isEqualTo(new RoutingTable.ToMaster<>("c"));
  }

  @Test
  void aNewViewForgetsMastersOutsideItAndResumeReroutesEveryParkedOperation() {
    table.mastered("R", "c");
    table.mastered("S", "b");
    route("T", "op1", "a", false, false);
    table.keepMastersIn(m -> !m.equals("c"));
    assertThat(route("R", "op2", "a", false, false)).isInstanceOf(RoutingTable.AskDirectory.class);
    assertThat(table.drainParked()).isEqualTo(Map.of("T", List.of("op1"), "R", List.of("op2")));
    assertThat(route("S", "op3", "a", false, false)).isEqualTo(new RoutingTable.ToMaster<>("b"));
  }
}
