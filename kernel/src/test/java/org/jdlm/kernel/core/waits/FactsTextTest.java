package org.jdlm.kernel.core.waits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.Join;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The /kernel/waits text: what a member writes, the CLI reads back as the same FactSink calls. */
class FactsTextTest {
  /** Every FactSink call, in order, as a comparable record. */
  static final class Recording implements FactSink {
    final List<Object> calls = new ArrayList<>();

    record State(Vertex v, String s) {}

    record Since(Vertex v, long since) {}

    record JoinOf(Vertex v, Join j) {}

    @Override
    public FactSink vertex(Vertex v) {
      calls.add(v);
      return this;
    }

    @Override
    public FactSink state(Vertex v, String state) {
      calls.add(new State(v, state));
      return this;
    }

    @Override
    public FactSink waitingSince(Vertex v, long sinceNanos) {
      calls.add(new Since(v, sinceNanos));
      return this;
    }

    @Override
    public FactSink join(Vertex v, Join join) {
      calls.add(new JoinOf(v, join));
      return this;
    }

    @Override
    public FactSink edge(Edge e) {
      calls.add(e);
      return this;
    }

    @Override
    public FactSink dlmRequest(DlmRequest request) {
      calls.add(request);
      return this;
    }
  }

  private static final Vertex WRITER = Vertex.task("n1", "writer 1"); // a space in a name
  private static final Vertex MEM = Vertex.mem("n1");
  private static final Vertex KWORKER = Vertex.task("n1", "kworker/gfs2:0");

  private static void feed(FactSink s, long now) {
    s.vertex(KWORKER);
    s.state(MEM, "min");
    s.state(Vertex.lockspace("fs-1"), "STOPPED gen 7");
    s.waits(WRITER, EdgeKind.WAITS_MEMORY, "4KiB,GFP_NOFS", Join.OR, List.of(MEM));
    s.waitingSince(WRITER, now - 2_500_000_000L);
    s.providers(MEM, List.of(KWORKER));
    s.edge(new Edge(Vertex.parse("n2/glock:2/1a"), Vertex.lkb("n2", "0001"), EdgeKind.DLM_UNLOCK, "-", "100% (a\tb)\n"));
    s.edge(new Edge(KWORKER, Vertex.parse("glock:2/h"), EdgeKind.WAITS_GLOCK, "", ""));
    s.dlmRequest(new DlmRequest(Vertex.task("n1", "app"), "ls 1", "r1", "00010001", "EX", -3, now - 1_000, true));
  }

  @Test
  void roundTripGivesTheSameCallsWithTimesOnTheReadersClock() {
    FactsText.Writer w = new FactsText.Writer("n1", 10_000_000_000L);
    feed(w, 10_000_000_000L);
    Recording expected = new Recording();
    feed(expected, 50L); // read on a clock where "now" is 50: the same ages
    Recording got = new Recording();
    FactsText.Header h = FactsText.read(w.text(), 50L, got);
    assertThat(got.calls).containsExactlyElementsOf(expected.calls);
    assertThat(h).isEqualTo(new FactsText.Header(1, "n1", expected.calls.size()));
    assertThat(w.text()).startsWith("jdlm-waits 1 member=n1\nvertex n1/task:kworker/gfs2:0\nstate n1/mem min\n")
        .contains("\nsince n1/task:writer%201 2500000000\n", "\nedge n2/glock:2/1a n2/lkb:0001 dlm_unlock %2D 100%25%20(a%09b)%0A\n",
            "\nedge n1/task:kworker/gfs2:0 glock:2/h waits-glock - -\n")
        .endsWith("\nend " + expected.calls.size() + "\n");
  }

  @Test
  void roundTripGivesTheSameGraph() {
    FactsText.Writer w = new FactsText.Writer("n1", 7L);
    feed(w, 7L);
    WaitGraph.Builder direct = WaitGraph.builder();
    feed(direct, 7L);
    WaitGraph.Builder read = WaitGraph.builder();
    FactsText.read(w.text(), 7L, read);
    assertThat(read.build().toString()).isEqualTo(direct.build().toString());
  }

  @Property
  void everyFieldValueSurvivesEscaping(@ForAll String value) {
    String escaped = FactsText.escape(value);
    assertThat(escaped).doesNotContain(" ", "\n", "\r", "\t").isNotEmpty();
    assertThat(FactsText.unescape(escaped, 1)).isEqualTo(value);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "empty text||line 1: empty",
      "not a header|hello|line 1: 'hello' is not a header 'jdlm-waits 1 member=NAME'",
      "newer version|jdlm-waits 2 member=n1\\nend 0|line 1: version 2 is not supported (this reader knows 1)",
      "unknown fact|jdlm-waits 1 member=n1\\nvertex n1/mem\\nwaits n1/mem\\nend 2|line 3: unknown fact 'waits'",
      "too few fields|jdlm-waits 1 member=n1\\nedge n1/task:a n1/mem waits-memory -\\nend 1|line 2: 'edge' takes 5 fields, got 4",
      "unknown edge kind|jdlm-waits 1 member=n1\\nedge n1/task:a n1/mem waits-beer - -\\nend 1|line 2: unknown edge kind 'waits-beer'",
      "bad join|jdlm-waits 1 member=n1\\njoin n1/mem XOR\\nend 1|line 2: join 'XOR' is neither AND nor OR",
      "bad age|jdlm-waits 1 member=n1\\nsince n1/task:a soon\\nend 1|line 2: age 'soon' is not a whole number",
      "bad vertex|jdlm-waits 1 member=n1\\nvertex nothing\\nend 1|line 2: vertex name 'nothing' has neither",
      "bad escape|jdlm-waits 1 member=n1\\nstate n1/mem a%41\\nend 1|line 2: bad escape in 'a%41'",
      "cut off|jdlm-waits 1 member=n1\\nvertex n1/mem|line 3: missing 'end N' (the text was cut off)",
      "wrong count|jdlm-waits 1 member=n1\\nvertex n1/mem\\nend 2|line 3: end counts 2 facts but 1 came before it",
      "after end|jdlm-waits 1 member=n1\\nend 0\\nvertex n1/mem|line 3: text after the end line",
      "bad flag|jdlm-waits 1 member=n1\\ndlm-request n1/task:a ls r 1 EX 0 0 maybe\\nend 1|line 2: no-deadlock-wait 'maybe'"})
  void malformedTextIsAnErrorNamingTheLineAndNothingReachesTheSink(String why, String text, String message) {
    Recording sink = new Recording();
    String body = text == null ? "" : text.replace("\\n", "\n");
    assertThatThrownBy(() -> FactsText.read(body, 0L, sink)).as(why)
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
    assertThat(sink.calls).isEmpty();
  }
}
