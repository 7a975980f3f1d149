package org.jdlm.cli;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jdlm.dlm.dump.DumpRenderer;
import org.jdlm.dlm.dump.LockspaceDump;
import org.jdlm.lab.LabSettings;
import org.jdlm.lab.NodeSpec;
import org.jdlm.lab.ProcessState;
import org.jdlm.lab.Supervisor;
import org.jdlm.member.CliError;
import org.jdlm.member.DumpWire;
import org.jdlm.scenario.run.ScenarioWire;

/**
 * {@code dlm dump [--dir DIR] [--lockspace NAME]}: the locks of a running lab cluster. Asks every
 * live member's {@code /dump} for its own part (the resources it masters, the locks it holds) and
 * prints, per lockspace, the merge in the format of docs/dump-format.md, nodes named n1…nN.
 *
 * <p>Members are asked one by one with a short bound ({@code jdlm.cli.dump.member-timeout}), so a
 * stuck member costs at most that; a dead or paused member is not asked at all. Either is listed at the end
 * ({@code Not dumped: n3 dead (no process)}), never waited for.
 */
public final class DumpCommand implements Subcommand {

  @Override
  public String name() {
    return "dump";
  }

  @Override
  public String summary() {
    return "print the locks of a running lab cluster (every member's resources and held locks)";
  }

  @Override
  public String usage() {
    return """
        usage: dlm dump [--dir DIR] [--lockspace NAME]

        Prints, for each lockspace (or only NAME), every resource once as its master holds it and
        every member's held locks, in the format of docs/dump-format.md. Members that are dead,
        paused or do not answer within jdlm.cli.dump.member-timeout are listed as not dumped.
          --dir DIR          the lab's run directory (default ./run/cluster)
          --lockspace NAME   only this lockspace
        Exit status: 0 when at least one member answered, 2 otherwise or on bad input.
        """;
  }

  @Override
  public int run(List<String> args, Console console) throws Exception {
    Options o = Options.parse("dump", args, Set.of("--dir", "--lockspace"), Set.of()).noPositional();
    Supervisor supervisor = Supervisor.forDirectory(o.get("--dir").map(Path::of).orElse(LabSettings.load().defaultDir()));
    String only = o.get("--lockspace").orElse(null);
    Duration timeout = ConfigFactory.load().getDuration("jdlm.cli.dump.member-timeout");
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(supervisor.settings().controlTimeout()).build();

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
      Answer a = ask(http, n, only, timeout);
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
  public static Answer ask(HttpClient http, NodeSpec n, String only, Duration timeout) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("format", "records");
    if (only != null) {
      params.put("ls", only);
    }
    URI uri = URI.create("http://" + Supervisor.HOST + ":" + n.controlPort() + "/dump?" + ScenarioWire.query(params));
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 400 && only != null) {
        return new Answer(List.of(), null); // this member has not joined the lockspace: nothing to show
      }
      if (r.statusCode() != 200) {
        return new Answer(null, "answered HTTP " + r.statusCode() + ": " + r.body().strip());
      }
      return new Answer(DumpWire.decode(r.body()), null);
    } catch (IOException e) {
      return new Answer(null, "no answer within " + timeout.toMillis() + " ms on control port "
          + n.controlPort());
    } catch (IllegalArgumentException e) {
      return new Answer(null, "sent an unreadable dump: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(null, "interrupted");
    }
  }

  private static String describe(Map<String, String> notDumped) {
    List<String> parts = new ArrayList<>();
    notDumped.forEach((n, why) -> parts.add(n + " " + why));
    return String.join(", ", parts);
  }
}
