package org.jdlm.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jdlm.scenario.ScenarioParser;
import org.jdlm.scenario.ScenarioSyntaxException;
import org.jdlm.scenario.SyntaxError;
import org.junit.jupiter.api.Test;

/**
 * The scenario files shipped under {@code scenarios/} are valid scenario language (brief §6), and
 * the DLM set keeps the shape its README promises. This checks syntax only: whether a file's
 * expectations hold is for the scenario runner, on a real cluster.
 */
class ShippedScenariosParseTest {

  /** Issue 3 item 5 asks for at least this many DLM scenarios. */
  private static final int MIN_DLM_FILES = 45;

  private static final Pattern README_FILE = Pattern.compile("`([A-Za-z0-9_.-]+\\.scen)`");

  @Test
  void everyShippedScenarioParsesWithoutSyntaxErrors() {
    List<Path> files = scenFiles(scenariosRoot());
    assertThat(files).as("scenario files under %s", scenariosRoot()).isNotEmpty();
    List<String> errors = new ArrayList<>();
    for (Path file : files) {
      try {
        ScenarioParser.parse(scenariosRoot().getParent().relativize(file).toString(), read(file));
      } catch (ScenarioSyntaxException e) {
        for (SyntaxError error : e.errors()) {
          errors.add(error.toString());
        }
      }
    }
    assertThat(errors).as("syntax errors in shipped scenarios").isEmpty();
  }

  @Test
  void dlmScenarioSetHasAtLeastFortyFiveFiles() {
    assertThat(scenFiles(dlmDir())).hasSizeGreaterThanOrEqualTo(MIN_DLM_FILES);
  }

  @Test
  void everyDlmScenarioStartsWithACommentSayingWhatRuleItShows() {
    List<String> offenders = new ArrayList<>();
    for (Path file : scenFiles(dlmDir())) {
      String first = read(file).lines().findFirst().orElse("");
      // the comment must cite its source: a spec section (§) or a test vector (TV-)
      if (!first.startsWith("#") || !(first.contains("§") || first.contains("TV-"))) {
        offenders.add(file.getFileName() + ": first line is '" + first + "'");
      }
    }
    assertThat(offenders).as("files whose first line is not a comment citing the spec").isEmpty();
  }

  @Test
  void dlmReadmeListsExactlyTheFilesThatExist() {
    Set<String> onDisk = scenFiles(dlmDir()).stream()
        .map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
    Set<String> listed = new TreeSet<>();
    Matcher m = README_FILE.matcher(read(dlmDir().resolve("README.md")));
    while (m.find()) {
      listed.add(m.group(1));
    }
    Set<String> missing = new TreeSet<>(onDisk);
    missing.removeAll(listed);
    Set<String> stale = new TreeSet<>(listed);
    stale.removeAll(onDisk);
    assertThat(missing).as("files not in scenarios/dlm/README.md").isEmpty();
    assertThat(stale).as("README entries with no file").isEmpty();
  }

  /** The repository's {@code scenarios/} directory, found upwards from the working directory. */
  private static Path scenariosRoot() {
    Path dir = Paths.get("").toAbsolutePath();
    while (dir != null) {
      Path candidate = dir.resolve("scenarios");
      if (Files.isDirectory(candidate) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return candidate;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException("no scenarios/ directory next to a pom.xml above "
        + Paths.get("").toAbsolutePath());
  }

  private static Path dlmDir() {
    return scenariosRoot().resolve("dlm");
  }

  private static List<Path> scenFiles(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(p -> p.toString().endsWith(".scen") && Files.isRegularFile(p))
          .sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
