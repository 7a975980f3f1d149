package org.jdlm.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jdlm.common.wire.WireMessage;
import org.jdlm.common.wire.WireRegistry;
import org.junit.jupiter.api.Test;

/**
 * Every concrete class that declares itself a {@link WireMessage} (directly or through a sealed
 * protocol interface) in any module must be registered for the wire format: otherwise it fails
 * only when it first crosses nodes, which in a cluster means a silently undelivered message.
 */
class WireRegistrationCoverageTest {

  @Test
  void everyWireMessageClassOfEveryModuleIsRegistered() throws Exception {
    WireRegistry registry = WireRegistry.fromConfig(ConfigFactory.load(), getClass().getClassLoader());
    Set<String> registered = registry.entries().stream().map(e -> e.type().getName()).collect(Collectors.toSet());
    List<String> missing = new ArrayList<>();
    Path root = Path.of("").toAbsolutePath();
    while (!Files.exists(root.resolve("common/pom.xml"))) {
      root = root.getParent();
    }
    int seen = 0;
    for (String module : List.of("common", "kernel", "dlm-actors", "fencing", "recovery", "fs-actors", "cli")) {
      for (String name : classNames(root.resolve(module).resolve("target/classes"))) {
        Class<?> c = Class.forName(name, false, getClass().getClassLoader());
        if (WireMessage.class.isAssignableFrom(c) && !c.isInterface() && !Modifier.isAbstract(c.getModifiers())
            && !c.isAnonymousClass() && !c.isSynthetic()
            // Private records are timers and adapted replies (style rule 4): they never leave the node.
            && !Modifier.isPrivate(c.getModifiers())) {
          seen++;
          if (!registered.contains(c.getName())) {
            missing.add(module + ": " + c.getName() + " (" + registry.registrationHint(c) + ")");
          }
        }
      }
    }
    assertThat(seen).as("wire message classes found (is target/classes built?)").isGreaterThan(10);
    assertThat(missing).as("WireMessage classes without a wire registration").isEmpty();
  }

  private static Set<String> classNames(Path classes) throws IOException {
    Set<String> names = new TreeSet<>();
    if (!Files.isDirectory(classes)) {
      return names;
    }
    try (Stream<Path> s = Files.walk(classes)) {
      s.filter(p -> p.toString().endsWith(".class") && !p.getFileName().toString().equals("module-info.class")
              && !p.getFileName().toString().equals("package-info.class"))
          .forEach(p -> {
            String rel = classes.relativize(p).toString();
            names.add(rel.substring(0, rel.length() - ".class".length()).replace('/', '.'));
          });
    }
    return names;
  }
}
