package org.jdlm.cli;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jdlm.dlm.dump.DumpRenderer;
import org.jdlm.dlm.dump.LockspaceDump;
import org.jdlm.lab.LabSettings;
import org.jdlm.lab.NodeSpec;
import org.jdlm.lab.ProcessState;
import org.jdlm.lab.Supervisor;
import org.jdlm.member.CliError;
import org.jdlm.member.ControlClient;
import org.jdlm.member.DumpWire;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dlm dump [--dir DIR] [--lockspace NAME]}: the locks of a running lab cluster. Asks every
 * live member's {@code /dump} for its own part (the resources it masters, the locks it holds) and
 * prints, per lockspace, the merge in the format of docs/dump-format.md, nodes named n1…nN.
 *
 * <p>Members are asked one by one with a short bound ({@code jdlm.cli.dump.member-timeout}), so a
 * stuck member costs at most that; a dead or paused member is not asked at all. Either is listed at the end
 * ({@code Not dumped: n3 dead (no process)}), never waited for.
 *
 * <p>{@code --memory}, {@code --tasks} and {@code --waits} read each lab member's kernel instead
 * ({@code /kernel/*}, {@link org.jdlm.member.KernelEndpoints}); {@code --waits} merges the members'
 * facts into one wait-for graph and runs the detector once (docs/detector.md §4.1).
 */
@Command(name = "dump", description = {
    "print the locks of a running lab cluster (every member's resources and held locks)", "",
    "Prints, for each lockspace (or only NAME), every resource once as its master holds it and every member's held"
        + " locks, in the format of docs/dump-format.md. Members that are dead, paused or do not answer within"
        + " jdlm.cli.dump.member-timeout are listed as not dumped.", "",
    "--memory and --tasks print each member kernel's memory or tasks instead; --waits merges every member's"
        + " wait-for facts into one graph and prints its deadlocks and stalls (docs/detector.md)."},
    exitCodeList = {"0:at least one member answered", "2:no member answered, or bad input"})
public final class DumpCommand extends DlmCommand {
  @Mixin
  ClusterCommand.RunDirOption dir;

  @Option(names = "--lockspace", paramLabel = "NAME", description = "only this lockspace")
  String lockspace;

  @Option(names = "--memory", description = "each member kernel's memory (/kernel/memory) instead of the locks")
  boolean memory;

  @Option(names = "--tasks", description = "each member kernel's tasks and their waits (/kernel/tasks)")
  boolean tasks;

  @Option(names = "--waits", description = {"merge every member kernel's wait-for facts (/kernel/waits) and print the"
      + " deadlocks (knots) and stalled tasks the detector finds (docs/detector.md)"})
  boolean waits;

  @Option(names = "--glocks", description = {"every member's glocks in GFS2's debugfs format (/fs/glocks),"
      + " joinable with the lock dump on the resource name (docs/dump-format.md \"Glocks\")"})
  boolean glocks;

  @Option(names = "--fs", paramLabel = "NAME", description = "with --glocks: only this filesystem")
  String fs;

  @Option(names = "--stall-bound", paramLabel = "DURATION", description = {"with --waits: a task waiting longer"
      + " than this outside a knot is a stall (default jdlm.kernel.detector.stall-bound)"})
  String stallBound;

  /** A member to ask and its process state as the lab's run directory sees it. */
  public record Target(NodeSpec node, ProcessState state) {}

  @Override
  protected int run(Console console) throws Exception {
    if (fs != null && !glocks) {
      throw new CliError("dump: --fs selects a filesystem's glocks; it goes with --glocks only");
    }
    if (glocks) {
      if (memory || tasks || waits || lockspace != null || stallBound != null) {
        throw new CliError("dump: --glocks does not go with --memory, --tasks, --waits, --lockspace or --stall-bound");
      }
      Supervisor supervisor = dir.supervisor();
      List<Target> targets = supervisor.layout().nodes().stream()
          .map(n -> new Target(n, supervisor.processState(n.name()))).toList();
      console.out().print(glockDump(supervisor.control(), targets, fs,
          ConfigFactory.load().getDuration("jdlm.cli.dump.member-timeout")));
      return 0;
    }
    int kernelViews = (memory ? 1 : 0) + (tasks ? 1 : 0) + (waits ? 1 : 0);
    if (kernelViews > 1) {
      throw new CliError("dump: give at most one of --memory, --tasks and --waits");
    }
    if (kernelViews == 1 && lockspace != null) {
      throw new CliError("dump: --lockspace selects locks; it does not go with --memory, --tasks or --waits");
    }
    if (stallBound != null && !waits) {
      throw new CliError("dump: --stall-bound goes with --waits only");
    }
    com.typesafe.config.Config config = ConfigFactory.load();
    Duration bound = waits ? stallBound(config) : null;
    Supervisor supervisor = dir.supervisor();
    String only = lockspace;
    Duration timeout = config.getDuration("jdlm.cli.dump.member-timeout");
    if (kernelViews == 1) {
      List<Target> targets = supervisor.layout().nodes().stream()
          .map(n -> new Target(n, supervisor.processState(n.name()))).toList();
      String out = waits ? waitsReport(supervisor.control(), targets, timeout, bound, System.nanoTime())
          : kernelDump(supervisor.control(), targets, memory ? "/kernel/memory" : "/kernel/tasks", timeout);
      console.out().print(out);
      return 0;
    }

    Map<String, List<LockspaceDump>> byLockspace = new TreeMap<>();
    Map<String, String> notDumped = new LinkedHashMap<>();
    int answered = 0;
    for (NodeSpec n : supervisor.layout().nodes()) {
      ProcessState state = supervisor.processState(n.name());
      if (state == ProcessState.DEAD) {
        notDumped.put(n.name(), "dead (no process)");
        continue;
      }
      if (state == ProcessState.PAUSED) {
        notDumped.put(n.name(), "paused (SIGSTOP; not asked)");
        continue;
      }
      Answer a = ask(supervisor.control(), n, only, timeout);
      if (a.problem != null) {
        notDumped.put(n.name(), a.problem);
        continue;
      }
      answered++;
      for (LockspaceDump d : a.dumps) {
        byLockspace.computeIfAbsent(d.lockspace(), k -> new ArrayList<>()).add(d);
      }
    }
    if (answered == 0) {
      throw new CliError("dump: no member answered (" + describe(notDumped) + ")");
    }
    if (byLockspace.isEmpty()) {
      console.out().println(only == null ? "No lockspace is joined on any live member."
          : "Lockspace " + only + " is not joined on any live member.");
    }
    boolean first = true;
    for (Map.Entry<String, List<LockspaceDump>> e : byLockspace.entrySet()) {
      if (!first) {
        console.out().println();
      }
      first = false;
      console.out().print(DumpRenderer.renderCluster(e.getValue()));
      for (LockspaceDump d : e.getValue()) {
        if (!d.missing().isEmpty()) {
          console.out().println("Missing on " + d.node() + " (no snapshot within the dump timeout): "
              + String.join(" ", d.missing()));
        }
      }
    }
    notDumped.forEach((node, why) -> console.out().println("Not dumped: " + node + " " + why));
    return 0;
  }

  /** One member's dumps, or why there are none ({@code problem} non-null). */
  public record Answer(List<LockspaceDump> dumps, String problem) {}

  /** Asks one member's control endpoint for its dumps ({@code only}: one lockspace, or null for all). */
  public static Answer ask(ControlClient control, NodeSpec n, String only, Duration timeout) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("format", "records");
    if (only != null) {
      params.put("ls", only);
    }
    Optional<ControlClient.Reply> reply = control.tryGet(n.name(), n.control(), "/dump", params, timeout);
    if (reply.isEmpty()) {
      return new Answer(null, "no answer within " + timeout.toMillis() + " ms on control port " + n.controlPort());
    }
    ControlClient.Reply r = reply.get();
    if (r.status() == 400 && only != null) {
      return new Answer(List.of(), null); // this member has not joined the lockspace: nothing to show
    }
    if (r.status() != 200) {
      return new Answer(null, "answered HTTP " + r.status() + ": " + r.body().strip());
    }
    try {
      return new Answer(DumpWire.decode(r.body()), null);
    } catch (IllegalArgumentException e) {
      return new Answer(null, "sent an unreadable dump: " + e.getMessage());
    }
  }

  private Duration stallBound(com.typesafe.config.Config config) {
    if (stallBound == null) {
      return config.getDuration("jdlm.kernel.detector.stall-bound");
    }
    Duration d;
    try {
      d = ConfigFactory.parseMap(Map.of("d", stallBound)).getDuration("d");
    } catch (com.typesafe.config.ConfigException e) {
      throw new CliError("dump: --stall-bound '" + stallBound + "' is not a duration (e.g. 30s, 500ms)");
    }
    if (d.isZero() || d.isNegative()) {
      throw new CliError("dump: --stall-bound " + stallBound + " must be positive");
    }
    return d;
  }

  /**
   * Every reachable member's answer on {@code path}, by member; why the others gave none goes to
   * {@code notDumped}. Dead and paused members are not asked.
   */
  static Map<String, String> gather(ControlClient control, List<Target> targets, String path, Duration timeout,
                                    Map<String, String> notDumped) {
    return gather(control, targets, path, Map.of(), timeout, notDumped);
  }

  /** {@link #gather(ControlClient, List, String, Duration, Map)} with query parameters. */
  static Map<String, String> gather(ControlClient control, List<Target> targets, String path, Map<String, String> params,
                                    Duration timeout, Map<String, String> notDumped) {
    Map<String, String> bodies = new LinkedHashMap<>();
    for (Target t : targets) {
      NodeSpec n = t.node();
      if (t.state() == ProcessState.DEAD) {
        notDumped.put(n.name(), "dead (no process)");
        continue;
      }
      if (t.state() == ProcessState.PAUSED) {
        notDumped.put(n.name(), "paused (SIGSTOP; not asked)");
        continue;
      }
      Optional<ControlClient.Reply> reply = control.tryGet(n.name(), n.control(), path, params, timeout);
      if (reply.isEmpty()) {
        notDumped.put(n.name(), "no answer within " + timeout.toMillis() + " ms on control port " + n.controlPort());
      } else if (reply.get().status() == 404) {
        notDumped.put(n.name(), "runs no kernel (not a lab member: dlm node --lab)");
      } else if (reply.get().status() != 200) {
        notDumped.put(n.name(), "answered HTTP " + reply.get().status() + ": " + reply.get().body().strip());
      } else {
        bodies.put(n.name(), reply.get().body());
      }
    }
    if (bodies.isEmpty()) {
      throw new CliError("dump: no member answered " + path + " (" + describe(notDumped) + ")");
    }
    return bodies;
  }

  /**
   * {@code --glocks [--fs NAME]}: each member's glocks ({@code /fs/glocks}, every member serves it,
   * an empty body when it mounts nothing), then who was not dumped.
   */
  static String glockDump(ControlClient control, List<Target> targets, String fs, Duration timeout) {
    Map<String, String> notDumped = new LinkedHashMap<>();
    Map<String, String> params = fs == null ? Map.of() : Map.of("fs", fs);
    Map<String, String> bodies = gather(control, targets, "/fs/glocks", params, timeout, notDumped);
    StringBuilder out = new StringBuilder();
    bodies.values().forEach(out::append);
    notDumped.forEach((node, why) -> out.append("Not dumped: ").append(node).append(' ').append(why).append('\n'));
    return out.toString();
  }

  /** {@code --memory} and {@code --tasks}: each member's own dump, then who was not dumped. */
  static String kernelDump(ControlClient control, List<Target> targets, String path, Duration timeout) {
    Map<String, String> notDumped = new LinkedHashMap<>();
    Map<String, String> bodies = gather(control, targets, path, timeout, notDumped);
    StringBuilder out = new StringBuilder(String.join("\n", bodies.values()));
    notDumped.forEach((node, why) -> out.append("Not dumped: ").append(node).append(' ').append(why).append('\n'));
    return out.toString();
  }

  /**
   * {@code --waits}: merges every answering member's facts into one graph on the local clock
   * ({@code nowNanos}) and runs the detector once; the reports, or one line saying there is nothing.
   */
  static String waitsReport(ControlClient control, List<Target> targets, Duration timeout, Duration stallBound,
                            long nowNanos) {
    Map<String, String> notDumped = new LinkedHashMap<>();
    Map<String, String> bodies = gather(control, targets, "/kernel/waits", timeout, notDumped);
    org.jdlm.kernel.core.waits.WaitGraph.Builder graph = org.jdlm.kernel.core.waits.WaitGraph.builder();
    int members = 0;
    for (Map.Entry<String, String> e : bodies.entrySet()) {
      try {
        org.jdlm.kernel.core.waits.FactsText.read(e.getValue(), nowNanos, graph);
        members++;
      } catch (IllegalArgumentException | IllegalStateException bad) {
        notDumped.put(e.getKey(), "sent unreadable waits: " + bad.getMessage());
      }
    }
    if (members == 0) {
      throw new CliError("dump: no member sent readable waits (" + describe(notDumped) + ")");
    }
    org.jdlm.kernel.core.waits.WaitGraph g = graph.build();
    var detector = new org.jdlm.kernel.core.waits.DeadlockDetector(new org.jdlm.kernel.core.waits.DeadlockDetector.Settings(
        List.of(), Set.of(), stallBound.toNanos()), new org.jdlm.kernel.core.waits.ReportIds("dump"), nowNanos);
    var round = detector.detect(g, nowNanos);
    long taskCount = g.vertices().stream().filter(org.jdlm.kernel.core.waits.Vertex::isTask).count();
    StringBuilder out = new StringBuilder();
    if (round.isEmpty()) {
      out.append("no deadlock, no stalled task (").append(taskCount).append(taskCount == 1 ? " task" : " tasks")
          .append(" on ").append(members).append(members == 1 ? " member" : " members").append(")\n");
    } else {
      out.append(round.text());
    }
    notDumped.forEach((node, why) -> out.append("Not dumped: ").append(node).append(' ').append(why).append('\n'));
    return out.toString();
  }

  private static String describe(Map<String, String> notDumped) {
    List<String> parts = new ArrayList<>();
    notDumped.forEach((n, why) -> parts.add(n + " " + why));
    return String.join(", ", parts);
  }
}
