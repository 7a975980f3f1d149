/**
 * The scenario language's front end: {@link org.jdlm.scenario.ScenarioParser} turns a file
 * into a typed {@link org.jdlm.scenario.Scenario} (header plus positioned statements) or a
 * {@link org.jdlm.scenario.ScenarioSyntaxException}. Pure code with no Pekko import: the
 * runner that executes a scenario against a cluster lives elsewhere and consumes only the AST.
 * Language reference: {@code docs/scenarios.md}.
 */
package org.jdlm.scenario;
