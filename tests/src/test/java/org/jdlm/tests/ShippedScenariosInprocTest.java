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
 * that file, dump included.
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
    return files.stream().map(ShippedScenariosInprocTest::runInproc);
  }

  /**
   * Every recovery file passes in-process with abrupt kills (an ActorSystem stopped without leaving
   * the cluster, downed by the majority, removed, recovered); files that freeze a member with
   * SIGSTOP need real processes and run in ShippedScenariosJvmTest.
   */
  @TestFactory
  Stream<DynamicTest> everyRecoveryScenarioWithoutSigstopPassesInproc() throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.walk(scenarios().resolve("recovery"))) {
      files = s.filter(f -> f.toString().endsWith(".scen")).filter(f -> !freezes(f)).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(6);
    return files.stream().map(ShippedScenariosInprocTest::runInproc);
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
    return files.stream().map(ShippedScenariosInprocTest::runInproc);
  }

  private static boolean freezes(Path f) {
    try {
      return Files.readAllLines(f).stream().anyMatch(l -> l.matches("\\s*(pause|resume)\\s+n\\d+.*"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static DynamicTest runInproc(Path f) {
    return DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
      Scenario scenario = ScenarioParser.parse(scenarios().getParent().relativize(f).toString(),
          Files.readString(f, StandardCharsets.UTF_8));
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      ScenarioRunner.FileResult result;
      try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
        result = new ScenarioRunner(CLUSTERS, out, 20).run(scenario);
      }
      assertThat(result.passed()).as(bytes.toString(StandardCharsets.UTF_8)).isTrue();
    });
  }
}
