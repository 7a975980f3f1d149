package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Style rule 2: nothing in the core imports Pekko. (The tests module repeats this for all cores.) */
class CoreArchitectureTest {

  @Test
  void corePackageImportsNothingFromPekko() throws IOException {
    Path core = Path.of("src/main/java/org/jdlm/dlm/core");
    assertThat(core).isDirectory();
    List<String> offenders;
    try (Stream<Path> files = Files.walk(core)) {
      offenders = files.filter(p -> p.toString().endsWith(".java"))
          .filter(p -> {
            try {
              return Files.readString(p).contains("org.apache.pekko");
            } catch (IOException e) {
              throw new IllegalStateException("cannot read " + p, e);
            }
          })
          .map(Path::toString)
          .toList();
    }
    assertThat(offenders).as("core files mentioning org.apache.pekko").isEmpty();
  }

  @Test
  void uncontendedLockUnlockOnOneResourceLeavesNothingBehind() {
    // The hot path the lead benchmarks: a tight loop must not accumulate state.
    ResourceState r = new ResourceState("R", 32, 1);
    NodeId n = new NodeId("n1");
    for (long i = 1; i <= 100_000; i++) {
      LockId id = new LockId(n, i);
      r.request(id, LockMode.EX, 0, null, true);
      r.unlock(id, 0, null);
    }
    r.checkInvariants();
    assertThat(r.isUnused()).isTrue();
    assertThat(r.lastToken()).isEqualTo(new FencingToken(1, 100_000));
  }
}
