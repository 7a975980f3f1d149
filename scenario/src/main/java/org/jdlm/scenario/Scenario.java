package org.jdlm.scenario;

import java.util.List;

/**
 * A parsed scenario file: its header and its statements in file order, each with its position.
 * Produced only by {@link ScenarioParser}; everything in it has passed the parser's checks.
 */
public record Scenario(String fileName, Header header, List<Statement> statements) {

  public Scenario {
    if (fileName == null || header == null || statements == null) {
      throw new IllegalArgumentException("file name, header and statements must not be null");
    }
    statements = List.copyOf(statements);
  }
}
