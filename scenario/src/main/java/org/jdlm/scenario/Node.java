package org.jdlm.scenario;

/** A cluster member named in a scenario: {@code n1 … nN}, where N comes from {@code nodes N}. */
public record Node(int number) {

  public Node {
    if (number < 1) {
      throw new IllegalArgumentException("node numbers start at 1, got " + number);
    }
  }

  /** The name as written in scenario files, e.g. {@code n3}. */
  @Override
  public String toString() {
    return "n" + number;
  }
}
