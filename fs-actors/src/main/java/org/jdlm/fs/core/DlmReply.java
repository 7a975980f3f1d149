package org.jdlm.fs.core;

import org.jdlm.dlm.core.CastStatus;
import org.jdlm.dlm.core.LockMode;

/** The completion of a glock's DLM request, as {@code gdlm_ast} classifies it. */
public sealed interface DlmReply {

  /** Granted in {@code mode} (which may be the ALT mode for an ANY request). */
  record Granted(LockMode mode) implements DlmReply {}

  /** EAGAIN: a NOQUEUE (try) request could not be granted; the lock keeps its mode. */
  enum TryFailed implements DlmReply { INSTANCE }

  /** EDEADLK: conversion deadlock; the conversion is refused and the lock keeps its mode. */
  enum ConversionDeadlock implements DlmReply { INSTANCE }

  /** ECANCEL: the request was cancelled; the lock keeps its mode. */
  enum Canceled implements DlmReply { INSTANCE }

  /** EUNLOCK: the final unlock completed; the glock can be freed. */
  enum UnlockDone implements DlmReply { INSTANCE }

  /** Classifies a DLM completion (status and granted mode after the operation). */
  static DlmReply of(CastStatus status, LockMode grantedMode) {
    switch (status) {
      case OK:
        if (grantedMode == null) {
          throw new IllegalArgumentException("a granted DLM completion without a mode");
        }
        return new Granted(grantedMode);
      case EAGAIN:
        return TryFailed.INSTANCE;
      case EDEADLK:
        return ConversionDeadlock.INSTANCE;
      case ECANCEL:
        return Canceled.INSTANCE;
      case EUNLOCK:
        return UnlockDone.INSTANCE;
      default:
        throw new IllegalArgumentException("DLM status " + status + " is not a glock completion");
    }
  }
}
