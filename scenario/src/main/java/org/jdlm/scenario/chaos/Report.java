package org.jdlm.scenario.chaos;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jdlm.scenario.chaos.core.CheckResult;
import org.jdlm.scenario.chaos.core.Event;
import org.jdlm.scenario.chaos.core.History;
import org.jdlm.scenario.chaos.core.Violation;

/**
 * A chaos run's report (issue 12): one summary line, a JSON result, and a self-contained HTML page
 * whose charts are drawn by ECharts, inlined from its webjar so the page opens without a network.
 */
public final class Report {

  private static final String ECHARTS = "/META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final History history;
  private final List<CheckResult> results;

  public Report(History history, List<CheckResult> results) {
    this.history = history;
    this.results = List.copyOf(results);
  }

  public boolean valid() {
    return results.stream().allMatch(CheckResult::valid);
  }

  /** One line: the verdict, the operations and faults seen, and each checker's violations. */
  public String summaryLine() {
    Map<Event.Type, Long> byType = new TreeMap<>();
    history.ops().stream().filter(op -> op.f() != Event.OpKind.FINAL)
        .forEach(op -> byType.merge(op.type(), 1L, Long::sum));
    long faults = history.events().stream().filter(Event.FaultStart.class::isInstance).count();
    StringBuilder line = new StringBuilder("chaos ").append(valid() ? "PASS" : "FAIL").append(": ")
        .append(byType.getOrDefault(Event.Type.INVOKE, 0L)).append(" operations (")
        .append(byType.getOrDefault(Event.Type.OK, 0L)).append(" ok, ")
        .append(byType.getOrDefault(Event.Type.FAIL, 0L)).append(" fail, ")
        .append(byType.getOrDefault(Event.Type.INFO, 0L)).append(" info), ").append(faults).append(" faults;");
    for (CheckResult r : results) {
      line.append(' ').append(r.checker()).append('=').append(r.violations().size());
    }
    return line.toString();
  }

  /** The JSON result: verdict, summary, and per checker its figures and violations with evidence. */
  public ObjectNode json() {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("valid", valid());
    root.put("summary", summaryLine());
    ArrayNode checkers = root.putArray("checkers");
    for (CheckResult r : results) {
      ObjectNode c = checkers.addObject();
      c.put("checker", r.checker());
      c.put("valid", r.valid());
      c.set("counts", MAPPER.valueToTree(new TreeMap<>(r.counts())));
      ArrayNode violations = c.putArray("violations");
      for (Violation v : r.violations()) {
        ObjectNode vn = violations.addObject();
        vn.put("rule", v.rule());
        vn.put("message", v.message());
        ArrayNode evidence = vn.putArray("evidence");
        v.evidence().forEach(e -> evidence.add(HistoryJson.toLine(e)));
      }
    }
    return root;
  }

  public String jsonText() {
    try {
      return MAPPER.writer(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the chaos result as JSON", e);
    }
  }

  /** The self-contained HTML page. */
  public String html() {
    ObjectNode data = json();
    TreeSet<String> members = new TreeSet<>();
    history.ops().stream().filter(op -> op.process() >= 0).forEach(op -> members.add(op.member()));
    Map<Integer, Event.FaultStart> open = new LinkedHashMap<>();
    List<Object[]> faults = new ArrayList<>();
    for (Event e : history.events()) {
      if (e instanceof Event.FaultStart s) {
        open.put(s.id(), s);
        members.addAll(s.targets());
      } else if (e instanceof Event.FaultEnd end && open.containsKey(end.id())) {
        Event.FaultStart s = open.remove(end.id());
        s.targets().forEach(t -> faults.add(new Object[] {t, seconds(s.time()), seconds(end.time()),
            s.kind().label() + (s.detail() == null ? "" : " " + s.detail())}));
      }
    }
    open.values().forEach(s -> s.targets().forEach(t -> faults.add(new Object[] {t, seconds(s.time()),
        seconds(history.endTime()), s.kind().label() + " (not healed)"})));
    List<Object[]> grants = new ArrayList<>();
    Map<String, List<double[]>> latency = new TreeMap<>();
    for (History.Pair pair : history.pairs()) {
      Event.Op invoke = pair.invoke();
      if (!pair.ok() || invoke.f() == Event.OpKind.FINAL) {
        continue;
      }
      Event.Op done = pair.completion();
      if (invoke.f() == Event.OpKind.ACQUIRE || invoke.f() == Event.OpKind.INCREMENT) {
        grants.add(new Object[] {seconds(done.time()), invoke.member(), invoke.resource()});
      }
      latency.computeIfAbsent(invoke.f().name().toLowerCase(java.util.Locale.ROOT), k -> new ArrayList<>())
          .add(new double[] {seconds(done.time()), (done.time() - invoke.time()) / 1e6});
    }
    data.set("members", MAPPER.valueToTree(members));
    data.set("faults", MAPPER.valueToTree(faults));
    data.set("grants", MAPPER.valueToTree(grants));
    data.set("latency", MAPPER.valueToTree(latency));
    String json;
    try {
      json = MAPPER.writeValueAsString(data).replace("</", "<\\/"); // never close the script element early
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the report data", e);
    }
    // Assembled by position, not by replace-all: neither the library nor the data is searched for markers.
    String template = resource("report.html");
    int lib = template.indexOf("/*ECHARTS*/");
    int dat = template.indexOf("/*DATA*/");
    return template.substring(0, lib) + resource(ECHARTS).replace("</script", "<\\/script")
        + template.substring(lib + "/*ECHARTS*/".length(), dat) + json + template.substring(dat + "/*DATA*/".length());
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static String resource(String name) {
    try (InputStream in = Report.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("resource " + name + " is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + name, e);
    }
  }
}
