package org.jdlm.fs.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Style rule 2 for this module until the architecture test in {@code tests} covers it: no Pekko in a core. */
class CoreHasNoPekkoTest {

  @Test
  void noSourceInTheCorePackageImportsPekko() throws IOException {
    Path core = Path.of("src/main/java/org/jdlm/fs/core");
    assertThat(core).isDirectory();
    List<Path> offenders;
    try (Stream<Path> files = Files.list(core)) {
      offenders = files.filter(f -> f.toString().endsWith(".java")).filter(f -> {
        try {
          return Files.readAllLines(f).stream().anyMatch(l -> l.startsWith("import org.apache.pekko"));
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }).toList();
    }
    assertThat(offenders).isEmpty();
  }
}
