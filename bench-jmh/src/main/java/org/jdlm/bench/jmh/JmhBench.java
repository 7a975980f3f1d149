package org.jdlm.bench.jmh;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * {@code dlm bench --jmh}: runs {@link GrantPathBenchmark} through JMH's runner in this process,
 * which forks one measuring JVM on this process's classpath (this module's own jar,
 * bench-jmh-VERSION-jmh.jar, which {@code bin/dlm} runs; JMH is never in the runtime jar), and prints a table.
 */
public final class JmhBench {

  /**
   * The forked JVM's flags. Given explicitly because JMH otherwise copies this JVM's flags, and
   * {@code bin/dlm} starts client commands with the C1 compiler only (fast start, slow code).
   */
  static final List<String> FORK_JVM_ARGS = List.of("-Xms256m", "-Xmx256m", "-XX:+UseSerialGC");

  private JmhBench() {}

  /** Exit status 0 with the table on stdout; 2 with one line on stderr when JMH fails or ran nothing. */
  public static void main(String[] args) {
    if (args.length > 0) {
      System.err.println("dlm bench --jmh: takes no other option (got " + String.join(" ", args) + ")");
      System.exit(2);
    }
    try {
      System.exit(run(System.out));
    } catch (IllegalStateException e) {
      System.err.println("dlm " + e.getMessage());
      System.exit(2);
    }
  }

  static int run(java.io.PrintStream out) {
    out.println("running JMH " + GrantPathBenchmark.class.getSimpleName() + " (1 fork, 3x2s warm-up, "
        + "5x2s measurement per benchmark; about a minute) ...");
    out.flush();
    Collection<RunResult> results;
    try {
      results = new Runner(new OptionsBuilder()
          .include("^" + Pattern.quote(GrantPathBenchmark.class.getName()) + "\\.")
          .jvmArgs(FORK_JVM_ARGS.toArray(String[]::new))
          .verbosity(VerboseMode.SILENT)
          .build()).run();
    } catch (RunnerException e) {
      throw new IllegalStateException("bench --jmh: JMH failed: " + e.getMessage());
    }
    if (results.isEmpty()) {
      throw new IllegalStateException("bench --jmh: JMH ran no benchmark (is META-INF/BenchmarkList in the jar?)");
    }
    List<RunResult> sorted = new ArrayList<>(results);
    sorted.sort((a, b) -> a.getParams().getBenchmark().compareTo(b.getParams().getBenchmark()));
    out.printf(Locale.ROOT, "%-40s %16s %14s  %s%n", "BENCHMARK", "SCORE", "ERROR (99.9%)", "UNITS");
    for (RunResult r : sorted) {
      String name = r.getParams().getBenchmark();
      out.printf(Locale.ROOT, "%-40s %,16.0f %,14.0f  %s%n", name.substring(name.lastIndexOf('.') + 1),
          r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError(), r.getPrimaryResult().getScoreUnit());
    }
    out.println("JVM flags of the fork: " + String.join(" ", FORK_JVM_ARGS));
    return 0;
  }
}
