package org.jdlm.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Network partitions between lab members on one host (chaos runs): each member has its own
 * loopback address and iptables DROP rules in the OUTPUT chain cut chosen pairs apart. Packets on
 * {@code lo} pass OUTPUT once, so one rule per direction suffices.
 *
 * <p>Every rule of a run lives in its own chain, {@code jdlm-<pid>-<n>}, jumped to from OUTPUT:
 * healing everything is flushing that chain, and {@link #close()} removes the jump and the chain.
 * A supervisor killed before it could clean up leaves its chain behind; {@link #removeStale()}
 * (called by {@link #open}) deletes the chains of processes that no longer exist, so no rule
 * outlives the next run.
 */
public final class PacketFilter implements AutoCloseable {

  private static final Pattern CHAIN = Pattern.compile("jdlm-(\\d+)-(\\d+)");
  private static final long COMMAND_TIMEOUT_S = 10;

  private final String iptables;
  private final String chain;
  private final Set<List<String>> rules = new LinkedHashSet<>();
  private boolean closed;

  private PacketFilter(String iptables, String chain) {
    this.iptables = iptables;
    this.chain = chain;
  }

  /**
   * A filter with a fresh chain of its own, or empty with the reason when iptables cannot be used
   * here (not installed, not root).
   */
  public static Result open() {
    Optional<String> binary = find();
    if (binary.isEmpty()) {
      return new Result(Optional.empty(), "no iptables binary (apt-get install iptables)");
    }
    String iptables = binary.get();
    Run probe = run(iptables, "-w", "-S", "OUTPUT");
    if (probe.status != 0) {
      return new Result(Optional.empty(), "iptables -S OUTPUT failed (" + probe.output.strip()
          + "): partitions need root");
    }
    removeStale(iptables);
    for (int n = 0; ; n++) {
      String chain = "jdlm-" + ProcessHandle.current().pid() + "-" + n;
      if (run(iptables, "-w", "-N", chain).status == 0) {
        PacketFilter filter = new PacketFilter(iptables, chain);
        filter.must("-I", "OUTPUT", "-j", chain);
        return new Result(Optional.of(filter), "iptables chain " + chain);
      }
      if (n > 100) {
        return new Result(Optional.empty(), "could not create an iptables chain jdlm-" + ProcessHandle.current().pid()
            + "-N");
      }
    }
  }

  /** The outcome of {@link #open()}: the filter, or why there is none. */
  public record Result(Optional<PacketFilter> filter, String description) {}

  public String chain() {
    return chain;
  }

  /**
   * Drops TCP packets from {@code fromHost} to {@code toHost}'s {@code toPort} (returns the rule, for
   * {@link #remove}): the connections
   * {@code from} opens to that port get nowhere, while {@code to}'s own connections to {@code from}
   * (whose replies come from another port) still work. Artery sends each direction over the
   * sender's own outbound connection, so this cuts the messages from one member to another only.
   */
  public synchronized List<String> dropTo(String fromHost, String toHost, int toPort) {
    return add(List.of("-s", fromHost, "-d", toHost, "-p", "tcp", "--dport", Integer.toString(toPort), "-j", "DROP"));
  }

  /** Drops every packet from {@code fromHost} to {@code toHost}; returns the rule, for {@link #remove}. */
  public synchronized List<String> dropAll(String fromHost, String toHost) {
    return add(List.of("-s", fromHost, "-d", toHost, "-j", "DROP"));
  }

  /** Removes one rule added by {@link #dropTo} or {@link #dropAll} (healing one partition). */
  public synchronized void remove(List<String> rule) {
    if (!closed && rules.remove(rule)) {
      List<String> args = new ArrayList<>(List.of("-D", chain));
      args.addAll(rule);
      must(args.toArray(String[]::new));
    }
  }

  private List<String> add(List<String> rule) {
    if (closed) {
      throw new IllegalStateException("packet filter " + chain + " is closed");
    }
    if (rules.add(rule)) {
      List<String> args = new ArrayList<>(List.of("-A", chain));
      args.addAll(rule);
      must(args.toArray(String[]::new));
    }
    return rule;
  }

  /** Removes every rule: all partitions healed. */
  public synchronized void healAll() {
    if (!closed) {
      must("-F", chain);
      rules.clear();
    }
  }

  /** The rules in force, as iptables arguments (for reports and tests). */
  public synchronized List<List<String>> rules() {
    return List.copyOf(rules);
  }

  /** Removes every rule, the jump from OUTPUT and the chain; safe to call twice. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    // Runs from shutdown hooks and finally blocks of interrupted runs too: the rules must go anyway.
    boolean interrupted = Thread.interrupted();
    try {
      remove(iptables, chain);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void remove(String iptables, String chain) {
    // Every jump (a chain may have been inserted twice by hand), then the rules, then the chain.
    while (run(iptables, "-w", "-D", "OUTPUT", "-j", chain).status == 0) {
      // keep deleting
    }
    run(iptables, "-w", "-F", chain);
    run(iptables, "-w", "-X", chain);
  }

  /** Deletes the chains {@code jdlm-<pid>-<n>} whose process is gone. */
  public static void removeStale() {
    find().ifPresent(PacketFilter::removeStale);
  }

  private static void removeStale(String iptables) {
    Run list = run(iptables, "-w", "-S");
    for (String line : list.output.split("\n")) {
      if (!line.startsWith("-N ")) {
        continue;
      }
      Matcher m = CHAIN.matcher(line.substring(3).strip());
      if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).map(h -> !h.isAlive()).orElse(true)) {
        remove(iptables, m.group());
      }
    }
  }

  private void must(String... args) {
    List<String> full = new ArrayList<>(List.of("-w"));
    full.addAll(List.of(args));
    Run r = run(iptables, full.toArray(String[]::new));
    if (r.status != 0) {
      throw new IllegalStateException("iptables " + String.join(" ", args) + " failed: " + r.output.strip());
    }
  }

  private static Optional<String> find() {
    for (String dir : new String[] {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) {
      if (new java.io.File(dir, "iptables").canExecute()) {
        return Optional.of(dir + "/iptables");
      }
    }
    return Optional.empty();
  }

  private record Run(int status, String output) {}

  private static Run run(String iptables, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(iptables);
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Run(-1, "timed out");
      }
      return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Run(-1, String.valueOf(e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Run(-1, "interrupted");
    }
  }
}
