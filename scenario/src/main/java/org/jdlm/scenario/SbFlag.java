package org.jdlm.scenario;

/** Status-block flags reported with a completion callback (brief §6, semantics §2.9 {@code sb_flags}). */
public enum SbFlag {
  DEMOTED, VALNOTVALID, ALTMODE
}
