package org.jdlm.common.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdlm.common.wire.WireRegistry.IdRange;
import org.junit.jupiter.api.Test;

class WireRegistryTest {

  private static final Map<String, IdRange> RANGES = Map.of(
      "common", new IdRange("common", 100, 199, "org.jdlm.common"),
      "kernel", new IdRange("kernel", 200, 299, "org.jdlm.kernel"));

  private static WireRegistry registryOf(Map<String, WireRegistrations> modules) {
    return WireRegistry.of(RANGES, modules, Map.of("common", "CommonX", "kernel", "KernelX"));
  }

  private record A() {}

  private record B() {}

  private interface SomeCommand {}

  @Test
  void defaultConfigurationLoadsWithCommonRegistrationsInCommonsRange() {
    WireRegistry registry = WireRegistry.fromConfig(ConfigFactory.load(), getClass().getClassLoader());

    assertThat(registry.entries()).isNotEmpty()
        .allSatisfy(e -> assertThat(e.id()).isBetween(100, 199))
        .allSatisfy(e -> assertThat(e.module()).isEqualTo("common"));
    assertThat(registry.ranges()).containsKeys("common", "kernel", "dlm-actors", "fencing",
        "recovery", "fs-actors", "cli", "tests");
  }

  @Test
  void configuredRangesDoNotOverlapAndLeaveTheWireFormatsIdsAlone() {
    List<IdRange> ranges = new ArrayList<>(WireTestConfig.registry().ranges().values());
    ranges.sort((x, y) -> Integer.compare(x.first(), y.first()));

    assertThat(ranges.get(0).first()).isGreaterThanOrEqualTo(WireRegistry.FIRST_MODULE_ID);
    for (int i = 1; i < ranges.size(); i++) {
      assertThat(ranges.get(i).first()).isGreaterThan(ranges.get(i - 1).last());
    }
  }

  @Test
  void registrationsFromTwoModulesAreMergedAndOrderedById() {
    WireRegistry registry = registryOf(Map.of(
        "kernel", r -> r.register(B.class, 200),
        "common", r -> r.register(A.class, 150)));

    assertThat(registry.entries()).extracting(WireRegistry.Entry::type).containsExactly(A.class, B.class);
  }

  @Test
  void idOutsideTheModulesRangeIsRejectedNamingClassIdAndRange() {
    assertThatThrownBy(() -> registryOf(Map.of("common", r -> r.register(A.class, 250))))
        .isInstanceOf(WireRegistrationException.class)
        .hasMessageContaining("common registers " + A.class.getName() + " with id 250, outside its range 100-199");
  }

  @Test
  void sameIdTwiceIsRejectedNamingBothClasses() {
    // Ranges do not overlap, so a clash between modules is already an out-of-range id.
    assertThatThrownBy(() -> registryOf(Map.of(
        "common", r -> r.register(A.class, 150).register(B.class, 150))))
        .isInstanceOf(WireRegistrationException.class)
        .hasMessageContaining("id 150 is registered twice: " + A.class.getName() + " (common) and "
            + B.class.getName() + " (common)");
  }

  @Test
  void sameClassUnderTwoIdsIsRejected() {
    assertThatThrownBy(() -> registryOf(Map.of(
        "common", r -> r.register(A.class, 150),
        "kernel", r -> r.register(A.class, 250))))
        .isInstanceOf(WireRegistrationException.class)
        .hasMessageContaining("class " + A.class.getName() + " is registered twice: id 150 (common) and id 250 (kernel)");
  }

  @Test
  void everyProblemIsReportedNotJustTheFirst() {
    WireRegistrationException error = org.junit.jupiter.api.Assertions.assertThrows(
        WireRegistrationException.class, () -> registryOf(Map.of(
            "common", r -> r.register(A.class, 99).register(B.class, 150).register(B.class, 151))));

    assertThat(error.problems()).hasSize(2);
  }

  @Test
  void moduleWithoutARangeIsRejected() {
    assertThatThrownBy(() -> registryOf(Map.of("nowhere", r -> r.register(A.class, 150))))
        .isInstanceOf(WireRegistrationException.class)
        .hasMessageContaining("jdlm.wire.registrations.nowhere has no id range");
  }

  @Test
  void interfacesCollectionsActorRefsAndStringsCannotBeRegistered() {
    assertThatThrownBy(() -> registryOf(Map.of("common", r -> r
        .register(SomeCommand.class, 150)
        .register(ArrayList.class, 151)
        .register(String.class, 152)
        .register(org.apache.pekko.actor.typed.ActorRef.class, 153)
        .register(TestMessages.Color.BLUE.getClass(), 154))))
        .isInstanceOfSatisfying(WireRegistrationException.class, e -> assertThat(e.problems())
            .hasSize(5)
            .anySatisfy(p -> assertThat(p).contains("it is an interface"))
            .anySatisfy(p -> assertThat(p).contains("java.util.ArrayList").contains("built into the wire format"))
            .anySatisfy(p -> assertThat(p).contains("java.lang.String").contains("built into"))
            .anySatisfy(p -> assertThat(p).contains("ActorRef").contains("built into"))
            .anySatisfy(p -> assertThat(p).contains("register the enum " + TestMessages.Color.class.getName())));
  }

  @Test
  void overlappingRangesAndRangesInTheWireFormatsIdsAreRejected() {
    Map<String, IdRange> ranges = Map.of(
        "a", new IdRange("a", 50, 120, ""),
        "b", new IdRange("b", 110, 130, ""));

    assertThatThrownBy(() -> WireRegistry.of(ranges, Map.of(), Map.of()))
        .isInstanceOfSatisfying(WireRegistrationException.class, e -> assertThat(e.problems())
            .containsExactly("id range of a (50-120) reaches below 100; ids 0-99 belong to the wire format",
                "id ranges of a (50-120) and b (110-130) overlap"));
  }

  @Test
  void registrationsClassThatDoesNotExistIsReportedWithItsConfigKey() {
    var config = ConfigFactory.parseString("jdlm.wire.registrations.kernel = \"org.jdlm.kernel.NoSuchWire\"")
        .withFallback(ConfigFactory.load());

    assertThatThrownBy(() -> WireRegistry.fromConfig(config, getClass().getClassLoader()))
        .isInstanceOf(WireRegistrationException.class)
        .hasMessageContaining("jdlm.wire.registrations.kernel = org.jdlm.kernel.NoSuchWire: no such class");
  }

  @Test
  void hintNamesTheOwningModulesRegistrationsClassAndRange() {
    WireRegistry registry = WireTestConfig.registry();

    assertThat(registry.registrationHint(TestMessages.Stranger.class))
        .isEqualTo("register it in common's WireRegistrations (org.jdlm.common.wire.CommonWire)"
            + " with an unused id in 100-199");
    assertThat(registry.registrationHint(A.class.getClass()))
        .contains("WireRegistrations of the module that sends it");
  }
}
