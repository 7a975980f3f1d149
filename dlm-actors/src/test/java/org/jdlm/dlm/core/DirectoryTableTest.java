package org.jdlm.dlm.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The rules of {@link DirectoryTable}, named after them. */
class DirectoryTableTest {

  @Test
  void theFirstToAskMastersAndLaterAskersGetThatRecord() {
    DirectoryTable<String, String> t = new DirectoryTable<>();
    assertThat(t.masterOf("R", "b")).isEqualTo("b");
    assertThat(t.masterOf("R", "c")).isEqualTo("b");
    assertThat(t.recorded("R")).isEqualTo("b");
    t.checkInvariants();
  }

  @Test
  void aRegistrationOverridesTheRecord() {
    DirectoryTable<String, String> t = new DirectoryTable<>();
    t.masterOf("R", "b");
    t.register("R", "c");
    assertThat(t.masterOf("R", "a")).isEqualTo("c");
  }

  @Test
  void aRemovalCountsOnlyFromTheRecordedMaster() {
    DirectoryTable<String, String> t = new DirectoryTable<>();
    t.masterOf("R", "c");
    t.removed("R", "b", 40); // a late Remove from a former master
    assertThat(t.recorded("R")).isEqualTo("c");
    assertThat(t.tokenFloor()).as("its counter does not raise the floor either").isZero();
    t.removed("R", "c", 7);
    assertThat(t.recorded("R")).isNull();
    assertThat(t.tokenFloor()).isEqualTo(7);
  }

  @Test
  void tokensNeverGoBackWithinAGeneration() {
    DirectoryTable<String, String> t = new DirectoryTable<>();
    t.masterOf("R", "b");
    t.removed("R", "b", 9);
    t.masterOf("S", "c");
    t.removed("S", "c", 4);
    assertThat(t.tokenFloor()).isEqualTo(9);
    t.tossedHere("T", "a", 12); // tossed by the directory node itself, record or not
    assertThat(t.tokenFloor()).isEqualTo(12);
  }

  @Test
  void aResourceTossedHereKeepsAnotherMastersRecord() {
    DirectoryTable<String, String> t = new DirectoryTable<>();
    t.register("R", "b");
    t.tossedHere("R", "a", 3);
    assertThat(t.recorded("R")).isEqualTo("b");
  }

  @Test
  void aNewGenerationClearsTheRecordsAndTheFloor() {
    DirectoryTable<String, String> t = new DirectoryTable<>();
    t.masterOf("R", "b");
    t.removed("R", "b", 9);
    t.masterOf("S", "b");
    t.newGeneration();
    assertThat(t.records()).isEmpty();
    assertThat(t.tokenFloor()).isZero();
  }
}
