package org.jdlm.fencing.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class WriteTokenTest {

  @Test
  void generationOutranksAnyCounter() {
    assertThat(new WriteToken(1, 999).isOlderThan(new WriteToken(2, 0))).isTrue();
    assertThat(new WriteToken(2, 0).isOlderThan(new WriteToken(1, 999))).isFalse();
  }

  @Test
  void withinAGenerationTheCounterOrders() {
    assertThat(new WriteToken(3, 4).isOlderThan(new WriteToken(3, 5))).isTrue();
    assertThat(new WriteToken(3, 5).isOlderThan(new WriteToken(3, 5))).isFalse();
  }

  @Test
  void negativeFieldsAreRefusedWithTheValues() {
    assertThatThrownBy(() -> new WriteToken(-1, 2)).hasMessageContaining("-1").hasMessageContaining("generation");
  }

  @Property
  void orderIsLexicographicOnGenerationThenCounter(
      @ForAll @LongRange(max = 5) long g1, @ForAll @LongRange(max = 5) long c1,
      @ForAll @LongRange(max = 5) long g2, @ForAll @LongRange(max = 5) long c2) {
    int expected = g1 != g2 ? Long.compare(g1, g2) : Long.compare(c1, c2);
    assertThat(Integer.signum(new WriteToken(g1, c1).compareTo(new WriteToken(g2, c2)))).isEqualTo(Integer.signum(expected));
  }
}
