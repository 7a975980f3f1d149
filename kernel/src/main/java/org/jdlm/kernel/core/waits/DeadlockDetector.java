package org.jdlm.kernel.core.waits;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jdlm.kernel.core.EdgeKind;
import org.jdlm.kernel.core.Join;

/**
 * The cluster-wide detector's decisions, round by round: given the merged {@link WaitGraph} at a
 * time, which deadlocks (knots, {@link KnotAnalysis}) and which stalls (a task waiting past
 * {@code stall-bound} that is in no knot and waits on none) are new, with their report text.
 *
 * <p>Each knot is reported once: it keeps its id ({@code <scenario>-<n>}) while it persists, and a
 * knot that dissolves and forms again is a new event with a new id. A stall is reported once per
 * wait (task and wait start), like the hung-task watchdog. Ids share one counter per detector.
 *
 * <p>★ DLM-only deadlocks: a knot whose every edge is {@code waits-dlm-grant} or {@code held-by}
 * is a deadlock among application locks. If the lockspace of a request in it is configured to
 * break deadlocks, {@link VictimChoice} picks the request to complete with EDEADLK and the report
 * carries it; the DLM layer carries it out. Knots that involve filesystem or kernel waits are never
 * broken this way: denying a glock's DLM request would be a filesystem error, not a recovery.
 *
 * <p>Not thread-safe; one detection task owns it. Time comes in as arguments.
 */
public final class DeadlockDetector {

  /**
   * Settings of one detector: {@code fixSwitches} are the run's switches printed in the header,
   * {@code breakLockspaces} the lockspaces whose DLM-only deadlocks get a victim
   * ({@code jdlm.kernel.detector.break-deadlocks-in}).
   */
  public record Settings(List<String> fixSwitches, Set<String> breakLockspaces, long stallBoundNanos) {
    public Settings {
      fixSwitches = List.copyOf(fixSwitches);
      breakLockspaces = Set.copyOf(breakLockspaces);
      if (stallBoundNanos <= 0) {
        throw new IllegalArgumentException("stall bound must be positive, got " + stallBoundNanos + " ns");
      }
    }
  }

  /** One deadlock: its id, the knot, the report text, and the request to deny if one is to be broken. */
  public record DeadlockReport(String id, KnotAnalysis.Knot knot, String text, Optional<VictimChoice.Choice> victim) {}

  /** One stall: its id, the task, how long it waited, and the report text with its wait chain. */
  public record StallReport(String id, Vertex task, long waitedNanos, String text) {}

  /** What one round found new; {@code text()} is every new block, deadlocks first. */
  public record Round(List<DeadlockReport> deadlocks, List<StallReport> stalls) {
    public Round {
      deadlocks = List.copyOf(deadlocks);
      stalls = List.copyOf(stalls);
    }

    public String text() {
      StringBuilder b = new StringBuilder();
      deadlocks.forEach(d -> b.append(d.text()));
      stalls.forEach(s -> b.append(s.text()));
      return b.toString();
    }

    public boolean isEmpty() {
      return deadlocks.isEmpty() && stalls.isEmpty();
    }
  }

  private record StallKey(Vertex task, long since) {}

  private Settings settings;
  private final ReportIds ids;
  private final long epochNanos;
  private Map<String, String> knotIds = new HashMap<>();
  private Set<StallKey> stallsReported = new LinkedHashSet<>();

