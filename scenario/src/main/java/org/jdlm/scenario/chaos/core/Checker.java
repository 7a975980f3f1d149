package org.jdlm.scenario.chaos.core;

/** A pure function from a history to a verdict (docs/chaos.md lists each checker's rule). */
public interface Checker {

  String name();

  CheckResult check(History history);
}
