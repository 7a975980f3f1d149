package org.jdlm.fencing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Style rule 4 without an exhaustive switch: every message of every actor's {@code Command} has a
 * handler in that actor, and every public message carries a Javadoc line. (The serialization half
 * of the rule joins when the Kryo registrations are merged.)
 */
class ProtocolTest {

  static Stream<Arguments> protocols() {
    return Stream.of(
        Arguments.of(FenceCoordinator.class, FenceCoordinator.Command.class),
        Arguments.of(FenceTask.class, FenceTask.Command.class),
        Arguments.of(FencingAuthority.class, FencingAuthority.Command.class),
        Arguments.of(SharedDisk.class, SharedDisk.Command.class));
  }

  private static String source(Class<?> actor) throws IOException {
    Path p = Path.of("src/main/java", actor.getName().replace('.', '/') + ".java");
    return Files.readString(p);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("protocols")
  void everyMessageHasAHandlerAndPublicOnesAreDocumented(Class<?> actor, Class<?> command) throws IOException {
    String src = source(actor);
    assertThat(command.getPermittedSubclasses()).as("messages of " + actor.getSimpleName()).isNotEmpty();
    List<String> missing = new ArrayList<>();
    for (Class<?> message : command.getPermittedSubclasses()) {
      String name = message.getSimpleName();
      if (!Pattern.compile("\\.on(Message|Command)\\(" + name + "\\.class").matcher(src).find()) {
        missing.add(name + " has no handler");
      }
      if (java.lang.reflect.Modifier.isPublic(message.getModifiers())
          && !Pattern.compile("\\*/\\s*\\n\\s*public (record|enum) " + name + "\\b").matcher(src).find()) {
        missing.add(name + " has no Javadoc");
      }
    }
    assertThat(missing).as(actor.getSimpleName()).isEmpty();
  }
}
