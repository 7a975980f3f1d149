package org.jdlm.scenario.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jdlm.dlm.core.FencingToken;
import org.jdlm.dlm.core.LockMode;
import org.jdlm.scenario.chaos.core.Checkers;
import org.jdlm.scenario.chaos.core.Event;
import org.jdlm.scenario.chaos.core.FaultKind;
import org.jdlm.scenario.chaos.core.History;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

  private static final long MS = 1_000_000;

  /** Two clients taking turns on one resource around a kill of n3; with {@code overlap} they collide. */
  private static History history(boolean overlap) {
    List<Event> events = new ArrayList<>();
    events.add(new Event.FaultStart(100 * MS, 0, 1, FaultKind.KILL, List.of("n3"), null));
    events.add(new Event.FaultEnd(300 * MS, 0, 1, FaultKind.KILL, List.of("n3")));
    long t = 0;
    for (int i = 0; i < 40; i++) {
      int p = i % 2 + 1;
      String member = "n" + p;
      long start = t;
      long held = t + 5 * MS;
      long release = overlap && i == 7 ? held + 20 * MS : held + 10 * MS;
      events.add(op(Event.Type.INVOKE, start, p, member, Event.OpKind.ACQUIRE, null));
      events.add(op(Event.Type.OK, held, p, member, Event.OpKind.ACQUIRE, new FencingToken(1, i + 1)));
      events.add(op(Event.Type.INVOKE, release, p, member, Event.OpKind.RELEASE, null));
      events.add(op(Event.Type.OK, release + MS, p, member, Event.OpKind.RELEASE, null));
      t = held + 12 * MS;
    }
    events.add(op(Event.Type.INVOKE, t + 2_000 * MS, 1, "n1", Event.OpKind.ACQUIRE, null));
    events.add(op(Event.Type.OK, t + 2_001 * MS, 1, "n1", Event.OpKind.ACQUIRE, new FencingToken(1, 99)));
    return new History(events);
  }

  private static Event.Op op(Event.Type type, long time, int p, String member, Event.OpKind f, FencingToken token) {
    return new Event.Op(type, time, 1_700_000_000_000L + time / MS, p, member, 0, f, "hot", f == Event.OpKind.ACQUIRE
        ? LockMode.EX : null, null, null, token, false, null);
  }

  @Test
  void summaryLineAndJsonOfACleanRun() throws Exception {
    Report report = new Report(history(false), Checkers.run(history(false), 1_000 * MS));
    assertThat(report.valid()).isTrue();
    assertThat(report.summaryLine()).isEqualTo("chaos PASS: 81 operations (81 ok, 0 fail, 0 info), 1 faults;"
        + " exclusion=0 fenced-register=0 lvb-counter=0 rw-consistency=0 token-monotonic=0 liveness=0");
    JsonNode json = new ObjectMapper().readTree(report.jsonText());
    assertThat(json.get("valid").asBoolean()).isTrue();
    assertThat(json.get("checkers")).hasSize(6);
  }

  @Test
  void violationsReachTheSummaryAndTheJsonWithEvidence() throws Exception {
    Report report = new Report(history(true), Checkers.run(history(true), 1_000 * MS));
    assertThat(report.valid()).isFalse();
    assertThat(report.summaryLine()).startsWith("chaos FAIL:").contains("exclusion=1");
    JsonNode exclusion = new ObjectMapper().readTree(report.jsonText()).get("checkers").get(0);
    assertThat(exclusion.get("checker").asText()).isEqualTo("exclusion");
    assertThat(exclusion.get("violations").get(0).get("rule").asText()).isEqualTo("overlap");
    // Evidence lines are history lines: they parse back.
    for (JsonNode line : exclusion.get("violations").get(0).get("evidence")) {
      assertThat(HistoryJson.fromLine(line.asText())).isInstanceOf(Event.Op.class);
    }
  }

  @Test
  void htmlIsSelfContained() throws Exception {
    String html = new Report(history(false), Checkers.run(history(false), 1_000 * MS)).html();
    assertThat(html).doesNotContainPattern("<script[^>]*\\ssrc=").doesNotContainPattern("<link[^>]*href=");
    String echarts;
    try (InputStream in = Report.class.getResourceAsStream(
        "/META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js")) {
      echarts = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(html.length()).isGreaterThan(echarts.length());
    assertThat(html).contains("\"members\":[\"n1\",\"n2\",\"n3\"]").contains("kill");
  }

  /**
   * The charts really render: the page's scripts run under node with ECharts' server-side SVG
   * renderer (no Chromium on this machine). Skipped where node is not installed.
   */
  @Test
  void chartsRender(@TempDir Path dir) throws Exception {
    assumeTrue(onPath("node"), "node is not installed");
    Path page = dir.resolve("report.html");
    Files.writeString(page, new Report(history(false), Checkers.run(history(false), 1_000 * MS)).html());
    Path script = dir.resolve("render-report.js");
    try (InputStream in = ReportTest.class.getResourceAsStream("render-report.js")) {
      Files.write(script, in.readAllBytes());
    }
    Process node = new ProcessBuilder("node", script.toString(), page.toString()).redirectErrorStream(true).start();
    try {
      assertThat(node.waitFor(60, TimeUnit.SECONDS)).as("node finished").isTrue();
      String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      // node's error quotes the minified line it failed in: show the end, where the reason is.
      assertThat(node.exitValue()).as(out.substring(Math.max(0, out.length() - 1500))).isZero();
      assertThat(out).contains("summary: chaos PASS").contains("checker rows: 6").contains("rendered: true");
      // The timeline draws the fault bar and the grant dots; the latency chart its points.
      assertThat(out.lines().filter(l -> l.startsWith("chart ")).map(l -> Integer.parseInt(l.split(" ")[2])))
          .hasSize(2).allSatisfy(paths -> assertThat(paths).isGreaterThan(20));
    } finally {
      node.destroyForcibly();
    }
  }

  private static boolean onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }
}
