package org.jdlm.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The shaded runtime jar ({@code bin/dlm}'s and every member's) holds no benchmark harness: JMH and
 * the JMH benchmarks live in bench-jmh's own jar. Checks the jar the build produced; when this test
 * runs without it (a {@code test} run, not {@code package}/{@code verify}), it is skipped and says so.
 */
class RuntimeJarTest {

  private static Path runtimeJar() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("cli/pom.xml"))) {
      p = p.getParent();
    }
    assertThat(p).as("project root").isNotNull();
    return p.resolve("cli/target/cli-0.1.0-SNAPSHOT-all.jar");
  }

  @Test
  @Tag("packaged")
  void theRuntimeJarHoldsNoJmhClassAndNoBenchmark() throws Exception {
    Path jar = runtimeJar();
    Assumptions.assumeTrue(Files.isRegularFile(jar), jar + " is not built (run mvn package first)");
    try (JarFile j = new JarFile(jar.toFile())) {
      List<String> names = j.stream().map(ZipEntry::getName).toList();
      assertThat(names).as("the runtime jar is the shaded cli jar").contains("org/jdlm/cli/Main.class",
          "org/jdlm/member/MemberNode.class");
      assertThat(names.stream().filter(n -> n.startsWith("org/openjdk/jmh/") || n.startsWith("org/jdlm/bench/jmh/")
          || n.equals("META-INF/BenchmarkList"))).as("JMH in " + jar).isEmpty();
    }
  }
}
