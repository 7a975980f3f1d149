package org.jdlm.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Checks the rules of docs/architecture.md on the source tree: pure cores import nothing from
 * Pekko, and module dependencies point one way. Reads sources rather than classes so that a
 * violation names the file and line.
 */
class ArchitectureTest {
  private static final Pattern IMPORT = Pattern.compile("^import\\s+(static\\s+)?([\\w.]+)", Pattern.MULTILINE);

  /** Which project packages each module may import (its own and those below it). */
  private static final Map<String, Set<String>> ALLOWED = Map.of(
      "common", Set.of("common"),
      "kernel", Set.of("common", "kernel"),
      "dlm-actors", Set.of("common", "kernel", "dlm"),
      "fencing", Set.of("common", "kernel", "fencing"),
      "recovery", Set.of("common", "kernel", "dlm", "fencing", "recovery"),
      "fs-actors", Set.of("common", "kernel", "dlm", "fencing", "recovery", "fs"));

  private static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("common/pom.xml"))) {
      p = p.getParent();
    }
    assertThat(p).as("project root above " + Path.of("").toAbsolutePath()).isNotNull();
    return p;
  }

  private static List<Path> mainSources(String module) {
    Path dir = root().resolve(module).resolve("src/main/java");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(f -> f.toString().endsWith(".java")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path f) {
    try {
      return Files.readString(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int lineOf(String text, int offset) {
    return (int) text.substring(0, offset).chars().filter(c -> c == '\n').count() + 1;
  }

  @Test
  void pureCorePackagesImportNothingFromPekko() {
    List<String> violations = new ArrayList<>();
    for (String module : List.of("common", "kernel", "dlm-actors", "fencing", "recovery", "fs-actors", "cli")) {
      for (Path f : mainSources(module)) {
        if (!f.toString().contains("/core/")) {
          continue;
        }
        String text = read(f);
        Matcher m = IMPORT.matcher(text);
        while (m.find()) {
          if (m.group(2).startsWith("org.apache.pekko") || m.group(2).startsWith("com.typesafe.config")) {
            violations.add(root().relativize(f) + ":" + lineOf(text, m.start()) + " imports " + m.group(2));
          }
        }
        assertThat(text).as(f + " must not name Pekko fully qualified either").doesNotContain("org.apache.pekko.");
      }
    }
    assertThat(violations).as("pure cores must not depend on Pekko").isEmpty();
  }

  @Test
  void moduleDependenciesPointOneWay() {
    List<String> violations = new ArrayList<>();
    ALLOWED.forEach((module, allowed) -> {
      for (Path f : mainSources(module)) {
        String text = read(f);
        Matcher m = IMPORT.matcher(text);
        while (m.find()) {
          String imp = m.group(2);
          if (!imp.startsWith("org.jdlm.")) {
            continue;
          }
          String target = imp.substring("org.jdlm.".length()).split("\\.")[0];
          if (!allowed.contains(target)) {
            violations.add(root().relativize(f) + ":" + lineOf(text, m.start()) + " (" + module + ") imports " + imp);
          }
        }
      }
    });
    assertThat(violations).as("a module may only import modules below it").isEmpty();
  }
}
