package org.jdlm.tests;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rules of docs/architecture.md, checked with ArchUnit on the compiled main classes of every
 * module: no package cycles, no Pekko (or its configuration library) in a pure core, and module
 * dependencies pointing one way, down the list in {@link #MODULES}.
 */
class ArchitectureTest {

  /**
   * Each module's root package, bottom of the stack first, with the modules it may use (besides
   * itself). The order and the lists are docs/architecture.md's "Modules and dependency direction".
   */
  private static final Map<String, List<String>> MODULES = new LinkedHashMap<>();

  static {
    MODULES.put("common", List.of());
    MODULES.put("kernel", List.of("common"));
    MODULES.put("dlm", List.of("common", "kernel"));
    MODULES.put("fencing", List.of("common", "kernel"));
    MODULES.put("recovery", List.of("common", "kernel", "dlm", "fencing"));
    MODULES.put("fs", List.of("common", "kernel", "dlm", "fencing", "recovery"));
    MODULES.put("member", List.of("common", "kernel", "dlm", "fencing", "recovery", "fs"));
    MODULES.put("lab", List.of("common", "kernel", "dlm", "fencing", "recovery", "fs", "member"));
    MODULES.put("scenario", List.of("common", "kernel", "dlm", "fencing", "recovery", "fs", "member", "lab"));
    MODULES.put("bench", List.of("common", "kernel", "dlm", "fencing", "recovery", "fs", "member", "lab", "scenario"));
    MODULES.put("cli", List.of("common", "kernel", "dlm", "fencing", "recovery", "fs", "member", "lab", "scenario", "bench"));
  }

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("org.jdlm");
  }

  @Test
  void everyModuleIsOnTheClasspathOfThisTest() {
    for (String module : MODULES.keySet()) {
      org.assertj.core.api.Assertions.assertThat(classes.stream().anyMatch(c -> c.getPackageName().startsWith("org.jdlm." + module)))
          .as("classes of org.jdlm." + module + " imported (else the rules below check nothing)").isTrue();
    }
  }

  /**
   * No exceptions: the DLM's entry point {@code org.jdlm.dlm.Dlm} (the ActorSystem extension that
   * builds the guardian and the lockspaces) lives beside the implementation, so
   * {@code org.jdlm.dlm.api} depends on nothing of {@code org.jdlm.dlm} (issue 9).
   */
  @Test
  void noPackageDependsOnItselfThroughOthers() {
    slices().matching("org.jdlm.(**)").should().beFreeOfCycles().check(classes);
  }

  @Test
  void pureCorePackagesUseNothingFromPekkoOrItsConfiguration() {
    noClasses().that().resideInAPackage("org.jdlm..core..")
        .should().dependOnClassesThat().resideInAnyPackage("org.apache.pekko..", "com.typesafe.config..")
        .because("a core holds decisions only: state plus input in, new state plus effects out (style rule 2)")
        .check(classes);
  }

  @Test
  void moduleDependenciesPointOneWay() {
    MODULES.forEach((module, allowed) -> {
      String[] forbidden = MODULES.keySet().stream()
          .filter(m -> !m.equals(module) && !allowed.contains(m))
          .map(m -> "org.jdlm." + m + "..")
          .toArray(String[]::new);
      if (forbidden.length == 0) {
        return;
      }
      noClasses().that().resideInAPackage("org.jdlm." + module + "..")
          .should().dependOnClassesThat().resideInAnyPackage(forbidden)
          .because(module + " may use only " + (allowed.isEmpty() ? "itself" : String.join(", ", allowed))
              + " (docs/architecture.md)")
          .check(classes);
    });
  }
}
