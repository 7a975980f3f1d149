package org.jdlm.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.jdlm.scenario.Scenario;
import org.jdlm.scenario.ScenarioParser;
import org.jdlm.scenario.run.InprocScenarioClusters;
import org.jdlm.scenario.run.ScenarioRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every shipped DLM scenario file passes on an in-process cluster (issue 3: "all shipped scenarios
 * pass in inproc mode"). One dynamic test per file; a failure shows the runner's whole output for
 * that file, dump included. The recovery files are ShippedRecoveryScenariosInprocTest's: a class of
 * their own, so that the two halves run side by side in the module's two test forks.
 */
class ShippedScenariosInprocTest {
  private static final InprocScenarioClusters CLUSTERS = new InprocScenarioClusters();

  @AfterAll
  static void stopClusters() {
    CLUSTERS.close();
  }

  static Path scenarios() {
    Path p = Path.of("").toAbsolutePath();
    while (!Files.isDirectory(p.resolve("scenarios"))) {
      p = p.getParent();
    }
    return p.resolve("scenarios");
  }

  @TestFactory
  Stream<DynamicTest> everyDlmScenarioPassesInproc() throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.walk(scenarios().resolve("dlm"))) {
      files = s.filter(f -> f.toString().endsWith(".scen")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(40);
    return files.stream().map(f -> runInproc(CLUSTERS, f));
  }

  /**
   * The DLM-only deadlock files of issue 11 ★ ({@code scenarios/cycles/dlm-only-*}): reported within
   * 5 s, broken with EDEADLK where the header says {@code break-deadlocks}, NODLCKWT never the
   * victim, a plain wait never a deadlock.
   */
  @TestFactory
  Stream<DynamicTest> everyDlmOnlyCycleScenarioPassesInproc() throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.walk(scenarios().resolve("cycles"))) {
      files = s.filter(f -> f.getFileName().toString().startsWith("dlm-only-") && f.toString().endsWith(".scen"))
          .sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(5);
    return files.stream().map(f -> runInproc(CLUSTERS, f));
  }

  /**
   * Every filesystem file passes in-process (issue 10: "scenarios/fs/ with at least 20 files"): each
   * in-process member has its own kernel and mounts the file's filesystems on demand.
   */
  @TestFactory
  Stream<DynamicTest> everyFsScenarioPassesInproc() throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.walk(scenarios().resolve("fs"))) {
      files = s.filter(f -> f.toString().endsWith(".scen")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(20);
    return files.stream().map(f -> runInproc(CLUSTERS, f));
  }

  /** One dynamic test that runs {@code f} on {@code clusters} and shows the runner's output when it fails. */
  static DynamicTest runInproc(InprocScenarioClusters clusters, Path f) {
    return DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
      Scenario scenario = ScenarioParser.parse(scenarios().getParent().relativize(f).toString(),
          Files.readString(f, StandardCharsets.UTF_8));
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      ScenarioRunner.FileResult result;
      try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
        result = new ScenarioRunner(clusters, out, 20).run(scenario);
      }
      assertThat(result.passed()).as(bytes.toString(StandardCharsets.UTF_8)).isTrue();
    });
  }
}
