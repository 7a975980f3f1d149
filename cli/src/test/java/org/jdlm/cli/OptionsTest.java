package org.jdlm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OptionsTest {
  private static Options parse(String... args) {
    return Options.parse("t", List.of(args), Set.of("--n", "--dir"), Set.of("--force"));
  }

  @Test
  void valuesSwitchesAndPositionalsAreSeparated() {
    Options o = parse("n2", "--n", "3", "--force", "--dir=/x");
    assertThat(o.require("--n")).isEqualTo("3");
    assertThat(o.get("--dir")).contains("/x");
    assertThat(o.has("--force")).isTrue();
    assertThat(o.positional()).containsExactly("n2");
  }

  @Test
  void everyProblemNamesTheValueAndTheReason() {
    assertThatThrownBy(() -> parse("--nope")).hasMessage("t: unknown option '--nope' (expected one of --dir, --force, --n)");
    assertThatThrownBy(() -> parse("--n")).hasMessage("t: option --n needs a value");
    assertThatThrownBy(() -> parse("--n", "1", "--n", "2")).hasMessage("t: option --n given twice");
    assertThatThrownBy(() -> parse().require("--n")).hasMessage("t: missing required option --n");
    assertThatThrownBy(() -> parse("--n", "x").integer("--n", 1, 9)).hasMessage("t: --n 'x' is not a number");
    assertThatThrownBy(() -> parse("--n", "10").integer("--n", 1, 9)).hasMessage("t: --n 10 is out of range (1..9)");
    assertThatThrownBy(() -> parse("a", "b").positional(1, "one node name"))
        .hasMessage("t: expected one node name, got 'a b'");
    assertThatThrownBy(() -> parse("a").noPositional()).hasMessage("t: unexpected argument 'a'");
  }
}
