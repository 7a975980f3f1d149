package org.jdlm.scenario;

/**
 * Completion-callback statuses a scenario can await or expect (brief §6; semantics §2.9 names them
 * 0, -EAGAIN, -EDEADLK, -DLM_ECANCEL, -DLM_EUNLOCK). -ETIMEDOUT is left out on purpose: the
 * TIMEOUT flag is ignored by current kernels (semantics §2.7), so no callback can carry it. ENOENT is
 * the master's answer to an ORPHAN request that found no orphan (docs/recovery.md "Orphans").
 */
public enum CastStatus {
  OK, EAGAIN, EDEADLK, ECANCEL, EUNLOCK, ENOENT
}
