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
 */
@Command(name = "dump", description = {
    "print the locks of a running lab cluster (every member's resources and held locks)", "",
    "Prints, for each lockspace (or only NAME), every resource once as its master holds it and every member's held"
        + " locks, in the format of docs/dump-format.md. Members that are dead, paused or do not answer within"
        + " jdlm.cli.dump.member-timeout are listed as not dumped."},
    exitCodeList = {"0:at least one member answered", "2:no member answered, or bad input"})
public final class DumpCommand extends DlmCommand {
  @Mixin
  ClusterCommand.RunDirOption dir;

  @Option(names = "--lockspace", paramLabel = "NAME", description = "only this lockspace")
  String lockspace;

  @Override
  protected int run(Console console) throws Exception {
    Supervisor supervisor = dir.supervisor();
    String only = lockspace;
    Duration timeout = ConfigFactory.load().getDuration("jdlm.cli.dump.member-timeout");

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

  private static String describe(Map<String, String> notDumped) {
    List<String> parts = new ArrayList<>();
    notDumped.forEach((n, why) -> parts.add(n + " " + why));
    return String.join(", ", parts);
  }
}
