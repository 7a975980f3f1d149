package org.jdlm.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.jdlm.scenario.run.InprocScenarioClusters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every shipped recovery file passes in-process with abrupt kills (an ActorSystem stopped without
 * leaving the cluster, downed by the majority, removed, recovered); files that freeze a member with
 * SIGSTOP need real processes and run in ShippedScenariosJvmTest. Apart from
 * ShippedScenariosInprocTest (the DLM files) because each recovery file starts a cluster of its own
 * and waits for failure detection: the two classes run side by side in the module's test forks.
 */
class ShippedRecoveryScenariosInprocTest {
  private static final InprocScenarioClusters CLUSTERS = new InprocScenarioClusters();

  @AfterAll
  static void stopClusters() {
    CLUSTERS.close();
  }

  @TestFactory
  Stream<DynamicTest> everyRecoveryScenarioWithoutSigstopPassesInproc() throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.walk(ShippedScenariosInprocTest.scenarios().resolve("recovery"))) {
      files = s.filter(f -> f.toString().endsWith(".scen")).filter(f -> !freezes(f)).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(6);
    return files.stream().map(f -> ShippedScenariosInprocTest.runInproc(CLUSTERS, f));
  }

  private static boolean freezes(Path f) {
    try {
      return Files.readAllLines(f).stream().anyMatch(l -> l.matches("\\s*(pause|resume)\\s+n\\d+.*"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
