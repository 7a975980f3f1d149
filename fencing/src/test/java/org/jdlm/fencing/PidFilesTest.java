package org.jdlm.fencing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PidFilesTest {

  @Test
  void readsThePidOfTheSupervisorsPidFileAndNothingForBadNames(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("n2.pid"), "4242 1763700000000\n"); // "PID START_MILLIS", as the lab writes it
    Files.writeString(dir.resolve("n3.pid"), "77");
    var lookup = PidFiles.inDirectory(dir);
    assertThat(lookup.apply("n2")).isEqualTo(OptionalLong.of(4242));
    assertThat(lookup.apply("n3")).isEqualTo(OptionalLong.of(77));
    assertThat(lookup.apply("n9")).isEmpty();
    assertThat(lookup.apply("../n2")).isEmpty();
  }
}
