package org.jdlm.member;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class MembershipViewTest {
  private static final String A1 = "pekko://jdlm@127.0.0.1:40001";
  private static final String A2 = "pekko://jdlm@127.0.0.1:40003";

  private static final MembershipView VIEW = new MembershipView(
      new MembershipView.Self("n1", A1, -4711, "Up", A1),
      List.of(new MembershipView.Member("n1", A1, -4711, "Up", true),
          new MembershipView.Member("n2", A2, 815, "Up", false)),
      List.of(new MembershipView.Removed("n2", A2, 42, "Down", 1_000L),
          new MembershipView.Removed("n2", A2, 43, "Down", 2_000L)));

  @Test
  void renderedTextIsTheDocumentedLineFormat() {
    assertThat(VIEW.render()).isEqualTo("""
        self name=n1 address=pekko://jdlm@127.0.0.1:40001 uid=-4711 status=Up leader=pekko://jdlm@127.0.0.1:40001
        member name=n1 address=pekko://jdlm@127.0.0.1:40001 uid=-4711 status=Up reachability=reachable
        member name=n2 address=pekko://jdlm@127.0.0.1:40003 uid=815 status=Up reachability=unreachable
        removed name=n2 address=pekko://jdlm@127.0.0.1:40003 uid=42 previous=Down at=1000
        removed name=n2 address=pekko://jdlm@127.0.0.1:40003 uid=43 previous=Down at=2000
        """);
  }

  @Test
  void lookupsFindTheCurrentMemberAndTheLatestRemovalByName() {
    assertThat(VIEW.member("n2")).map(MembershipView.Member::reachable).contains(false);
    assertThat(VIEW.lastRemoved("n2")).map(MembershipView.Removed::uid).contains(43L);
    assertThat(VIEW.wasRemoved("n2", 42)).isTrue();
    assertThat(VIEW.wasRemoved("n2", 815)).isFalse();
    assertThat(VIEW.member("n3")).isEmpty();
  }

  @Test
  void readersSkipUnknownKindsAndKeysSoTheFormatCanGrow() {
    MembershipView v = MembershipView.parse("""
        # comment
        self name=n1 address=a uid=1 status=Up leader=a extra=1
        lockspace name=fs1 members=3
        member name=n1 address=a uid=1 status=Up reachability=reachable dc=default
        """);
    assertThat(v.members()).hasSize(1);
  }

  @Test
  void malformedTextNamesTheLine() {
    assertThatThrownBy(() -> MembershipView.parse("member name=n1")).hasMessageContaining("line 1: missing address=");
    assertThatThrownBy(() -> MembershipView.parse("self name=n1 address=a uid=x status=Up"))
        .hasMessageContaining("uid='x' is not a number");
    assertThatThrownBy(() -> MembershipView.parse("")).hasMessageContaining("no 'self' line");
  }

  @Property
  void parseReadsBackWhatRenderWrote(@ForAll("views") MembershipView view) {
    assertThat(MembershipView.parse(view.render())).isEqualTo(view);
  }

  @Provide
  Arbitrary<MembershipView> views() {
    Arbitrary<String> names = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(5);
    Arbitrary<String> status = Arbitraries.of("Joining", "WeaklyUp", "Up", "Leaving", "Exiting", "Down");
    Arbitrary<Long> uids = Arbitraries.longs();
    Arbitrary<MembershipView.Member> member = Combinators.combine(names, uids, status, Arbitraries.of(true, false))
        .as((n, u, s, r) -> new MembershipView.Member(n, "pekko://jdlm@127.0.0.1:" + (u & 0xffff), u, s, r));
    Arbitrary<MembershipView.Removed> removed = Combinators.combine(names, uids, status, Arbitraries.longs().between(0, Long.MAX_VALUE))
        .as((n, u, s, at) -> new MembershipView.Removed(n, "pekko://jdlm@h:1", u, s, at));
    Arbitrary<MembershipView.Self> self = Combinators.combine(names, uids, status)
        .as((n, u, s) -> new MembershipView.Self(n, "pekko://jdlm@h:1", u, s, "-"));
    return Combinators.combine(self, member.list().ofMaxSize(5), removed.list().ofMaxSize(5)).as(MembershipView::new);
  }
}
