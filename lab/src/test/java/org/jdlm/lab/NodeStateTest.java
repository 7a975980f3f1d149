package org.jdlm.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.jdlm.member.MembershipView;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every row of the table in {@link NodeState}'s Javadoc. */
class NodeStateTest {

  private static Optional<MembershipView> view(String n2) {
    List<MembershipView.Member> members = new java.util.ArrayList<>();
    members.add(new MembershipView.Member("n1", "a1", 1, "Up", true));
    List<MembershipView.Removed> removed = new java.util.ArrayList<>();
    switch (n2) {
      case "none" -> { }
      case "removed" -> removed.add(new MembershipView.Removed("n2", "a2", 2, "Down", 5));
      default -> {
        String[] s = n2.split("/");
        members.add(new MembershipView.Member("n2", "a2", 2, s[0], s[1].equals("reachable")));
      }
    }
    return Optional.of(new MembershipView(new MembershipView.Self("n1", "a1", 1, "Up", "a1"), members, removed));
  }

  @ParameterizedTest(name = "process {0}, observer sees n2 as {1} -> {2}")
  @CsvSource({
      "DEAD,    Up/reachable,      DEAD",
      "DEAD,    removed,           DEAD",
      "PAUSED,  Up/unreachable,    PAUSED",
      "PAUSED,  removed,           PAUSED",
      "RUNNING, Up/unreachable,    UNREACHABLE",
      "RUNNING, Leaving/unreachable, UNREACHABLE",
      "RUNNING, Up/reachable,      UP",
      "RUNNING, Joining/reachable, JOINING",
      "RUNNING, WeaklyUp/reachable, WEAKLY_UP",
      "RUNNING, Leaving/reachable, LEAVING",
      "RUNNING, Exiting/reachable, EXITING",
      "RUNNING, Down/reachable,    DOWN",
      "RUNNING, removed,           REMOVED",
      "RUNNING, none,              NOT_MEMBER",
  })
  void stateFollowsTheTable(ProcessState process, String seen, NodeState expected) {
    assertThat(NodeState.derive(process, "n2", view(seen))).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"RUNNING, UNKNOWN", "PAUSED, PAUSED", "DEAD, DEAD"})
  void withoutAnObserverOnlyTheProcessStateIsKnown(ProcessState process, NodeState expected) {
    assertThat(NodeState.derive(process, "n2", Optional.empty())).isEqualTo(expected);
  }
}
