package org.jdlm.scenario.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jdlm.scenario.ScenarioParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A developer's loop over {@code scenarios/fs} in-process without the cli module:
 * {@code -Dfs.files=REGEX} (matched against file names) runs those files and prints the runner's
 * output. The shipped set runs in the tests module (ShippedScenariosInprocTest).
 */
class FsFilesDevRun {
  @Test
  @EnabledIfSystemProperty(named = "fs.files", matches = ".+")
  void runSelectedFiles() throws Exception {
    Path dir = Path.of("").toAbsolutePath().getParent().resolve("scenarios/fs");
    String regex = System.getProperty("fs.files");
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(f -> f.getFileName().toString().matches(regex)).sorted().toList();
    }
    List<String> failed = new ArrayList<>();
    try (InprocScenarioClusters clusters = new InprocScenarioClusters()) {
      ScenarioRunner runner = new ScenarioRunner(clusters, new PrintStream(System.out, true, StandardCharsets.UTF_8), 50);
      for (Path f : files) {
        var r = runner.run(ScenarioParser.parse(f.getFileName().toString(), Files.readString(f)));
        if (!r.passed()) {
          failed.add(f.getFileName() + ": " + r.failure());
        }
      }
    }
    System.out.println("FSDEV " + (files.size() - failed.size()) + " passed, " + failed.size() + " failed " + failed);
    assertThat(failed).isEmpty();
  }
}