  /** {@code epochNanos}: the detector-clock time printed as {@code t=+0.0}. */
  public DeadlockDetector(Settings settings, ReportIds ids, long epochNanos) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.ids = Objects.requireNonNull(ids, "ids");
    this.epochNanos = epochNanos;
  }

  /**
   * Changes which lockspaces' DLM-only deadlocks get a victim from the next round on (a scenario
   * file asks for it at run time), keeping the knots already reported.
   */
  public void breakLockspaces(Set<String> lockspaces) {
    settings = new Settings(settings.fixSwitches(), lockspaces, settings.stallBoundNanos());
  }

  public Round detect(WaitGraph g, long nowNanos) {
    KnotAnalysis.Result analysis = KnotAnalysis.analyze(g);
    Map<String, String> stillThere = new LinkedHashMap<>();
    List<DeadlockReport> deadlocks = new ArrayList<>();
    for (KnotAnalysis.Knot k : analysis.knots()) {
      String id = knotIds.get(k.key());
      if (id == null) {
        id = ids.next();
        deadlocks.add(deadlockReport(g, k, id, nowNanos));
      }
      stillThere.put(k.key(), id);
    }
    knotIds = new HashMap<>(stillThere);

    List<StallReport> stalls = new ArrayList<>();
    Set<StallKey> live = new LinkedHashSet<>();
    for (Vertex v : g.vertices()) {
      var since = g.info(v).waitingSince();
      if (!v.isTask() || since.isEmpty() || g.out(v).isEmpty()) {
        continue;
      }
      StallKey key = new StallKey(v, since.getAsLong());
      live.add(key);
      long waited = nowNanos - since.getAsLong();
      if (waited > settings.stallBoundNanos() && !analysis.stuck().contains(v) && !stallsReported.contains(key)) {
        String id = ids.next();
        stalls.add(new StallReport(id, v, waited, stallText(g, v, id, waited, nowNanos)));
        stallsReported.add(key);
      }
    }
    stallsReported.retainAll(live);
    return new Round(deadlocks, stalls);
  }

  private DeadlockReport deadlockReport(WaitGraph g, KnotAnalysis.Knot k, String id, long nowNanos) {
    Set<String> members = Reports.members(k.vertices());
    StringBuilder b = new StringBuilder();
    b.append("WFG DEADLOCK id=").append(id).append(' ').append(Reports.at(members)).append(" t=+")
        .append(Reports.seconds(nowNanos - epochNanos)).append(" knot=").append(k.vertices().size())
        .append(" fix-switches=").append(settings.fixSwitches().isEmpty() ? "none" : String.join(",", settings.fixSwitches()));
    if (members.size() > 1) {
      b.append(" (cross-node)");
    }
    b.append('\n');
    for (String line : Reports.numbered(g, k.cycle())) {
      b.append(line).append('\n');
    }
    b.append("  closes: [").append(k.cycle().size()).append("] -> [1]\n");
    if (!k.collateralEdges().isEmpty()) {
      b.append("  collateral: ").append(String.join(" ; ", k.collateralEdges().stream().map(Reports::inline).toList()))
          .append('\n');
    }
    List<DlmRequest> requests = dlmRequestsIn(g, k);
    for (String hint : hints(g, k, members, requests)) {
      b.append("  hint: ").append(hint).append('\n');
    }
    Optional<VictimChoice.Choice> victim = Optional.empty();
    if (!requests.isEmpty() && dlmOnly(g, k)) {
      List<DlmRequest> breakable = requests.stream()
          .filter(r -> settings.breakLockspaces().contains(r.lockspace())).toList();
      victim = VictimChoice.choose(breakable);
      victim.ifPresent(c -> b.append("  victim: ").append(c.victim().describe()).append(" completes with EDEADLK (")
          .append(c.reason()).append(")\n"));
    }
    return new DeadlockReport(id, k, b.toString(), victim);
  }

  /** The waiting DLM requests whose task is in the knot. */
  private static List<DlmRequest> dlmRequestsIn(WaitGraph g, KnotAnalysis.Knot k) {
    return g.dlmRequests().stream().filter(r -> k.vertices().contains(r.task())).toList();
  }

  /** Every edge inside the knot is a DLM grant wait or a holder: application locks only. */
  private static boolean dlmOnly(WaitGraph g, KnotAnalysis.Knot k) {
    for (Vertex v : k.vertices()) {
      for (Edge e : g.out(v)) {
        if (k.vertices().contains(e.to()) && e.kind() != EdgeKind.WAITS_DLM_GRANT && e.kind() != EdgeKind.HELD_BY) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * What to look at first: every OR node in the knot with its providers (all of them are blocked,
   * or it would not be in a knot), a cross-node knot (no member sees it whole), a cycle over
   * several DLM resources (Linux DLM's own check is per resource); otherwise the knot is AND only.
   */
  private static List<String> hints(WaitGraph g, KnotAnalysis.Knot k, Set<String> members, List<DlmRequest> requests) {
    List<String> hints = new ArrayList<>();
    for (Vertex v : k.vertices()) {
      if (g.info(v).join() != Join.OR || g.out(v).isEmpty()) {
        continue;
      }
      Set<Vertex> providers = new TreeSet<>();
      g.out(v).forEach(e -> providers.add(e.to()));
      String names = String.join(", ", providers.stream().map(Vertex::shortName).toList());
      hints.add(providers.size() == 1
          ? "knot contains OR-node " + v + "; its only " + Reports.providerNoun(v, false) + " is blocked (" + names + ")"
          : "knot contains OR-node " + v + "; all " + providers.size() + " " + Reports.providerNoun(v, true)
              + " blocked (" + names + ")");
    }
    if (members.size() > 1) {
      hints.add("cross-node cycle (" + String.join(", ", members) + "): each member sees only its own edges");
    }
    // A lock-order cycle (no OR node): glocks and application DLM locks are each one DLM resource,
    // and the DLM's own check (conversion deadlock) looks at one resource at a time (dlm-semantics §7).
    Set<String> resources = new TreeSet<>();
    requests.forEach(r -> resources.add(r.resource()));
    k.vertices().stream().filter(v -> v.kind().equals("glock")).forEach(v -> resources.add(v.shortName()));
    boolean orFree = hints.stream().noneMatch(h -> h.startsWith("knot contains OR-node"));
    if (resources.size() > 1 && orFree) {
      hints.add("cycle over " + resources.size() + " lock resources (" + String.join(", ", resources)
          + "): the DLM's conversion-deadlock check sees one resource at a time");
    }
    if (hints.isEmpty()) {
      hints.add("AND-only cycle: every wait needs its target; a fix that cuts any one edge breaks it");
    }
    return hints;
  }

  /**
   * A stall with its wait chain: from the task, follow one edge at a time (the first edge whose
   * target itself waits, else the first edge) until a vertex that can progress ({@code ends:}) or a
   * vertex already on the chain ({@code closes:}, a cycle that is not a knot: an OR node in it
   * has a free alternative).
   */
  private String stallText(WaitGraph g, Vertex task, String id, long waited, long nowNanos) {
    List<Edge> chain = new ArrayList<>();
    List<Vertex> visited = new ArrayList<>();
    visited.add(task);
    Vertex at = task;
    String end;
    while (true) {
      List<Edge> out = g.out(at);
      Edge next = out.stream().filter(e -> !g.out(e.to()).isEmpty()).findFirst().orElse(out.get(0));
      chain.add(next);
      int seen = visited.indexOf(next.to());
      if (seen >= 0) {
        end = "closes: [" + chain.size() + "] -> [" + (seen + 1) + "] (not a knot: an alternative can progress)";
        break;
      }
      visited.add(next.to());
      at = next.to();
      if (g.out(at).isEmpty()) {
        end = "ends: " + at + " (not waiting)";
        break;
      }
    }
    Set<String> members = Reports.members(Set.of(task));
    StringBuilder b = new StringBuilder();
    b.append("WFG STALL id=").append(id).append(' ').append(Reports.at(members)).append(" t=+")
        .append(Reports.seconds(nowNanos - epochNanos)).append(" task=").append(task).append(" waited=")
        .append(Reports.seconds(waited)).append("s no-knot\n");
    for (String line : Reports.numbered(g, chain)) {
      b.append(line).append('\n');
    }
    b.append("  ").append(end).append('\n');
    return b.toString();
  }
}
